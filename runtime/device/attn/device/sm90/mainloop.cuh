// The consumer side of the sm_90a forward kernel: one warpgroup computes 64 query rows of a
// work tile over the kv tiles the variant visits, then writes their O and LSE.
//
// Per kv tile j (wgmma.cuh: accumulators in registers, operands from shared memory):
//   S = Q·K_jᵀ          wgmma SS, K-major A and B        // [64, kBlockN] per warpgroup
//   S = score(scale·S)   variants with a score hook, every tile
//   S = -inf where dropped   partial tiles only: keep(q, k) and the key is valid (geometry.h),
//                        or, where the variant has row_keys, the key against the row's intervals
//   P = online softmax (softmax.cuh), O rescaled
//   O += P·V_j           wgmma RS: P from registers, V N-major (transpose bit)  // [64, kHeadDim]
//
// Two schedules of the same work:
//   SerialSchedule    the steps above one after the other.
//   OverlapSchedule   iteration j issues S_j = Q·K_jᵀ and O += P_{j-1}·V_{j-1} back to back,
//                     waits for S_j only and runs its softmax while the tensor cores finish the
//                     P·V of the previous tile; O is rescaled after that wgmma retires. Costs one
//                     more register tile (P of j−1, packed: kBlockN/4 registers).
//   PingPongSchedule  the overlap schedule, and the consumer warpgroups take turns to issue their
//                     two products (a ring of named barriers), so that one warpgroup's softmax
//                     runs while the tensor cores work for the next one. What attnc emits.
#pragma once

#include <stdint.h>

#include <type_traits>

#include "attn/abi.h"
#include "attn/device/hooks.h"
#include "attn/device/numeric.cuh"
#include "attn/device/sm90/epilogue.cuh"
#include "attn/device/sm90/kv_tiles.cuh"
#include "attn/device/sm90/scheduler.cuh"
#include "attn/device/sm90/shared_storage.cuh"
#include "attn/device/sm90/softmax.cuh"
#include "attn/device/sm90/wgmma.cuh"

namespace attn::device::sm90 {

struct SerialSchedule {};
struct OverlapSchedule {};
struct PingPongSchedule {};

// The turns of PingPongSchedule: consumer warpgroup w issues its products after bar.sync on
// barrier kFirstBarrier + w, which needs its own 128 threads and the 128 of warpgroup w − 1
// arriving once they have issued theirs (warpgroup 0 arrives on its own barrier once, to begin).
// Every warpgroup of a CTA visits the same kv tiles, so the turns stay in step across work tiles.
template <int kWarpgroups>
struct IssueTurns {
  static constexpr int kFirstBarrier = 1;  // 0 is __syncthreads'
  __device__ __forceinline__ static void begin(int wg) {
    if (wg == 0) named_barrier_arrive(kFirstBarrier, 256);
  }
  __device__ __forceinline__ static void wait(int wg) { named_barrier_sync(kFirstBarrier + wg, 256); }
  __device__ __forceinline__ static void pass(int wg) {
    named_barrier_arrive(kFirstBarrier + (wg + 1) % kWarpgroups, 256);
  }
};

template <class Traits, class Variant>
class ForwardConsumer {
 public:
  using Shape = ForwardShape<Traits>;
  using Element = typename Shape::Element;
  using QTile = typename Shape::QTile;
  using KvTile = typename Shape::KvTile;
  static constexpr int kHeadDim = Shape::kHeadDim;
  static constexpr int kBlockM = Shape::kBlockM;
  static constexpr int kBlockN = Shape::kBlockN;
  static constexpr int kStages = Shape::kStages;
  static constexpr int kS = kBlockN / 2;     // S accumulators per thread
  static constexpr int kO = kHeadDim / 2;    // O accumulators per thread
  static constexpr int kPSteps = kBlockN / 16;  // k steps of P·V
  using SGemm = Wgmma<Element, kBlockN>;
  using OGemm = Wgmma<Element, kHeadDim>;
  static constexpr bool kPingPong =
      std::is_same_v<typename Traits::Schedule, PingPongSchedule> && Shape::kConsumerWarpgroups > 1;
  static constexpr bool kOverlap =
      std::is_same_v<typename Traits::Schedule, OverlapSchedule> ||
      std::is_same_v<typename Traits::Schedule, PingPongSchedule>;
  using Turns = IssueTurns<Shape::kConsumerWarpgroups>;
  static_assert(Turns::kFirstBarrier + Shape::kConsumerWarpgroups <= OStage<kHeadDim>::kFirstBarrier,
                "the epilogue's named barriers come after the turns'");
  using Geometry = typename Shape::Geometry;
  // Intervals of keys per row (Variant::row_keys) that partial tiles test instead of the mask.
  static constexpr int kRowKeyIntervals = Variant::kRowKeyIntervals;
  static_assert(kRowKeyIntervals == 0 || !Geometry::kIsGrid,
                "row keys are runs of keys: a kernel tiling a grid in N-d calls the mask");

