// Run-time kv-tile bounds (tile.scan_kv_tiles) for the warp-specialised kernel.
//
// scan.h's version reduces over the whole CTA with __syncthreads, which a kernel whose
// warpgroups run different code cannot call. Here one warp classifies the kv tiles (lane l takes
// tiles l, l + 32, ...) and combines with shuffles only; every warp that needs the bounds (the
// producer warp, each consumer warp) computes them itself, a few hundred instructions per q tile.
// Must be called by all 32 lanes of a converged warp.
//
// Like scan.h it also compiles for the host (any C++17 compiler), where one loop classifies every
// tile: the emitted hooks that call it are host-tested.
#pragma once

#include <stdint.h>

#include "attn/device/scan.h"
#include "attn/device/warp_reduce.h"

namespace attn::device::sm90 {

// `mask_box(q, k)` → Tri for the index box q × k (inclusive intervals), as in scan.h.
template <class MaskBox>
ATTN_HD KvTiles warp_scan_kv_tiles(int64_t q_tile, int64_t sq, int64_t skv, int64_t block_m,
                                   int64_t block_n, MaskBox mask_box) {
#if !defined(__CUDA_ARCH__)
  return scan_kv_tiles(q_tile, sq, skv, block_m, block_n, mask_box);
#else
  const Interval q{q_tile * block_m, min_i64((q_tile + 1) * block_m, sq) - 1};
  const int64_t tiles = ceil_div_i64(skv, block_n);
  ScanPartial mine;
  for (int64_t j = threadIdx.x % 32; j < tiles; j += 32) {
    const TileClass c = classify_kv_tile(q, j, skv, block_n, mask_box);
    mine.add(j, c.kept, c.full);
  }
  ScanPartial all;
  all.first = warp_min(mine.first);
  all.last = warp_max(mine.last);
  all.first_full = warp_min(mine.first_full);
  all.last_full = warp_max(mine.last_full);
  all.full_count = warp_sum(mine.full_count);
  return all.bounds();
#endif
}

}  // namespace attn::device::sm90
