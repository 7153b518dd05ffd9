// The sm_90a forward kernel, FlashAttention-3 style: Producer × Consumer (mainloop.cuh) ×
// a deal of work tiles (scheduler.cuh), warp-specialised.
//
//   warpgroup 0   producer: one warp walks the work tiles and their kv tiles; its first lane
//                 issues the TMA copies of Q, K_j, V_j into the shared-memory rings. setmaxnreg
//                 gives most of its registers to...
//   warpgroups 1+ consumers: 64 q rows each; wgmma for both products, online softmax.
//
// The variant (mask, kv-tile bounds, score hook, sink logit) is a struct of static hooks; the kernel never
// knows which variant it runs:
//
//   struct Variant {
//     static constexpr bool kHasScore;  // scores go through score(p, scale·q·k, ...) and softmax
//                                       // works in natural units; otherwise the scale is folded
//                                       // into the exp2 argument
//     __device__ static KvTiles kv_tiles(const attn_forward_params &p, int b, int h, int64_t q_tile);
//       (or a KvTilesPair, for masks whose rows keep two intervals of keys; or, with a
//       GridGeometry, a GridKvTiles of attn/device/grid_kv_tiles.h; or a RoutedKvTiles of
//       routing.h; or, for masks whose tiles a run-time scan finds, the PlannedKvTiles of the
//       call's kv plan, attn/device/kv_plan.h)
//     using MaskRow, MaskKey;  // the mask's tensor reads of one row, of one key (empty for a
//                              // mask that reads none; NoMaskReads in hooks.h)
//     __device__ static MaskRow mask_row(const attn_forward_params &p, int b, int h, int64_t q);
//     __device__ static MaskKey mask_key(const attn_forward_params &p, int b, int h, int64_t k);
//     __device__ static bool keep(const attn_forward_params &p, int b, int h, int64_t q, int64_t k,
//                                 const MaskRow &row, const MaskKey &key);
//     static constexpr int kRowKeyIntervals;  // > 0: partial tiles test keys against
//     __device__ static RowKeys<kRowKeyIntervals> row_keys(const attn_forward_params &p,
//                                                          int64_t q);  // instead of keep()
//     __device__ static float score(const attn_forward_params &p, float s, int b, int h,
//                                   int64_t q, int64_t k0, int c);  // key k0 + c, c known
//                                   // at compile time where the kernel can (a column)
//     static constexpr bool kHasSink;   // each row's softmax denominator gets one more logit,
//                                       // sink(p, b, h), with no value row; O = 0 and LSE = σ
//                                       // for a row with no kept key
//     __device__ static float sink(const attn_forward_params &p, int b, int h);
//   };
//
// With packed heads (PackedHeadsTraits below, geometry.h) a work tile holds the rows of a group
// of q heads and the hooks get the group's first head: attnc emits that kernel only where no
// hook reads h.
// kv_tiles is called by every lane of a converged warp (the producer warp and each consumer
// warp, independently), so it may use warp collectives (kv_scan.cuh) but no CTA barrier. A scan
// over every kv tile repeated by each of those warps (the producer's at 24 registers) costs more
// than the short work tiles of a sparse mask: a mask whose tiles only a scan finds has it run
// by the library's kv plan kernel before the launch, and reads the result (kv_plan.h).
// keep() runs only on partial tiles (the kernel adds the key's validity there,
// attn/device/geometry.h); full tiles run no mask code. Its row's part comes from mask_row,
// once per work tile, and its key's from mask_key, once per key of a partial tile: a mask
// that reads runtime tensors (document ids) loads each element once per tile, not per score.
// A mask whose rows keep intervals of keys has row_keys (hooks.h: valid keys only), which the
// consumers evaluate once per work tile and turn into a bit mask per row and partial tile.
// The Traits may name a Geometry (shared_storage.cuh): where the tiles lie.
//
// Launch (a generated kernel or gpu/sm90/forward_shim.cu):
//   extern "C" __global__ void __launch_bounds__(Shape::kThreads, 1)
//   name(const __grid_constant__ attn_forward_params p,
//        const __grid_constant__ attn_forward_tensor_maps maps) {
//     attn::device::sm90::forward<Traits, Variant>(p, maps);
//   }
//   grid: TileNumbering::num_tiles(p) CTAs, or min(that, SM count) for a persistent launch
//   (with Traits::Deal = CounterDeal, p.work_counter zeroed before it);
//   block: Shape::kThreads; dynamic shared memory: forward_smem_bytes<Traits>().
#pragma once