  __device__ __forceinline__ ForwardConsumer(const attn_forward_params &p,
                                             const attn_forward_tensor_maps &maps,
                                             ForwardSharedStorage<Traits> &ss, int warpgroup)
      : p_(p), maps_(maps), ss_(ss), wg_(warpgroup), warp_((threadIdx.x / 32) % 4),
        lane_(threadIdx.x % 32) {
    if constexpr (kPingPong) Turns::begin(wg_);
  }

  // After the last work tile: the O copies have read shared memory, which the CTA gives up.
  __device__ __forceinline__ void finish() {
    if constexpr (Shape::kTmaEpilogue)
      if (issues_o_copies()) bulk_wait_read();
  }

  // Computes one work tile over the kv tiles `r`; returns after its O and LSE are written.
  template <class KvRanges>  // KvTiles or KvTilesPair (hooks.h)
  __device__ __forceinline__ void compute(const WorkTile &t, const KvRanges &r) {
    tile_ = t;
#pragma unroll
    for (int r = 0; r < 2; ++r)
      rows_[r] = Geometry::q_row(p_, t.q_tile, tile_row(r));
    if constexpr (kRowKeyIntervals > 0)
#pragma unroll
      for (int r = 0; r < 2; ++r) row_keys_[r] = Variant::row_keys(p_, rows_[r].token);
    else if constexpr (!Geometry::kIsGrid)
#pragma unroll
      for (int r = 0; r < 2; ++r) mask_rows_[r] = Variant::mask_row(p_, t.batch, t.head, rows_[r].token);
    OnlineSoftmax<kBlockN> softmax;
    float o[kO];  // [64, kHeadDim] per warpgroup
#pragma unroll
    for (int i = 0; i < kO; ++i) o[i] = 0.f;

    ss_.q_pipe.wait_full(q_state_);
    if constexpr (kOverlap)
      run_overlapped(r, softmax, o);
    else
      run_serial(r, softmax, o);
    if (lane_ == 0) ss_.q_pipe.release(q_state_);  // every Q·Kᵀ of this tile has retired
    q_state_.advance();
    store(softmax, o);
  }

 private:
  __device__ __forceinline__ float scale_log2() const {
    return Variant::kHasScore ? kLog2e : p_.scale_log2;
  }

  template <class KvRanges>
  __device__ __forceinline__ void run_serial(const KvRanges &r, OnlineSoftmax<kBlockN> &softmax,
                                             float (&o)[kO]) {
    for_each_kv_tile(r, [&](int64_t j, auto partial) {
      float s[kS];  // [64, kBlockN] per warpgroup
#pragma unroll
      for (int i = 0; i < kS; ++i) s[i] = 0.f;
      ss_.k_pipe.wait_full(kv_state_);
      issue_qk(s, kv_state_.stage);
      wgmma_wait<0>();
      fence_operands(s);
      if (lane_ == 0) ss_.k_pipe.release(kv_state_);
      transform_scores<decltype(partial)::value>(s, j);
      float rescale[2];
      softmax.update(s, scale_log2(), rescale);
      OnlineSoftmax<kBlockN>::rescale_rows(o, rescale);
      uint32_t pf[kPSteps][4];
      pack_p(s, pf);
      ss_.v_pipe.wait_full(kv_state_);
      issue_pv(o, pf, kv_state_.stage);
      wgmma_wait<0>();
      fence_operands(o);
      fence_operands(pf);
      if (lane_ == 0) ss_.v_pipe.release(kv_state_);
      kv_state_.advance();
    });
  }

