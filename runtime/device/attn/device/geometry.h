// Where the rows of a q tile and the keys of a kv tile lie among the tokens. Both kernel
// families ask their Geometry and never compute a token themselves; how a tile reaches shared
// memory (cp.async row gathers on sm_80, TMA boxes on sm_90a) is the kernel's business.
//
//   SequenceGeometry  tiles are runs of consecutive tokens: q tile i holds tokens
//                     [i·kBlockM, (i+1)·kBlockM), kv tile j keys [j·kBlockN, ...).
//   GridGeometry      queries and keys are the tokens of a 2- or 3-d grid (row-major) and a
//                     tile is a box of it (Grid::q_box / kv_box). q tile t is the box at tile
//                     coordinates c (t numbered row-major over the tile grid), covering grid
//                     coordinates [c·box, (c+1)·box) on each axis, clipped at the edges. A kv
//                     tile is a box at any grid point, named by that point's token: the boxes
//                     start where a q tile's keys do (grid_kv_tiles.h).
//                     Row r of a tile is the box's r-th token in row-major order, so the tile's
//                     layout in shared memory is a sequence tile's and the GEMMs do not change.
//
// A row or key outside the sequence (or the grid) is invalid: its scores are dropped and its
// output is not written. The hooks still get an in-range token for it.
// Host and device alike: the emitted hooks name the geometry, and host tests walk it.
#pragma once

#include <stdint.h>

#include <type_traits>

#include "attn/abi.h"
#include "attn/device/grid.h"

namespace attn::device {

// 32-bit: tokens stay below 2^30 (ATTN_MAX_SEQLEN), and a 64-bit pair per accumulator row
// costs the consumer registers it does not have (ALiBi spilled and ran 30 % slower on sm_90a).
struct TokenRef {
  int32_t token;  // in [0, sequence length) when valid
  bool valid;
  int32_t head;   // a q row's head within its kv head's group, with packed heads; else 0
};

// On a grid, also the token's coordinates, which the mask hook reads instead of dividing.
struct GridTokenRef {
  int32_t token;
  bool valid;
  GridPoint at;
};

// PackedHeads: the q heads that share a kv head are packed into one tile's rows (an sm_90a
// launch with attn_forward_params::pack_heads set; the kernel picks this geometry for it): the
// rows run over (query, head of the group) pairs, the head fastest, seqlen_q · head_group of
// them, which the runtime packs only for queries shorter than a tile (so far below 2^31). A work
// tile's head is then its group's first q head. A compile-time choice, so that kernels of one
// head per tile carry no packing code.
template <int BlockM, int BlockN, bool PackedHeads = false>
struct SequenceGeometry {
  static constexpr int kBlockM = BlockM;
  static constexpr int kBlockN = BlockN;
  static constexpr bool kIsGrid = false;
  static constexpr bool kPackedHeads = PackedHeads;
  using Token = TokenRef;

  // Heads numbered by work tiles: the q heads, or with packed heads their groups.
  ATTN_HD static int work_heads(const attn_forward_params &p) {
    return kPackedHeads ? p.heads_kv : p.heads_q;
  }
  ATTN_HD static int64_t q_tiles(const attn_forward_params &p) {
    const int64_t rows = int64_t(p.seqlen_q) * (kPackedHeads ? p.head_group : 1);
    return (rows + kBlockM - 1) / kBlockM;
  }
  ATTN_HD static TokenRef q_row(const attn_forward_params &p, int64_t tile, int row) {
    const int32_t r = int32_t(tile) * kBlockM + row;
    if constexpr (kPackedHeads) {
      const int32_t q = r / p.head_group;
      return {q, q < p.seqlen_q, r - q * p.head_group};
    }
    return {r, r < p.seqlen_q, 0};
  }
  // The q tile of kBlockM queries that holds the queries of q tile `tile`: the tile itself, or,
  // with packed heads, the one whose kv tiles (a superset of its own) the tile visits.
  ATTN_HD static int64_t query_tile(const attn_forward_params &p, int64_t tile) {
    return kPackedHeads ? tile / p.head_group : tile;
  }
  ATTN_HD static TokenRef kv_col(const attn_forward_params &p, int64_t tile, int col) {
    const int32_t k = int32_t(tile) * kBlockN + col;
    return {k, k < p.seqlen_k, 0};
  }
};

// GridT: struct { static constexpr int kRank; and ATTN_HD static constexpr int size(a),
// q_box(a), kv_box(a) }, axes first to last (the last is x, contiguous in tokens). Functions,
// not arrays: a static constexpr array is not addressable in device code.
template <class GridT>
struct GridGeometry {
  using Grid = GridT;
  static constexpr bool kIsGrid = true;
  static constexpr bool kPackedHeads = false;
  using Token = GridTokenRef;
  static constexpr int kRank = Grid::kRank;
  static_assert(kRank == 2 || kRank == 3, "a grid of one axis is a sequence");

