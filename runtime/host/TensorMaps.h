// TMA tensor maps for the sm_90a forward kernel (attn/device/sm90/tensor_maps.h).
//
// The runtime never links libcuda, so the encoder is passed in: the driver's
// cuTensorMapEncodeTiled, resolved wherever the caller resolves driver entry points.
#ifndef ATTN_RUNTIME_TENSORMAPS_H
#define ATTN_RUNTIME_TENSORMAPS_H

#include <cuda.h>

#include "attn/abi.h"
#include "attn/attn.h"
#include "attn/device/sm90/tensor_maps.h"

namespace attn::runtime {

using TensorMapEncodeTiledFn = decltype(&::cuTensorMapEncodeTiled);

// The kernel's tile shape: the boxes are [64 columns, blockM rows] for Q and [64, blockN] for K
// and V, and headDim / 64 boxes make a tile.
struct ForwardTileShape {
  int headDim;
  int blockM;
  int blockN;
};

// Encodes the Q, K and V maps of `p` (pointers, strides, lengths, heads) as 4-d tensors
// [D, S, H, B] of `dtype` (ATTN_DTYPE_F16 or ATTN_DTYPE_BF16), 128B-swizzled, out-of-bounds rows
// zero-filled. Returns CUDA_SUCCESS or the first failing call's result (CUDA_ERROR_INVALID_VALUE
// also for a dtype or shape the kernel cannot take: a head dim that is not a multiple of 64, a
// pointer or stride that is not a multiple of 16 bytes).
CUresult encodeForwardTensorMaps(TensorMapEncodeTiledFn encode, const attn_forward_params &p,
                                 attn_dtype dtype, const ForwardTileShape &shape,
                                 attn_forward_tensor_maps *maps);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_TENSORMAPS_H
