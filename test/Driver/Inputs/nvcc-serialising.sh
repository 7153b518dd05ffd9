#!/bin/sh
# A stand-in for nvcc: runs the real one ($REAL_NVCC), then reports the ptxas note a kernel
# whose wgmma instructions were serialised gets, naming the kernel being compiled.
"$REAL_NVCC" "$@" || exit $?
for arg in "$@"; do case "$arg" in *.cu) cu="$arg" ;; esac; done
kernel=$(basename "$cu" .cu)
echo "ptxas info    : (C7515) Potential Performance Loss: wgmma.mma_async instructions are serialized due to non wgmma instructions defining accumulator registers of a wgmma between start and end of the pipeline stage in the function '$kernel'" >&2
