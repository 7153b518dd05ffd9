// The kv tiles a q tile of a grid kernel (GridGeometry, geometry.cuh) visits.
//
// A kv tile is a box of the grid placed anywhere (the copy engine loads a box at any origin), so
// the boxes start where the q tile's keys start instead of on a fixed tile grid: a 13x13
// neighborhood of an 8x16 q box spans 20x28 keys, which 3x2 boxes of 8x16 cover from its corner,
// against 7.6 boxes on average of a fixed grid that the window straddles.
//
// scan_grid_kv_tiles finds, one axis at a time, the first and last key coordinate along that
// axis that the mask may keep for the q tile's box, with the other axes' key coordinates left
// free (the mask's interval image over [0, n) there); the boxes tile [first, last] from first.
// Every kept pair lies in them. for_each_kv_tile then visits them and classifies each box once
// more over its own coordinates: empty boxes are skipped, boxes inside the grid that the mask
// keeps whole run without mask code, the others are partial. A box is named by its first token
// (row-major over the grid). compiler/Analysis/TileClassifier's planGridQTile places and
// classifies them the same way for the tilemap.
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
  int first[kRank];   // the first key coordinate the boxes cover along each axis
  int boxes[kRank];   // and how many boxes they take there

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
    for (int c = threadIdx.x % 32; c < Grid::size(a); c += 32) {
      GridBox k = all;
      k.axis[a] = iv_point(c);
      if (r.classify(k).may_true) {
        first = min_i64(first, c);
        last = max_i64(last, c);
      }
    }
    first = warp_min(first);
    last = warp_max(last);
    const int box = Grid::kv_box(a);
    r.first[a] = last < 0 ? 0 : int(first);
    r.boxes[a] = last < 0 ? 0 : int((last - first) / box + 1);
  }
  return r;
}

// f(j, PartialTile{} or FullTile{}) for every kv box that the mask keeps any pair of (j: the
// box's first token), from the last box to the first.
template <class Geometry, class MaskBox, class F>
__device__ __forceinline__ void for_each_kv_tile(const GridKvTiles<Geometry, MaskBox> &r, F &&f) {
  using Grid = typename Geometry::Grid;
  constexpr int kRank = Geometry::kRank;
  int count = 1;
#pragma unroll
  for (int a = 0; a < kRank; ++a) count *= r.boxes[a];
  for (int i = count - 1; i >= 0; --i) {
    int j = 0;
    int rest = i;
    int stride = 1;
#pragma unroll
    for (int a = kRank - 1; a >= 0; --a) {
      j += (r.first[a] + rest % r.boxes[a] * Grid::kv_box(a)) * stride;
      rest /= r.boxes[a];
      stride *= Grid::size(a);
    }
    bool inside = false;
    const Tri keep = r.classify(Geometry::template tile_box<true>(j, &inside));
    if (!keep.may_true) continue;
    if (!keep.may_false && inside)
      f(int64_t(j), FullTile{});
    else
      f(int64_t(j), PartialTile{});
  }
}

}  // namespace attn::device::sm90