  template <class KvRanges>
  __device__ __forceinline__ void run_overlapped(const KvRanges &r, OnlineSoftmax<kBlockN> &softmax,
                                                 float (&o)[kO]) {
    float s[kS];              // [64, kBlockN] scores of tile j
    uint32_t pf[kPSteps][4];  // [64, kBlockN] P of tile j−1, packed, read by the running P·V
#pragma unroll
    for (int i = 0; i < kS; ++i) s[i] = 0.f;
    bool have_prev = false;
    PipelineState<kStages> prev;
    for_each_kv_tile(r, [&](int64_t j, auto partial) {
      ss_.k_pipe.wait_full(kv_state_);
      if constexpr (kPingPong) Turns::wait(wg_);
      issue_qk(s, kv_state_.stage);
      if (have_prev) {
        ss_.v_pipe.wait_full(prev);
        issue_pv(o, pf, prev.stage);
      } else {
        // An empty group in place of the P·V, so that the waits below are the same on both
        // paths: ptxas tracks wgmma groups per path and would otherwise serialise every wgmma.
        wgmma_commit();
      }
      if constexpr (kPingPong) Turns::pass(wg_);
      wgmma_wait<1>();  // S_j done; P_{j-1}·V_{j-1} may still run
      fence_operands(s);
      if (lane_ == 0) ss_.k_pipe.release(kv_state_);
      transform_scores<decltype(partial)::value>(s, j);
      float rescale[2];
      softmax.update(s, scale_log2(), rescale);
      wgmma_wait<0>();
      fence_operands(o);
      fence_operands(pf);
      if (have_prev && lane_ == 0) ss_.v_pipe.release(prev);
      OnlineSoftmax<kBlockN>::rescale_rows(o, rescale);
      pack_p(s, pf);
      prev = kv_state_;
      have_prev = true;
      kv_state_.advance();
    });
    if (have_prev) {
      ss_.v_pipe.wait_full(prev);
      issue_pv(o, pf, prev.stage);
      wgmma_wait<0>();
      fence_operands(o);
      fence_operands(pf);
      if (lane_ == 0) ss_.v_pipe.release(prev);
    }
  }

  // S = Q·K_stageᵀ over kHeadDim / 16 k steps (committed as one group, not waited for).
  __device__ __forceinline__ void issue_qk(float (&s)[kS], int stage) {
    const uint32_t q_addr = smem_addr(ss_.q);
    const uint32_t k_addr = smem_addr(ss_.k[stage]);
    fence_operands(s);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < kHeadDim / 16; ++kk)
      SGemm::ss(s, desc_k_major<QTile>(q_addr, wg_ * 64, kk), desc_k_major<KvTile>(k_addr, 0, kk),
                /*accumulate=*/kk > 0);
    wgmma_commit();
    fence_operands(s);
  }

