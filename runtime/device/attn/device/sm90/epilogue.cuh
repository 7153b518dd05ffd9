// How a consumer warpgroup writes its 64 rows of O (normalised, rounded to the element type).
//
//   DirectEpilogue  4-byte stores from the accumulators, row by row (rows past seqlen_q skipped).
//                   Each warp store covers 16 bytes of 8 rows, so a 128x128 tile is 4096 partly
//                   filled sectors, and the warps wait on them before their next work tile.
//   TmaEpilogue     the warpgroup writes its rows into its own O tile in shared memory, swizzled
//                   as a TMA box, and one thread hands the tile to the copy engine
//                   (cp.async.bulk.tensor, which skips rows past seqlen_q); the warps go on to the
//                   next work tile while it drains. Needs an O tile per warpgroup in shared memory
//                   and the O tensor map, so only sequence kernels whose shared memory has room
//                   (attnc: d64 and d128) take it.
// Traits name it as `using Epilogue = TmaEpilogue;` (DirectEpilogue by default).
#pragma once

#include <stdint.h>

#include <type_traits>

#include "attn/device/sm90/smem_tile.cuh"
#include "attn/device/sm90/tensor_maps.h"
#include "attn/device/sm90/tma.cuh"
#include "attn/device/sm90/wgmma.cuh"

namespace attn::device::sm90 {

struct DirectEpilogue {};
struct TmaEpilogue {};

template <class Traits, class = void>
struct EpilogueOf {
  using type = DirectEpilogue;
};
template <class Traits>
struct EpilogueOf<Traits, std::void_t<typename Traits::Epilogue>> {
  using type = typename Traits::Epilogue;
};

// One consumer warpgroup's rows of O in shared memory: the box of the O tensor map
// (runtime/host/TensorMaps.cpp: [64 columns, 64 rows]) per 64-column block.
template <int kHeadDim>
struct OStage {
  using Tile = SwizzledTile<64, kHeadDim>;
  // Named barriers 1 .. 3 are the ping-pong turns (mainloop.cuh's IssueTurns); warpgroup w
  // gathers its 128 threads on kFirstBarrier + w.
  static constexpr int kFirstBarrier = 4;

  // The two elements (a packed pair) at row `row`, columns `col` and `col` + 1 (col even).
  __device__ __forceinline__ static void put(unsigned char *tile, int row, int col,
                                             uint32_t pair) {
    const int chunk = (col % Tile::kBlockCols) / 8;
    unsigned char *at = tile + (col / Tile::kBlockCols) * Tile::kBlockBytes +
                        row * Tile::kRowBytes + ((chunk ^ (row % 8)) * 16) + (col % 8) * 2;
    *reinterpret_cast<uint32_t *>(at) = pair;
  }

  // The warpgroup's threads, before writing the tile: its last copy has read it.
  __device__ __forceinline__ static void acquire(int warpgroup, bool issuer) {
    if (issuer) bulk_wait_read();
    named_barrier_sync(kFirstBarrier + warpgroup, 128);
  }
  // After writing it: the copy of the tile to rows [row0, row0 + 64) of (head, batch).
  __device__ __forceinline__ static void release(int warpgroup, bool issuer,
                                                 const attn_tensor_map &map,
                                                 const unsigned char *tile, int row0, int head,
                                                 int batch) {
    fence_async_shared();
    named_barrier_sync(kFirstBarrier + warpgroup, 128);
    if (issuer) {
#pragma unroll
      for (int b = 0; b < Tile::kBlocks; ++b)
        tma_store_4d(map, tile + b * Tile::kBlockBytes, b * Tile::kBlockCols, row0, head, batch);
      bulk_commit();
    }
  }
};

}  // namespace attn::device::sm90
