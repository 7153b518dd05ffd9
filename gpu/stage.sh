#!/usr/bin/env bash
# Run HERE (not on the GPU machine): copies what gpu/run.sh needs into git-ignored folders that
# one device call can carry, and prints the call.
#   .carry/build/lib/libattnrt.so, .carry/build/examples/lib*.so, .carry/build/COMMIT
#   .shared_bench/ (peers.py and workloads.json)
#   bash gpu/stage.sh [BUILD_DIR]    (default: build)
set -eu -o pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build}"
rm -rf .carry/build
mkdir -p .carry/build/lib .carry/build/examples
cp "$BUILD/lib/libattnrt.so" .carry/build/lib/
cp "$BUILD"/examples/lib*.so .carry/build/examples/
{
  git rev-parse --short HEAD 2>/dev/null || echo unknown
} | tr -d '\n' > .carry/build/COMMIT
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then echo -n "-dirty" >> .carry/build/COMMIT; fi
echo >> .carry/build/COMMIT
PEERS="${ATTNC_PEERS_DIR:-$ROOT/../shared/bench}"
rm -rf .shared_bench
mkdir -p .shared_bench
cp "$PEERS/peers.py" "$PEERS/workloads.json" .shared_bench/
du -sh .carry .shared_bench
echo "commit: $(cat .carry/build/COMMIT)"
echo 'device call: run(command="bash gpu/run.sh", carry=[".carry", ".shared_bench"], timeout_s=600)'