#include <stdint.h>

#include "attn/abi.h"
#include "attn/device/hooks.h"
#include "attn/device/sm90/kv_tiles.cuh"
#include "attn/device/sm90/mainloop.cuh"
#include "attn/device/sm90/scheduler.cuh"
#include "attn/device/sm90/shared_storage.cuh"
#include "attn/device/sm90/tensor_maps.h"
#include "attn/device/sm90/tile_loads.cuh"
#include "attn/device/sm90/tma.cuh"
#include "attn/device/sm90/wgmma.cuh"

namespace attn::device::sm90 {

// How the warps learn their CTA's work tiles (scheduler.cuh). A fixed deal (SnakeDeal) is a
// function of the round, which every warp computes for itself. A counter deal's numbers are taken
// once, by the producer warp, and handed to the consumers through shared memory: its lane 0 waits
// until every consumer thread has arrived on work_empty (it has read the previous number), writes
// the number and arrives on work_full; each consumer thread waits on work_full, reads the number
// and arrives on work_empty. The first number that is not a tile's ends the deal for both. (Every
// reader arrives on an mbarrier: compute-sanitizer's racecheck accepts that, where it flags the
// same hand-off on named barriers, bar.arrive and bar.sync.)
template <class Deal, class Storage>
class WorkTileSource {
 public:
  __device__ __forceinline__ WorkTileSource(const attn_forward_params &p, Storage &ss)
      : deal_(p), ss_(ss) {}

  // The producer warp: the number of round r of its deal (r = 0, 1, ... until one is not a
  // tile's), handed over where the deal needs it.
  __device__ __forceinline__ int64_t produce(int64_t r) {
    const int64_t i = r == 0 ? deal_.first() : deal_.next(r);
    if constexpr (Deal::kHandedOver) publish(i, r);
    return i;
  }
  // Every consumer thread: the number of round r.
  __device__ __forceinline__ int64_t consume(int64_t r) {
    if constexpr (!Deal::kHandedOver) {
      return r == 0 ? deal_.first() : deal_.next(r);
    } else {
      ss_.work_full.wait(uint32_t(r & 1));
      const int64_t i = ss_.work_tile;
      ss_.work_empty.arrive();
      return i;
    }
  }

 private:
  __device__ __forceinline__ void publish(int64_t i, int64_t r) {
    if (threadIdx.x % 32 == 0) {
      ss_.work_empty.wait(uint32_t(r & 1) ^ 1);  // a fresh barrier passes parity 1 at once
      ss_.work_tile = i;
      ss_.work_full.arrive();
    }
  }

  Deal deal_;
  Storage &ss_;
};

// The kv tiles work tile t visits: those of the q tile of kBlockM queries that holds its
// queries (with packed heads a tile holds fewer queries than that, so they are a superset).
template <class Geometry, class Variant>
__device__ __forceinline__ auto kv_tiles_of(const attn_forward_params &p, const WorkTile &t) {
  return Variant::kv_tiles(p, t.batch, t.head, Geometry::query_tile(p, t.q_tile));
}

// The producer warp: per work tile, its number (WorkTileSource), then Q, then each of its K and V
// tiles through the pipelines.
template <class Traits, class Variant>
class ForwardProducer {
 public:
  using Shape = ForwardShape<Traits>;
  using QTile = typename Shape::QTile;
  using KvTile = typename Shape::KvTile;
  using Numbering = TileNumbering<typename Shape::Geometry, Shape::kHeadDim>;
  using Source = WorkTileSource<typename DealOf<Traits>::type, ForwardSharedStorage<Traits>>;
  __device__ __forceinline__ ForwardProducer(const attn_forward_params &p,
                                             const attn_forward_tensor_maps &maps,
                                             ForwardSharedStorage<Traits> &ss)
      : p_(p), maps_(maps), ss_(ss), leader_(threadIdx.x % 32 == 0) {}