  // The box of a q tile (kKv false) or a kv tile (kKv true) along axis a.
  template <bool kKv>
  ATTN_HD static constexpr int box(int a) {
    return kKv ? Grid::kv_box(a) : Grid::q_box(a);
  }
  // q tiles along axis a (kv boxes are placed anywhere and have no tile grid).
  ATTN_HD static constexpr int q_tiles_along(int a) {
    return (Grid::size(a) + box<false>(a) - 1) / box<false>(a);
  }
  template <bool kKv>
  ATTN_HD static constexpr int box_tokens() {
    int n = 1;
    for (int a = 0; a < kRank; ++a) n *= box<kKv>(a);
    return n;
  }

  ATTN_HD static int work_heads(const attn_forward_params &p) { return p.heads_q; }
  ATTN_HD static int64_t q_tiles(const attn_forward_params &) {
    int64_t n = 1;
    ATTN_UNROLL
    for (int a = 0; a < kRank; ++a) n *= q_tiles_along(a);
    return n;
  }

  // The grid coordinates of the first token of a tile: q tile `tile` is numbered row-major
  // over the q tile grid, kv tile `tile` is that token itself.
  template <bool kKv>
  ATTN_HD static void origin(int64_t tile, int (&c)[kRank]) {
    int t = int(tile);
    ATTN_UNROLL
    for (int a = kRank - 1; a >= 0; --a) {
      const int n = kKv ? Grid::size(a) : q_tiles_along(a);
      c[a] = kKv ? t % n : t % n * box<false>(a);
      t /= n;
    }
  }

  // Token r of a tile: row-major in its box; invalid outside the grid.
  template <bool kKv>
  ATTN_HD static GridTokenRef token(int64_t tile, int r) {
    int o[kRank];
    origin<kKv>(tile, o);
    GridTokenRef t{0, true, {}};
    int32_t stride = 1;
    ATTN_UNROLL
    for (int a = kRank - 1; a >= 0; --a) {
      const int c = o[a] + r % box<kKv>(a);
      r /= box<kKv>(a);
      t.valid = t.valid && c < Grid::size(a);
      t.at.axis[a] = c;
      t.token += c * stride;
      stride *= Grid::size(a);
    }
    if (!t.valid) t.token = 0;
    return t;
  }

  ATTN_HD static GridTokenRef q_row(const attn_forward_params &, int64_t tile, int row) {
    return token<false>(tile, row);
  }
  ATTN_HD static int64_t query_tile(const attn_forward_params &, int64_t tile) { return tile; }
  ATTN_HD static GridTokenRef kv_col(const attn_forward_params &, int64_t tile, int col) {
    return token<true>(tile, col);
  }

  // The grid coordinates a tile covers, one interval per axis, clipped to the grid; `inside`:
  // whether the whole box lies inside the grid (no invalid row or key).
  template <bool kKv>
  ATTN_HD static GridBox tile_box(int64_t tile, bool *inside = nullptr) {
    int o[kRank];
    origin<kKv>(tile, o);
    GridBox g{};
    bool in = true;
    ATTN_UNROLL
    for (int a = 0; a < kRank; ++a) {
      const int end = o[a] + box<kKv>(a);
      in = in && end <= Grid::size(a);
      g.axis[a] = {o[a], (end < Grid::size(a) ? end : Grid::size(a)) - 1};
    }
    if (inside) *inside = in;
    return g;
  }

  // The tokens of a coordinate box, as the interval from its first to its last.
  ATTN_HD static Interval token_hull(const GridBox &g) {
    int64_t lo = 0, hi = 0;
    ATTN_UNROLL
    for (int a = 0; a < kRank; ++a) {
      lo = lo * Grid::size(a) + g.axis[a].lo;
      hi = hi * Grid::size(a) + g.axis[a].hi;
    }
    return {lo, hi};
  }
};

// The geometry a kernel's Traits name (`using Geometry = GridGeometry<...>`), else the
// sequence of kBlockM / kBlockN tiles.
template <class Traits, class = void>
struct GeometryOf {
  using type = SequenceGeometry<Traits::kBlockM, Traits::kBlockN>;
};
template <class Traits>
struct GeometryOf<Traits, std::void_t<typename Traits::Geometry>> {
  using type = typename Traits::Geometry;
};

}  // namespace attn::device
