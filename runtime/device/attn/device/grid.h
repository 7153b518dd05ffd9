// Token grids: queries and keys are the tokens of a 1-, 2- or 3-d grid (an image, a video),
// numbered row-major, and masks read their coordinates (tile.grid_coord).
//
// Scalar hooks compute a coordinate from the token index. Interval hooks (mask_box) take the
// coordinates of a tile's tokens as one interval per axis, a GridBox:
//   - a kernel that tiles the token sequence (sm_80, and grids of one axis) derives it from the
//     tile's token range with grid_box(), exact per axis only where the range stays inside
//     one row;
//   - a kernel that tiles the grid in N-d (sm_90a: a tile is a box of the grid) passes the
//     box itself, so a neighborhood's classification is exact per axis.
// Host and device alike.
#pragma once

#include "attn/device/interval.h"

namespace attn::device {

constexpr int kMaxGridRank = 3;

// Scalar hooks apply it to q and k, which lie in [0, tokens) with tokens < 2^31 (the spec
// checks the grid): 32-bit unsigned division, a multiply-high by a constant, where 64-bit
// division by a constant costs a dozen instructions per mask evaluation.
ATTN_HD int64_t grid_coord(int64_t index, int64_t stride, int64_t size) {
  return int64_t(uint32_t(index) / uint32_t(stride) % uint32_t(size));
}

// (x / stride) % size over every x in [x.lo, x.hi], x >= 0: exact unless the quotient wraps.
ATTN_HD Interval iv_grid_coord(Interval x, int64_t stride, int64_t size) {
  if (x.lo < 0) return {0, size - 1};
  const int64_t first = x.lo / stride, last = x.hi / stride;
  if (last - first >= size) return {0, size - 1};
  const int64_t lo = first % size, hi = last % size;
  return lo <= hi ? Interval{lo, hi} : Interval{0, size - 1};
}

// The coordinates of one token (axes past the rank unused): what a kernel that tiles the grid
// in N-d hands the mask hook (mask_at), which then divides nothing.
struct GridPoint {
  int32_t axis[kMaxGridRank];
};

// The coordinates of a box of tokens, one interval per axis (axes past the rank unused).
struct GridBox {
  Interval axis[kMaxGridRank];
};

// The box a range of tokens spans on a grid of sizes `sizes` (row-major).
template <int kRank>
ATTN_HD GridBox grid_box(Interval tokens, const int64_t (&sizes)[kRank]) {
  GridBox box{};
  int64_t stride = 1;
  for (int a = kRank - 1; a >= 0; --a) {
    box.axis[a] = iv_grid_coord(tokens, stride, sizes[a]);
    stride *= sizes[a];
  }
  return box;
}

}  // namespace attn::device
