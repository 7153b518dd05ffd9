// Run-time kv-tile bounds for masks without a closed form (tile.scan_kv_tiles).
//
// Every kv tile of the q tile is classified with the mask's interval image (interval.h): empty,
// full, or partial. The result encloses the non-empty tiles and names the full ones when they
// form one run. On the device the CTA's threads split the tiles and combine with warp and block
// reductions (a few hundred instructions at 16k keys); on the host one loop does the same.
#pragma once

#include "attn/device/interval.h"

#include <stdint.h>

namespace attn::device {

// What one thread found over its share of the tiles.
struct ScanPartial {
  int64_t first = INT64_MAX, last = -1;            // non-empty tiles
  int64_t first_full = INT64_MAX, last_full = -1;  // full tiles
  int64_t full_count = 0;

  ATTN_HD void add(int64_t j, bool kept, bool full) {
    if (!kept) return;
    first = min_i64(first, j);
    last = max_i64(last, j);
    if (!full) return;
    first_full = min_i64(first_full, j);
    last_full = max_i64(last_full, j);
    ++full_count;
  }

  ATTN_HD KvTiles bounds() const {
    if (last < 0) return {0, 0, 0, 0};
    // Full tiles with a partial or empty one among them: no full run, all visited as partial.
    if (full_count == 0 || last_full - first_full + 1 != full_count)
      return {first, first, first, last + 1};
    return {first, first_full, last_full + 1, last + 1};
  }
};

#if defined(__CUDA_ARCH__)
struct MinOp {
  __device__ int64_t operator()(int64_t a, int64_t b) const { return min_i64(a, b); }
};
struct MaxOp {
  __device__ int64_t operator()(int64_t a, int64_t b) const { return max_i64(a, b); }
};
struct SumOp {
  __device__ int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

// Combines one value per thread over the whole block; every thread gets the result.
template <class Op>
__device__ __forceinline__ int64_t block_reduce(int64_t v, int64_t *slot, Op op) {
  for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  if (threadIdx.x % 32 == 0) slot[threadIdx.x / 32] = v;
  __syncthreads();
  v = slot[0];
  for (unsigned w = 1; w < blockDim.x / 32; ++w) v = op(v, slot[w]);
  __syncthreads();  // the slots are reused by the next reduction
  return v;
}
#endif

// One kv tile's class: may it keep a pair (visit it), does it keep every pair of valid keys
// (visit it without mask code; a tile overhanging the keys never does).
struct TileClass {
  bool kept, full;
};

// `mask_box(q, k)` → Tri for the index box q × k (intervals, inclusive).
template <class MaskBox>
ATTN_HD TileClass classify_kv_tile(Interval q, int64_t j, int64_t skv, int64_t block_n,
                                   MaskBox mask_box) {
  const Interval k{j * block_n, min_i64((j + 1) * block_n, skv) - 1};
  const Tri keep = mask_box(q, k);
  return {keep.may_true, keep.may_true && !keep.may_false && (j + 1) * block_n <= skv};
}

#if defined(__CUDA_ARCH__)
// Every thread's partial over the whole block; every thread gets the bounds.
__device__ __forceinline__ KvTiles block_reduce_scan(const ScanPartial &mine) {
  __shared__ int64_t slot[32];
  ScanPartial all;
  all.first = block_reduce(mine.first, slot, MinOp{});
  all.last = block_reduce(mine.last, slot, MaxOp{});
  all.first_full = block_reduce(mine.first_full, slot, MinOp{});
  all.last_full = block_reduce(mine.last_full, slot, MaxOp{});
  all.full_count = block_reduce(mine.full_count, slot, SumOp{});
  return all.bounds();
}
#endif

template <class MaskBox>
ATTN_HD KvTiles scan_kv_tiles(int64_t q_tile, int64_t sq, int64_t skv, int64_t block_m,
                              int64_t block_n, MaskBox mask_box) {
  const Interval q{q_tile * block_m, min_i64((q_tile + 1) * block_m, sq) - 1};
  const int64_t tiles = ceil_div_i64(skv, block_n);
  ScanPartial mine;
#if defined(__CUDA_ARCH__)
  const int64_t first_j = threadIdx.x, step = blockDim.x;
#else
  const int64_t first_j = 0, step = 1;
#endif
  for (int64_t j = first_j; j < tiles; j += step) {
    const TileClass c = classify_kv_tile(q, j, skv, block_n, mask_box);
    mine.add(j, c.kept, c.full);
  }
#if defined(__CUDA_ARCH__)
  return block_reduce_scan(mine);
#else
  return mine.bounds();
#endif
}

}  // namespace attn::device
