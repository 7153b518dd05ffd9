// Compile-time shape of the sm_90a forward kernel and its shared memory.
//
// Traits (one struct per kernel, written by the compiler):
//   using Element = __nv_bfloat16 or __half;
//   static constexpr int kHeadDim;   // 64, 128 or 256
//   static constexpr int kBlockM;    // q rows per work tile: 64 per consumer warpgroup (1 to 3)
//   static constexpr int kBlockN;    // kv rows per kv tile (a wgmma N: multiple of 16, <= 256)
//   static constexpr int kStages;    // K and V buffers each (>= 2: copy of tile j+1 during j)
//   using Schedule = SerialSchedule or OverlapSchedule;   // mainloop.cuh
//   using Geometry = GridGeometry<...>;  // optional (attn/device/geometry.h): the default
//                                        // is SequenceGeometry<kBlockM, kBlockN>
//   using Deal = SnakeDeal or CounterDeal;  // optional (scheduler.cuh): SnakeDeal by default
//   using Epilogue = DirectEpilogue or TmaEpilogue;  // optional (epilogue.cuh): direct by default
//
// Shared memory (d128, 128×128 tiles, 2 stages, TMA epilogue: 32 + 32 + 2·32 + 2·32 KB = 192 KB):
//   [O per consumer warpgroup [64, D]] | Q [kBlockM, D] | K stages [kBlockN, D] |
//   V stages [kBlockN, D] | barriers | a tile number
// every tile 128B-swizzled (smem_tile.cuh) and 1024-byte aligned. Q is rewritten for the next
// work tile only after every consumer warp released it (q_pipe), K and V stages likewise; a
// warpgroup's O tile after its last copy has read it (epilogue.cuh).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <type_traits>

#include "attn/device/geometry.h"
#include "attn/device/sm90/epilogue.cuh"
#include "attn/device/sm90/pipeline.cuh"
#include "attn/device/sm90/smem_tile.cuh"

namespace attn::device::sm90 {

template <class Traits>
struct ForwardShape {
  using Geometry = typename GeometryOf<Traits>::type;
  using Element = typename Traits::Element;
  static constexpr int kHeadDim = Traits::kHeadDim;
  static constexpr int kBlockM = Traits::kBlockM;
  static constexpr int kBlockN = Traits::kBlockN;
  static constexpr int kStages = Traits::kStages;
  static constexpr int kConsumerWarpgroups = kBlockM / 64;
  static constexpr int kConsumerWarps = 4 * kConsumerWarpgroups;
  static constexpr int kThreads = 128 * (1 + kConsumerWarpgroups);  // producer warpgroup first
  // Registers per thread after setmaxnreg: the producer needs few, the consumers hold S, P and O.
  // Budget: 64K registers per SM, 128 threads per warpgroup (2 consumers: 24·128 + 240·256).
  static constexpr int kProducerRegs = 24;
  static constexpr int kConsumerRegs = kConsumerWarpgroups <= 2 ? 240 : 160;

  using QTile = SwizzledTile<kBlockM, kHeadDim>;
  using KvTile = SwizzledTile<kBlockN, kHeadDim>;
  static constexpr bool kTmaEpilogue =
      std::is_same_v<typename EpilogueOf<Traits>::type, TmaEpilogue>;
  static_assert(!kTmaEpilogue || !Geometry::kIsGrid,
                "the TMA epilogue stores rows of a sequence; a grid's q tile is a box of tokens");

  static_assert(sizeof(Element) == 2, "16-bit elements: the 128B swizzle block is 64 of them");
  static_assert(kBlockM % 64 == 0 && kConsumerWarpgroups >= 1 && kConsumerWarpgroups <= 3,
                "one to three consumer warpgroups of 64 rows (wgmma M = 64)");
  static_assert(kBlockN % 16 == 0 && kBlockN <= 256, "kBlockN is a wgmma N and a multiple of k = 16");
  static_assert(kHeadDim == 64 || kHeadDim == 128 || kHeadDim == 256, "head dims 64, 128, 256");
  static_assert(kStages >= 2, "two or more K/V stages: the next tile loads during this one");
};

// The O tiles of the TMA epilogue, one per consumer warpgroup; nothing (an empty base) without.
template <class Shape, bool = Shape::kTmaEpilogue>
struct OStageStorage {
  alignas(1024) unsigned char o[Shape::kConsumerWarpgroups][OStage<Shape::kHeadDim>::Tile::kBytes];
};
template <class Shape>
struct OStageStorage<Shape, false> {};

template <class Traits>
struct ForwardSharedStorage : OStageStorage<ForwardShape<Traits>> {
  using Shape = ForwardShape<Traits>;
  alignas(1024) unsigned char q[Shape::QTile::kBytes];
  alignas(1024) unsigned char k[Shape::kStages][Shape::KvTile::kBytes];
  alignas(1024) unsigned char v[Shape::kStages][Shape::KvTile::kBytes];
  Pipeline<1> q_pipe;
  // The number of the next work tile, from the producer to the consumers (forward.cuh's
  // WorkTileSource), where the deal needs it: full takes the producer's arrival, empty one from
  // every consumer thread.
  Mbarrier work_full, work_empty;
  int64_t work_tile;
  Pipeline<Shape::kStages> k_pipe;
  Pipeline<Shape::kStages> v_pipe;
};

// Dynamic shared memory to launch with: the storage plus slack to align its start to 1024.
template <class Traits>
constexpr int forward_smem_bytes() {
  return int(sizeof(ForwardSharedStorage<Traits>)) + 1024;
}

}  // namespace attn::device::sm90
