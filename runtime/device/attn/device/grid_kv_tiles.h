// The kv tiles a q tile of a grid kernel (GridGeometry, geometry.h) visits, for both kernel
// families (tile.kv_loop {span = boxes}).
//
// A kv tile is a box of the grid placed anywhere (sm_90a's copy engine loads a box at any
// origin, sm_80 gathers any rows), so the boxes start where the q tile's keys start instead of
// on a fixed tile grid: a 13x13 neighborhood of an 8x16 q box spans 20x28 keys, which 3x2
// boxes of 8x16 cover from its corner, against 7.6 boxes on average of a fixed grid that the
// window straddles.
//
// scan_grid_kv_tiles finds, one axis at a time, the first and last key coordinate along that
// axis that the mask may keep for the q tile's box, with the other axes' key coordinates left
// free (the mask's interval image over [0, n) there); the boxes tile [first, last] from first.
// Every kept pair lies in them. The walk (first / next, or box(i) for i from count() - 1 down)
// then visits them from the last to the first and classifies each box once more over its own
// coordinates: empty boxes are skipped, boxes inside the grid that the mask keeps whole run
// without mask code, the others are partial. A box is named by its first token (row-major over
// the grid). compiler/Analysis/TileClassifier's planGridQTile places and classifies them the
// same way for the tilemap.
//
// On the device the scan is one warp's (lanes split the coordinates, shuffles combine them):
// every warp that needs the tiles (the sm_90a producer and consumer warps, each sm_80 warp)
// scans on its own with all 32 lanes converged and no CTA barrier, and all get the same answer,
// so they agree on the visiting order. On the host one loop does the same; host tests walk the
// emitted hooks through it.
#pragma once

#include <stdint.h>

#include "attn/device/geometry.h"
#include "attn/device/grid.h"
#include "attn/device/warp_reduce.h"

namespace attn::device {

// Box `index` of a q tile's kv boxes, named by its first token `tile` (-1 where it keeps no
// pair, or past the end of a walk), and whether it runs without mask code.
struct GridKvCursor {
  int index;
  int64_t tile;
  bool full;
};

template <class Geometry, class MaskBox>
struct GridKvTiles {
  static constexpr int kRank = Geometry::kRank;
  using Grid = typename Geometry::Grid;
  MaskBox mask;
  GridBox q;          // the q tile's grid coordinates
  Interval q_tokens;  // and its tokens
  int start[kRank];   // the first key coordinate the boxes cover along each axis
  int boxes[kRank];   // and how many boxes they take there

  ATTN_HD Tri classify(const GridBox &k) const {
    return mask(q_tokens, Geometry::token_hull(k), q, k);
  }

  // How many boxes the scan placed (some may keep no pair).
  ATTN_HD int count() const {
    int n = 1;
    ATTN_UNROLL
    for (int a = 0; a < kRank; ++a) n *= boxes[a];
    return n;
  }

  // Box i of count(), the boxes numbered row-major over their per-axis counts, classified over
  // its own coordinates: tile -1 where the mask keeps no pair of it.
  ATTN_HD GridKvCursor box(int i) const {
    int64_t j = 0, stride = 1;
    ATTN_UNROLL
    for (int a = kRank - 1, rest = i; a >= 0; --a) {
      j += (start[a] + rest % boxes[a] * Grid::kv_box(a)) * stride;
      rest /= boxes[a];
      stride *= Grid::size(a);
    }
    bool inside = false;
    const Tri keep = classify(Geometry::template tile_box<true>(j, &inside));
    return {i, keep.may_true ? j : -1, keep.may_true && !keep.may_false && inside};
  }

  // The walk with a lookahead (the sm_80 kernel prefetches the next box's K): the last box that
  // keeps a pair, then from c the box below it that does, tile -1 past the first.
  ATTN_HD GridKvCursor first() const { return settle(count() - 1); }
  ATTN_HD GridKvCursor next(const GridKvCursor &c) const { return settle(c.index - 1); }

 private:
  ATTN_HD GridKvCursor settle(int i) const {
    for (; i >= 0; --i) {
      const GridKvCursor c = box(i);
      if (c.tile >= 0) return c;
    }
    return {-1, -1, false};
  }
};

template <class Geometry, class MaskBox>
ATTN_HD GridKvTiles<Geometry, MaskBox> scan_grid_kv_tiles(int64_t q_tile, MaskBox mask) {
  using Grid = typename Geometry::Grid;
  constexpr int kRank = Geometry::kRank;
  GridKvTiles<Geometry, MaskBox> r{mask, Geometry::template tile_box<false>(q_tile), {}, {}, {}};
  r.q_tokens = Geometry::token_hull(r.q);
  GridBox all{};
  ATTN_UNROLL
  for (int a = 0; a < kRank; ++a) all.axis[a] = {0, Grid::size(a) - 1};
#if defined(__CUDA_ARCH__)
  const int lane = threadIdx.x % 32, lanes = 32;
#else
  const int lane = 0, lanes = 1;
#endif
  ATTN_UNROLL
  for (int a = 0; a < kRank; ++a) {
    int64_t first = INT64_MAX, last = -1;
    for (int c = lane; c < Grid::size(a); c += lanes) {
      GridBox k = all;
      k.axis[a] = iv_point(c);
      if (r.classify(k).may_true) {
        first = min_i64(first, c);
        last = max_i64(last, c);
      }
    }
#if defined(__CUDA_ARCH__)
    first = warp_min(first);
    last = warp_max(last);
#endif
    const int box = Grid::kv_box(a);
    r.start[a] = last < 0 ? 0 : int(first);
    r.boxes[a] = last < 0 ? 0 : int((last - first) / box + 1);
  }
  return r;
}

}  // namespace attn::device
