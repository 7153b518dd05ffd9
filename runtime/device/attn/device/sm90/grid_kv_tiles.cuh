// The kv tiles a q tile of a grid kernel (GridGeometry, geometry.cuh) visits.
//
// scan_grid_kv_tiles finds, one axis at a time, the kv tiles along that axis that the mask may
// keep for the q tile's box, with the other axes' key coordinates left free (the mask's interval
// image over [0, n) there): their product is a box of kv tiles that holds every kept pair. For a
// mask that is a conjunction over axes (neighborhood, swin, their dilated and causal forms) the
// box is exactly the tiles the mask keeps along each axis. for_each_kv_tile then visits the box
// and classifies each tile once more over its own coordinates: empty tiles are skipped, tiles
// inside the grid that the mask keeps whole run without mask code, the others are partial.
//
// Like kv_scan.cuh: called by all 32 lanes of a converged warp (the producer warp and each
// consumer warp, independently), warp shuffles only; every caller gets the same answer, so
// producer and consumers agree on the visiting order.
#pragma once

#include <stdint.h>

#include "attn/device/grid.h"
#include "attn/device/sm90/kv_scan.cuh"
#include "attn/device/sm90/kv_tiles.cuh"

namespace attn::device::sm90 {

template <class Geometry, class MaskBox>
struct GridKvTiles {
  static constexpr int kRank = Geometry::kRank;
  MaskBox mask;
  GridBox q;          // the q tile's grid coordinates
  Interval q_tokens;  // and its tokens
  int begin[kRank], end[kRank];  // kv tiles along each axis

  __device__ __forceinline__ Tri classify(const GridBox &k) const {
    return mask(q_tokens, Geometry::token_hull(k), q, k);
  }
};

template <class Geometry, class MaskBox>
__device__ __forceinline__ GridKvTiles<Geometry, MaskBox> scan_grid_kv_tiles(int64_t q_tile,
                                                                             MaskBox mask) {
  using Grid = typename Geometry::Grid;
  constexpr int kRank = Geometry::kRank;
  GridKvTiles<Geometry, MaskBox> r{mask, Geometry::template tile_box<false>(q_tile), {}, {}, {}};
  r.q_tokens = Geometry::token_hull(r.q);
  GridBox all{};
#pragma unroll
  for (int a = 0; a < kRank; ++a) all.axis[a] = {0, Grid::size(a) - 1};
#pragma unroll
  for (int a = 0; a < kRank; ++a) {
    int64_t first = INT64_MAX, last = -1;
    const int box = Grid::kv_box(a);
    for (int t = threadIdx.x % 32; t < Geometry::template tiles_along<true>(a); t += 32) {
      GridBox k = all;
      k.axis[a] = {int64_t(t) * box, min_i64(int64_t(t + 1) * box, Grid::size(a)) - 1};
      if (r.classify(k).may_true) {
        first = min_i64(first, t);
        last = max_i64(last, t);
      }
    }
    first = warp_min(first);
    last = warp_max(last);
    r.begin[a] = last < 0 ? 0 : int(first);
    r.end[a] = last < 0 ? 0 : int(last) + 1;
  }
  return r;
}

// f(j, PartialTile{} or FullTile{}) for every kv tile j (numbered row-major over the kv tile
// grid) of the box that the mask keeps any pair of, from the box's last tile to its first.
template <class Geometry, class MaskBox, class F>
__device__ __forceinline__ void for_each_kv_tile(const GridKvTiles<Geometry, MaskBox> &r, F &&f) {
  using Grid = typename Geometry::Grid;
  constexpr int kRank = Geometry::kRank;
  int count = 1;
#pragma unroll
  for (int a = 0; a < kRank; ++a) count *= r.end[a] - r.begin[a];
  for (int i = count - 1; i >= 0; --i) {
    int64_t j = 0;
    int rest = i;
    int stride = 1;
#pragma unroll
    for (int a = kRank - 1; a >= 0; --a) {
      const int extent = r.end[a] - r.begin[a];
      j += int64_t(r.begin[a] + rest % extent) * stride;
      rest /= extent;
      stride *= Geometry::template tiles_along<true>(a);
    }
    bool inside = false;
    const Tri keep = r.classify(Geometry::template tile_box<true>(j, &inside));
    if (!keep.may_true) continue;
    if (!keep.may_false && inside)
      f(j, FullTile{});
    else
      f(j, PartialTile{});
  }
}

}  // namespace attn::device::sm90