  // O += P·V_stage over kBlockN / 16 k steps (one group, not waited for).
  __device__ __forceinline__ void issue_pv(float (&o)[kO], uint32_t (&pf)[kPSteps][4], int stage) {
    const uint32_t v_addr = smem_addr(ss_.v[stage]);
    fence_operands(o);
    fence_operands(pf);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < kPSteps; ++kk)
      OGemm::template rs<1>(o, pf[kk], desc_mn_major<KvTile>(v_addr, kk), /*accumulate=*/1);
    wgmma_commit();
    fence_operands(o);
  }

  // Score hook on every tile, mask on partial ones; the (q, k) tokens of each accumulator.
  template <bool kPartial>
  __device__ __forceinline__ void transform_scores(float (&s)[kS], int64_t j) {
    if constexpr (!Variant::kHasScore && !kPartial) return;
    if constexpr (Variant::kHasScore)
#pragma unroll
      for (int c = 0; c < kBlockN / 8; ++c)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          // Keys of a sequence tile are this thread's first key plus a compile-time column,
          // which the hook's key-affine terms use (split); a grid's keys are tokens of a box.
          const int col = 8 * c + (i % 2);
          int64_t first;
          int offset;
          if constexpr (Geometry::kIsGrid) {
            first = Geometry::kv_col(p_, j, col + 2 * (lane_ % 4)).token;
            offset = 0;
          } else {
            first = Geometry::kv_col(p_, j, 2 * (lane_ % 4)).token;
            offset = col;
          }
          s[4 * c + i] = Variant::score(p_, s[4 * c + i] * p_.scale, tile_.batch, tile_.head,
                                        rows_[i / 2].token, first, offset);
        }
    if constexpr (kPartial) {
      if constexpr (kRowKeyIntervals > 0)
        drop_outside_row_keys(s, j);
      else
        drop_masked(s, j);
    }
  }

  // Partial tile, general mask: -inf where the mask drops the pair or the key is invalid.
  // Accumulator 4c + 2r + i is row r's score at column 8c + 2·(lane % 4) + i; each column's
  // key part of the mask is read once for both rows.
  __device__ __forceinline__ void drop_masked(float (&s)[kS], int64_t j) {
#pragma unroll
    for (int c = 0; c < kBlockN / 8; ++c)
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        const auto k = Geometry::kv_col(p_, j, 8 * c + 2 * (lane_ % 4) + i);
        if constexpr (Geometry::kIsGrid) {
          // The mask at the coordinates the geometry has, per pair.
#pragma unroll
          for (int r = 0; r < 2; ++r)
            if (!(k.valid && Variant::keep_at(p_, tile_.batch, tile_.head, rows_[r].token,
                                              k.token, rows_[r].at, k.at)))
              s[4 * c + 2 * r + i] = kNegInf;
        } else {
          const auto key = Variant::mask_key(p_, tile_.batch, tile_.head, k.token);
#pragma unroll
          for (int r = 0; r < 2; ++r)
            if (!(k.valid && Variant::keep(p_, tile_.batch, tile_.head, rows_[r].token, k.token,
                                           mask_rows_[r], key)))
              s[4 * c + 2 * r + i] = kNegInf;
        }
      }
  }

  // Partial tile, a mask with row keys: each row's kept scores as a 32-bit mask built once per
  // tile from its intervals (hooks.h, row_key_bits), one bit test per score. The intervals
  // hold valid keys only, so there is no key bound either.
  __device__ __forceinline__ void drop_outside_row_keys(float (&s)[kS], int64_t j) {
    static_assert(kBlockN <= 128, "at most 32 scores of a row per thread");
    const int32_t first = int32_t(j) * kBlockN + 2 * (lane_ % 4);
    uint32_t kept[2] = {0u, 0u};
#pragma unroll
    for (int r = 0; r < 2; ++r)
#pragma unroll
      for (int n = 0; n < kRowKeyIntervals; ++n)
        kept[r] |= row_key_bits(row_keys_[r].lo[n] - first, row_keys_[r].hi[n] - first);
#pragma unroll
    for (int c = 0; c < kBlockN / 8; ++c)
#pragma unroll
      for (int i = 0; i < 4; ++i)
        if (!(kept[i / 2] >> (2 * c + i % 2) & 1u)) s[4 * c + i] = kNegInf;
  }

  // The accumulators of S n-tiles 2kk and 2kk+1 are exactly the A fragment of P·V k step kk,
  // rounded to the element type (as FlashAttention does).
  __device__ __forceinline__ static void pack_p(const float (&s)[kS], uint32_t (&pf)[kPSteps][4]) {
#pragma unroll
    for (int kk = 0; kk < kPSteps; ++kk)
#pragma unroll
      for (int r = 0; r < 4; ++r)
        pf[kk][r] = ElementTraits<Element>::pack(s[8 * kk + 2 * r], s[8 * kk + 2 * r + 1]);
  }

  // O / l → global (epilogue.cuh; rows past seqlen_q are dropped), LSE if asked for.
  __device__ __forceinline__ void store(const OnlineSoftmax<kBlockN> &softmax, const float (&o)[kO]) {
    float inv_sum[2], lse[2];
    float sink = kNegInf;  // no sink: plain softmax
    if constexpr (Variant::kHasSink) sink = Variant::sink(p_, tile_.batch, tile_.head);
    softmax.finish(Variant::kHasScore ? 1.f : p_.scale, sink, inv_sum, lse);
    // A tile of packed heads is not a box of one head's O: its rows are stored one by one.
    if constexpr (Shape::kTmaEpilogue && !Geometry::kPackedHeads)
      store_o_staged(o, inv_sum);
    else
      store_o_direct(o, inv_sum);
    if (p_.lse == nullptr || lane_ % 4 != 0) return;
#pragma unroll
    for (int r = 0; r < 2; ++r)
      if (rows_[r].valid)
        p_.lse[tile_.batch * p_.lse_batch_stride + row_head(r) * p_.lse_head_stride +
               rows_[r].token] = lse[r];
  }

  // The tile row of this thread's accumulator row r (of 2).
  __device__ __forceinline__ int tile_row(int r) const {
    return wg_ * 64 + warp_ * 16 + lane_ / 4 + 8 * r;
  }

  // The q head of accumulator row r: the tile's, plus the row's place in its group where the
  // tile packs the heads of a group (geometry.h; 0 otherwise). Asked of the geometry again
  // rather than kept in rows_, where it would hold two registers through the kv loop.
  __device__ __forceinline__ int64_t row_head(int r) const {
    if constexpr (Geometry::kPackedHeads)
      return tile_.head + Geometry::q_row(p_, tile_.q_tile, tile_row(r)).head;
    else
      return tile_.head;
  }

  // Accumulator 4c + 2r + i of O is row r's column 8c + 2·(lane % 4) + i: a pair per c and r.
  __device__ __forceinline__ static uint32_t o_pair(const float (&o)[kO], const float (&inv_sum)[2],
                                                    int c, int r) {
    return ElementTraits<Element>::pack(o[4 * c + 2 * r] * inv_sum[r], o[4 * c + 2 * r + 1] * inv_sum[r]);
  }

  __device__ __forceinline__ void store_o_direct(const float (&o)[kO], const float (&inv_sum)[2]) {
    Element *out =
        static_cast<Element *>(p_.o) + tile_.batch * p_.o_batch_stride + 2 * (lane_ % 4);
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      if (!rows_[r].valid) continue;
      Element *row = out + row_head(r) * p_.o_head_stride + rows_[r].token * p_.o_row_stride;
#pragma unroll
      for (int c = 0; c < kHeadDim / 8; ++c)
        *reinterpret_cast<uint32_t *>(row + 8 * c) = o_pair(o, inv_sum, c, r);
    }
  }

  // The warpgroup's rows into its O tile in shared memory, then one TMA copy to global.
  __device__ __forceinline__ void store_o_staged(const float (&o)[kO], const float (&inv_sum)[2]) {
    using Stage = OStage<kHeadDim>;
    unsigned char *tile = ss_.o[wg_];
    Stage::acquire(wg_, issues_o_copies());
#pragma unroll
    for (int r = 0; r < 2; ++r)
#pragma unroll
      for (int c = 0; c < kHeadDim / 8; ++c)
        Stage::put(tile, warp_ * 16 + lane_ / 4 + 8 * r, 8 * c + 2 * (lane_ % 4), o_pair(o, inv_sum, c, r));
    Stage::release(wg_, issues_o_copies(), maps_.o, tile, int(tile_.q_tile) * kBlockM + wg_ * 64,
                   tile_.head, tile_.batch);
  }
  __device__ __forceinline__ bool issues_o_copies() const { return warp_ == 0 && lane_ == 0; }

  const attn_forward_params &p_;
  const attn_forward_tensor_maps &maps_;
  ForwardSharedStorage<Traits> &ss_;
  const int wg_, warp_, lane_;  // consumer warpgroup, warp within it, lane
  WorkTile tile_;
  typename Geometry::Token rows_[2];  // the q rows of this thread's accumulator rows (r, r + 8)
  RowKeys<kRowKeyIntervals> row_keys_[2];  // their keys, where the variant has row keys
  typename Variant::MaskRow mask_rows_[2];  // else the mask's reads of each row (hoisted)
  PipelineState<1> q_state_;
  PipelineState<kStages> kv_state_;
};

}  // namespace attn::device::sm90
