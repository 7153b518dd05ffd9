#!/usr/bin/env bash
# Installs what attnc needs on a fresh Debian 12 machine and builds it into build/.
#   MLIR/LLVM 22, nlohmann/json, GoogleTest and CMake come from apt; CUDA 13's nvcc is expected
#   at /usr/local/cuda (or on PATH, or in $ATTNC_NVCC): Debian's own CUDA is too old for sm_90a.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends \
  build-essential cmake ninja-build python3 binutils \
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
  nlohmann-json3-dev libgtest-dev

nvcc="${ATTNC_NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
if [ ! -x "$nvcc" ]; then
  echo "setup: attnc needs CUDA 13's nvcc (none at /usr/local/cuda/bin/nvcc or on PATH)." >&2
  echo "setup: install the CUDA toolkit, or point ATTNC_NVCC at nvcc." >&2
  exit 1
fi
echo "setup: using $("$nvcc" --version | tail -n 1)"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTNC_NVCC="$nvcc"
cmake --build build
