#!/usr/bin/env bash
# Run on the build machine: copies what gpu/run.sh needs into git-ignored folders of the tree,
# so that a GPU machine with no MLIR or compiler toolchain can run the suite from a copy of it.
#   .gpu-stage/build/lib/libattnrt.so, .gpu-stage/build/examples/lib*.so (and examples-sm80/
#   where the build has it), .gpu-stage/build/COMMIT
#   .shared_bench/ (peers.py and workloads.json)
#   bash gpu/stage.sh [BUILD_DIR]    (default: build)
set -eu -o pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build}"
rm -rf .gpu-stage/build
mkdir -p .gpu-stage/build/lib .gpu-stage/build/examples
cp "$BUILD/lib/libattnrt.so" .gpu-stage/build/lib/
cp "$BUILD"/examples/lib*.so .gpu-stage/build/examples/
if [ -d "$BUILD/examples-sm80" ]; then
  mkdir -p .gpu-stage/build/examples-sm80
  cp "$BUILD"/examples-sm80/lib*.so .gpu-stage/build/examples-sm80/
fi
{
  git rev-parse --short HEAD 2>/dev/null || echo unknown
} | tr -d '\n' > .gpu-stage/build/COMMIT
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then echo -n "-dirty" >> .gpu-stage/build/COMMIT; fi
echo >> .gpu-stage/build/COMMIT
PEERS="${ATTNC_PEERS_DIR:-$ROOT/../shared/bench}"
rm -rf .shared_bench
mkdir -p .shared_bench
cp "$PEERS/peers.py" "$PEERS/workloads.json" .shared_bench/
du -sh .gpu-stage .shared_bench
echo "commit: $(cat .gpu-stage/build/COMMIT)"
echo 'on the GPU machine, in a copy of this tree: bash gpu/run.sh'
