#!/usr/bin/env bash
# Builds gpu/sm90/.build/libattn_sm90_test.so: the sm_90a forward kernel's test variants and
# their C launchers (forward_shim.cu), plus runtime/host/TensorMaps.cpp. Needs nvcc (CUDA 12.3+),
# no GPU. ptxas's register / spill report goes to .build/ptxas.log.
#   gpu/sm90/build.sh            # all kernels
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/.build"
mkdir -p "$out"
NVCC="${NVCC:-/usr/local/cuda/bin/nvcc}"
common=(-std=c++17 -O3 -lineinfo -Xcompiler -fPIC
        -I"$root/runtime/include" -I"$root/runtime/device" -I"$root/runtime/host" -I"$here")
"$NVCC" "${common[@]}" -gencode=arch=compute_90a,code=sm_90a -Xptxas -v \
  -c "$here/forward_shim.cu" -o "$out/forward_shim.o" 2> >(tee "$out/ptxas.log" >&2)
"$NVCC" "${common[@]}" -x c++ -c "$root/runtime/host/TensorMaps.cpp" -o "$out/TensorMaps.o"
"$NVCC" -shared -o "$out/libattn_sm90_test.so" "$out/forward_shim.o" "$out/TensorMaps.o" \
  -L/usr/local/cuda/lib64/stubs -lcuda
grep -E "registers|spill|Potential Performance Loss|setmaxnreg" "$out/ptxas.log" | sed 's/^ptxas info    : //' || true
echo "built $out/libattn_sm90_test.so"