  // The whole warp calls it; lane 0 issues the copies.
  __device__ __forceinline__ void run(const Numbering &tiles) {
    if (leader_) {
      tma_prefetch(maps_.q);
      tma_prefetch(maps_.k);
      tma_prefetch(maps_.v);
    }
    Source source(p_, ss_);
    PipelineState<1> q_state;
    PipelineState<Shape::kStages> kv_state;
    int64_t round = 0;
    for (int64_t i = source.produce(round); tiles.valid(i); i = source.produce(++round)) {
      const WorkTile t = tiles.tile(i);
      __syncwarp();
      const auto r = kv_tiles_of<typename Shape::Geometry, Variant>(p_, t);
      const int kv_head = t.head / p_.head_group;
      if (leader_) {
        Mbarrier &bar = ss_.q_pipe.produce(q_state, QTile::kBytes);
        Loads::template load_q<QTile>(p_, maps_.q, ss_.q, bar, t.q_tile, t.head, t.batch);
      }
      q_state.advance();
      for_each_kv_tile(r, [&](int64_t j, auto) {
        if (leader_) {
          Mbarrier &k_bar = ss_.k_pipe.produce(kv_state, KvTile::kBytes);
          Loads::template load_kv<KvTile>(maps_.k, ss_.k[kv_state.stage], k_bar, j, kv_head,
                                             t.batch);
          Mbarrier &v_bar = ss_.v_pipe.produce(kv_state, KvTile::kBytes);
          Loads::template load_kv<KvTile>(maps_.v, ss_.v[kv_state.stage], v_bar, j, kv_head,
                                             t.batch);
        }
        kv_state.advance();
      });
    }
  }

 private:
  using Loads = TileLoads<typename Shape::Geometry>;

  const attn_forward_params &p_;
  const attn_forward_tensor_maps &maps_;
  ForwardSharedStorage<Traits> &ss_;
  const bool leader_;
};

template <class Traits, class Variant>
__device__ __forceinline__ void forward(const attn_forward_params &p, const attn_forward_tensor_maps &maps) {
  using Shape = ForwardShape<Traits>;
  using Storage = ForwardSharedStorage<Traits>;
  extern __shared__ unsigned char smem_raw[];
  // Round the dynamic buffer's start up to 1024 (forward_smem_bytes() has the slack).
  const uint32_t base = smem_addr(smem_raw);
  Storage &ss = *reinterpret_cast<Storage *>(smem_raw + ((1024 - base % 1024) % 1024));

  if (threadIdx.x == 0) {
    ss.q_pipe.init(Shape::kConsumerWarps);
    ss.k_pipe.init(Shape::kConsumerWarps);
    ss.v_pipe.init(Shape::kConsumerWarps);
    ss.work_full.init(1);
    ss.work_empty.init(Shape::kConsumerWarps * 32);
    Mbarrier::fence_init();
  }
  __syncthreads();

  const TileNumbering<typename Shape::Geometry, Shape::kHeadDim> tiles(p);
  const int warpgroup = __shfl_sync(0xffffffffu, int(threadIdx.x / 128), 0);
  if (warpgroup == 0) {
    warpgroup_reg_dealloc<Shape::kProducerRegs>();
    if (threadIdx.x / 32 == 0) ForwardProducer<Traits, Variant>(p, maps, ss).run(tiles);
  } else {
    warpgroup_reg_alloc<Shape::kConsumerRegs>();
    typename ForwardProducer<Traits, Variant>::Source source(p, ss);
    ForwardConsumer<Traits, Variant> consumer(p, maps, ss, warpgroup - 1);
    int64_t round = 0;
    for (int64_t i = source.consume(round); tiles.valid(i); i = source.consume(++round)) {
      const WorkTile t = tiles.tile(i);
      consumer.compute(t, kv_tiles_of<typename Shape::Geometry, Variant>(p, t));
    }
    consumer.finish();
  }
}

// The same kernel over packed heads (geometry.h), for launches with p.pack_heads: a __global__
// function of its own, since a body instantiated for both geometries in one function ran the
// one-head launches up to 6 % slower (registers are allocated for the whole function).
template <class Traits>
struct PackedHeadsTraits : Traits {
  using Geometry = SequenceGeometry<Traits::kBlockM, Traits::kBlockN, /*PackedHeads=*/true>;
};

}  // namespace attn::device::sm90
