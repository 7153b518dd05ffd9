// How the sm_90a producer loads a tile of the kernel's Geometry (attn/device/geometry.h: which
// tokens a tile holds) into shared memory: TMA copies that complete on an mbarrier.
//
//   SequenceGeometry  one 4-d box [64, rows] of the [D, S, H, B] map per 64-column block, at
//                     the tile's first row; TMA zero-fills rows past the sequence. Q with
//                     packed heads: a 5-d box over (head of the group, query).
//   GridGeometry      the tile's box from a 5-d map [64-column block, x, (t, y) folded, head,
//                     batch] (runtime/host/TensorMaps.cpp): one copy per 64-column block and
//                     per t slice of the box, which lands row r of the tile at the box's r-th
//                     token in row-major order, the order GridGeometry numbers rows in.
#pragma once

#include <stdint.h>

#include "attn/device/geometry.h"
#include "attn/device/sm90/mbarrier.cuh"
#include "attn/device/sm90/tensor_maps.h"
#include "attn/device/sm90/tma.cuh"

namespace attn::device::sm90 {

template <class Geometry, bool kIsGrid = Geometry::kIsGrid>
struct TileLoads;

template <class Geometry>
struct TileLoads<Geometry, /*kIsGrid=*/false> {
  static constexpr int kBlockM = Geometry::kBlockM;
  static constexpr int kBlockN = Geometry::kBlockN;

  // Tile rows of (head, batch). With packed heads the map is the 5-d [D, group, S, kv head, B]
  // view (runtime/host/TensorMaps.cpp) and the box [64, group, kBlockM / group] lands row r at
  // query r / group of head r % group, the order SequenceGeometry::q_row numbers rows in.
  template <class Tile>
  __device__ __forceinline__ static void load_q(const attn_forward_params &p,
                                                const attn_tensor_map &map, unsigned char *dst,
                                                Mbarrier &bar, int64_t tile, int head, int batch) {
    if constexpr (Geometry::kPackedHeads) {
#pragma unroll
      for (int b = 0; b < Tile::kBlocks; ++b)
        tma_load_5d(map, dst + b * Tile::kBlockBytes, bar, b * ATTN_TMA_BOX_COLS, 0,
                    int(tile) * (kBlockM / p.head_group), head / p.head_group, batch);
      return;
    }
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

template <class Geometry>
struct TileLoads<Geometry, /*kIsGrid=*/true> {
  using Grid = typename Geometry::Grid;
  static constexpr int kRank = Geometry::kRank;
  template <bool kKv>
  __host__ __device__ static constexpr int box(int a) {
    return Geometry::template box<kKv>(a);
  }
  // A 3-d box loads one t slice at a time: each slice must start on a swizzle period.
  static_assert(kRank == 2 || (box<false>(1) * box<false>(2) % 8 == 0 &&
                               box<true>(1) * box<true>(2) % 8 == 0),
                "a 3-d box's t slices are whole 8-row swizzle groups");

  template <class Tile>
  __device__ __forceinline__ static void load_q(const attn_forward_params &,
                                                const attn_tensor_map &map, unsigned char *dst,
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
  // The y extent of a 3-d box may run into the next t slice's rows; those keys are invalid
  // (GridGeometry::token) and dropped, and TMA zero-fills past the grid's end.
  template <class Tile, bool kKv>
  __device__ __forceinline__ static void load_box(const attn_tensor_map &map, unsigned char *dst,
                                                  Mbarrier &bar, int64_t tile, int head,
                                                  int batch) {
    static_assert(Geometry::template box_tokens<kKv>() * Tile::kRowBytes == Tile::kBlockBytes,
                  "a box holds the tile's rows");
    int o[kRank];
    Geometry::template origin<kKv>(tile, o);
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
