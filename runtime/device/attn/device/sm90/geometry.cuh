// Where the rows of a q tile and the keys of a kv tile lie among the tokens, and how the
// producer loads them. The kernel asks its Geometry and never computes a token itself.
//
//   SequenceGeometry  tiles are runs of consecutive tokens: q tile i holds tokens
//                     [i·kBlockM, (i+1)·kBlockM), kv tile j keys [j·kBlockN, ...).
//   GridGeometry      queries and keys are the tokens of a 2- or 3-d grid (row-major) and a
//                     tile is a box of it (Grid::q_box / kv_box). q tile t is the box at tile
//                     coordinates c (t numbered row-major over the tile grid), covering grid
//                     coordinates [c·box, (c+1)·box) on each axis, clipped at the edges. A kv
//                     tile is a box at any grid point, named by that point's token: the boxes
//                     start where a q tile's keys do (grid_kv_tiles.cuh).
//                     Row r of a tile is the box's r-th token in row-major order, which is how
//                     one TMA box lands in shared memory, so the tile's layout is the same as a
//                     sequence tile's and the GEMMs do not change.
//
// A row or key outside the sequence (or the grid) is invalid: its scores are dropped and its
// output is not written. The hooks still get an in-range token for it.
#pragma once

#include <stdint.h>

#include "attn/abi.h"
#include "attn/device/grid.h"
#include "attn/device/sm90/mbarrier.cuh"
#include "attn/device/sm90/tensor_maps.h"
#include "attn/device/sm90/tma.cuh"

namespace attn::device::sm90 {

// 32-bit: tokens stay below 2^30 (ATTN_MAX_SEQLEN), and a 64-bit pair per accumulator row
// costs the consumer registers it does not have (ALiBi spilled and ran 30 % slower).
struct TokenRef {
  int32_t token;  // in [0, sequence length) when valid
  bool valid;
};

// On a grid, also the token's coordinates, which the mask hook reads instead of dividing.
struct GridTokenRef {
  int32_t token;
  bool valid;
  GridPoint at;
};

template <int kBlockM, int kBlockN>
struct SequenceGeometry {
  static constexpr bool kIsGrid = false;
  using Token = TokenRef;

  __host__ __device__ static int64_t q_tiles(const attn_forward_params &p) {
    return (p.seqlen_q + kBlockM - 1) / kBlockM;
  }
  __device__ __forceinline__ static TokenRef q_row(const attn_forward_params &p, int64_t tile,
                                                   int row) {
    const int32_t q = int32_t(tile) * kBlockM + row;
    return {q, q < p.seqlen_q};
  }
  __device__ __forceinline__ static TokenRef kv_col(const attn_forward_params &p, int64_t tile,
                                                    int col) {
    const int32_t k = int32_t(tile) * kBlockN + col;
    return {k, k < p.seqlen_k};
  }

  // Tile rows of (head, batch): one 4-d box [64, rows] per 64-column block.
  template <class Tile>
  __device__ __forceinline__ static void load_q(const attn_tensor_map &map, unsigned char *dst,
                                                Mbarrier &bar, int64_t tile, int head, int batch) {
    load_rows<Tile>(map, dst, bar, int(tile) * kBlockM, head, batch);
  }
  template <class Tile>
  __device__ __forceinline__ static void load_kv(const attn_tensor_map &map, unsigned char *dst,
                                                 Mbarrier &bar, int64_t tile, int head,
                                                 int batch) {
    load_rows<Tile>(map, dst, bar, int(tile) * kBlockN, head, batch);
  }

 private:
  template <class Tile>
  __device__ __forceinline__ static void load_rows(const attn_tensor_map &map, unsigned char *dst,
                                                   Mbarrier &bar, int row, int head, int batch) {
#pragma unroll
    for (int b = 0; b < Tile::kBlocks; ++b)
      tma_load_4d(map, dst + b * Tile::kBlockBytes, bar, b * ATTN_TMA_BOX_COLS, row, head, batch);
  }
};

// GridT: struct { static constexpr int kRank; and __host__ __device__ static constexpr int
// size(a), q_box(a), kv_box(a) }, axes first to last (the last is x, contiguous in tokens).
// Functions, not arrays: a static constexpr array is not addressable in device code.
template <class GridT>
struct GridGeometry {
  using Grid = GridT;
  static constexpr bool kIsGrid = true;
  using Token = GridTokenRef;
  static constexpr int kRank = Grid::kRank;
  static_assert(kRank == 2 || kRank == 3, "a grid of one axis is a sequence");

  // The box of a q tile (kKv false) or a kv tile (kKv true) along axis a.
  template <bool kKv>
  __host__ __device__ static constexpr int box(int a) {
    return kKv ? Grid::kv_box(a) : Grid::q_box(a);
  }
  // q tiles along axis a (kv boxes are placed anywhere and have no tile grid).
  __host__ __device__ static constexpr int q_tiles_along(int a) {
    return (Grid::size(a) + box<false>(a) - 1) / box<false>(a);
  }
  template <bool kKv>
  __host__ __device__ static constexpr int box_tokens() {
    int n = 1;
    for (int a = 0; a < kRank; ++a) n *= box<kKv>(a);
    return n;
  }
  // A 3-d box loads one t slice at a time: each slice must start on a swizzle period.
  static_assert(kRank == 2 || (box<false>(1) * box<false>(2) % 8 == 0 &&
                               box<true>(1) * box<true>(2) % 8 == 0),
                "a 3-d box's t slices are whole 8-row swizzle groups");

