#!/usr/bin/env bash
# The main job: compile every example spec to build/examples/lib<name>.so and, where a GPU and
# PyTorch are present, run each library over many shapes against a float reference.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/examples
mkdir -p "$out"
# examples-sm80: the same specs for sm_80 only, as PTX that the driver compiles at load time,
# so that a Hopper GPU also runs (and gpu/run.sh checks) the Ampere kernels.
mkdir -p "$out-sm80"
for spec in specs/*.json; do
  case "$spec" in *schema*) continue ;; esac
  name=$(basename "$spec" .json)
  build/bin/attnc "$spec" -o "$out/lib$name.so"
  build/bin/attnc "$spec" --arch=sm_80 --embed=ptx -q -o "$out-sm80/lib$name.so"
  echo "examples: built $out/lib$name.so and $out-sm80/lib$name.so"
done

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 &&
   python3 -c "import torch; assert torch.cuda.is_available()" >/dev/null 2>&1; then
  PYTHONPATH=python python3 gpu/check.py --libs-dir "$out"
  PYTHONPATH=python python3 gpu/check.py --libs-dir "$out-sm80"
else
  echo "examples: no GPU with PyTorch here; the libraries are built, not run" \
       "(gpu/run.sh runs them and the benchmark on a GPU machine)"
fi
