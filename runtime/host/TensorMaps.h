// TMA tensor maps for the sm_90a forward kernel (attn/device/sm90/tensor_maps.h).
//
// The runtime never links libcuda, so the encoder is passed in: the driver's
// cuTensorMapEncodeTiled, resolved wherever the caller resolves driver entry points.
#ifndef ATTN_RUNTIME_TENSORMAPS_H
#define ATTN_RUNTIME_TENSORMAPS_H

#include <cuda.h>

#include <cstdint>
#include <vector>

#include "attn/abi.h"
#include "attn/attn.h"
#include "attn/device/sm90/tensor_maps.h"

namespace attn::runtime {

using TensorMapEncodeTiledFn = decltype(&::cuTensorMapEncodeTiled);

// The kernel's tile shape: the boxes are [64 columns, blockM rows] for Q and [64, blockN] for K
// and V, and headDim / 64 boxes make a tile. A kernel that tiles a token grid in N-d (grid of 2
// or 3 axes, with qBox and kvBox of the same rank) reads boxes of the grid instead.
struct ForwardTileShape {
  int headDim;
  int blockM;
  int blockN;
  std::vector<int32_t> grid, qBox, kvBox;
};

// Encodes the Q, K and V maps of `p` (pointers, strides, lengths, heads) of `dtype`
// (ATTN_DTYPE_F16 or ATTN_DTYPE_BF16), 128B-swizzled, out-of-bounds elements zero-filled, and,
// for sequence tiles, the O map of the TMA epilogue (box [64, ATTN_TMA_O_BOX_ROWS, 1, 1]):
//   sequence tiles  4-d [D, S, H, B], box [64, rows, 1, 1];
//   grid tiles      5-d [D, x, Y, H, B], box [64, box x, box y, 1, 1], where x is the grid's last
//                   axis and Y the others folded (t·ny + y: tokens are row-major, so one stride);
//                   attn/device/sm90/tile_loads.cuh loads a 3-d box one t slice at a time;
//   packed heads    (p.pack_heads) Q as 5-d [D, G, S, Hkv, B] (G = head_group, the q heads of
//                   one kv head), box [64, G, blockM / G, 1, 1]: a tile's rows are (query, head)
//                   pairs, the head fastest.
// Returns CUDA_SUCCESS or the first failing call's result (CUDA_ERROR_INVALID_VALUE also for a
// dtype or shape the kernel cannot take: a head dim that is not a multiple of 64, a pointer or
// stride that is not a multiple of 16 bytes).
CUresult encodeForwardTensorMaps(TensorMapEncodeTiledFn encode, const attn_forward_params &p,
                                 attn_dtype dtype, const ForwardTileShape &shape,
                                 attn_forward_tensor_maps *maps);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_TENSORMAPS_H