  __host__ __device__ static int64_t q_tiles(const attn_forward_params &) {
    int64_t n = 1;
    for (int a = 0; a < kRank; ++a) n *= q_tiles_along(a);
    return n;
  }

  // The grid coordinates of the first token of a tile: q tile `tile` is numbered row-major
  // over the q tile grid, kv tile `tile` is that token itself.
  template <bool kKv>
  __host__ __device__ __forceinline__ static void origin(int64_t tile, int (&c)[kRank]) {
    int t = int(tile);
#pragma unroll
    for (int a = kRank - 1; a >= 0; --a) {
      const int n = kKv ? Grid::size(a) : q_tiles_along(a);
      c[a] = kKv ? t % n : t % n * box<false>(a);
      t /= n;
    }
  }

  // Token r of a tile: row-major in its box; invalid outside the grid.
  template <bool kKv>
  __host__ __device__ __forceinline__ static GridTokenRef token(int64_t tile, int r) {
    int o[kRank];
    origin<kKv>(tile, o);
    GridTokenRef t{0, true, {}};
    int32_t stride = 1;
#pragma unroll
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

  __device__ __forceinline__ static GridTokenRef q_row(const attn_forward_params &, int64_t tile,
                                                       int row) {
    return token<false>(tile, row);
  }
  __device__ __forceinline__ static GridTokenRef kv_col(const attn_forward_params &,
                                                        int64_t tile, int col) {
    return token<true>(tile, col);
  }

  // The grid coordinates a tile covers, one interval per axis, clipped to the grid; `inside`:
  // whether the whole box lies inside the grid (no invalid row or key).
  template <bool kKv>
  __host__ __device__ __forceinline__ static GridBox tile_box(int64_t tile,
                                                             bool *inside = nullptr) {
    int o[kRank];
    origin<kKv>(tile, o);
    GridBox g{};
    bool in = true;
#pragma unroll
    for (int a = 0; a < kRank; ++a) {
      const int end = o[a] + box<kKv>(a);
      in = in && end <= Grid::size(a);
      g.axis[a] = {o[a], (end < Grid::size(a) ? end : Grid::size(a)) - 1};
    }
    if (inside) *inside = in;
    return g;
  }

  // The tokens of a coordinate box, as the interval from its first to its last.
  __host__ __device__ __forceinline__ static Interval token_hull(const GridBox &g) {
    int64_t lo = 0, hi = 0;
#pragma unroll
    for (int a = 0; a < kRank; ++a) {
      lo = lo * Grid::size(a) + g.axis[a].lo;
      hi = hi * Grid::size(a) + g.axis[a].hi;
    }
    return {lo, hi};
  }

  template <class Tile>
  __device__ __forceinline__ static void load_q(const attn_tensor_map &map, unsigned char *dst,
                                                Mbarrier &bar, int64_t tile, int head, int batch) {
    load_box<Tile, false>(map, dst, bar, tile, head, batch);
  }
  template <class Tile>
  __device__ __forceinline__ static void load_kv(const attn_tensor_map &map, unsigned char *dst,
                                                 Mbarrier &bar, int64_t tile, int head,
                                                 int batch) {
    load_box<Tile, true>(map, dst, bar, tile, head, batch);
  }

 private:
  // The tile's box from a 5-d map [64-column block, x, (t, y) folded, head, batch]: one copy per
  // 64-column block and per t slice of the box. The y extent of a 3-d box may run into the next
  // t slice's rows; those keys are invalid and dropped, and TMA zero-fills past the grid's end.
  template <class Tile, bool kKv>
  __device__ __forceinline__ static void load_box(const attn_tensor_map &map, unsigned char *dst,
                                                  Mbarrier &bar, int64_t tile, int head,
                                                  int batch) {
    static_assert(box_tokens<kKv>() * Tile::kRowBytes == Tile::kBlockBytes,
                  "a box holds the tile's rows");
    int o[kRank];
    origin<kKv>(tile, o);
    constexpr int kSlices = kRank == 3 ? box<kKv>(0) : 1;
    constexpr int kSliceRows = box<kKv>(kRank - 1) * box<kKv>(kRank - 2);
#pragma unroll
    for (int s = 0; s < kSlices; ++s) {
      const int y = kRank == 3 ? (o[0] + s) * Grid::size(kRank - 2) + o[kRank - 2] : o[0];
#pragma unroll
      for (int b = 0; b < Tile::kBlocks; ++b)
        tma_load_5d(map, dst + b * Tile::kBlockBytes + s * kSliceRows * Tile::kRowBytes, bar,
                    b * ATTN_TMA_BOX_COLS, o[kRank - 1], y, head, batch);
    }
  }
};

}  // namespace attn::device::sm90
