// The sm_80 forward tile: one thread block computes O and LSE for kBlockM query rows of one
// (batch, head), FlashAttention-2 style (mma.sync, cp.async, online softmax in registers).
//
// Generated kernels drive it one primitive per tile-dialect op:
//
//   t.load_q(); t.load_k(first);
//   for each kv tile j (descending):                      // tile.kv_loop
//     t.wait_k(); t.load_v(j); t.mma_qk();                // S = Q·K_jᵀ while V_j streams in
//     t.apply_score(j, score);                            // variants with a score modification
//     t.apply_mask(j, mask);                              // partial tiles only
//     t.wait_v(); t.load_k(next);                         // K_next streams in during softmax + PV
//     t.online_softmax(); t.mma_pv();                     // P = exp2(..), O = O·rescale + P·V_j
//   t.epilogue(write_lse[, sink]);                        // O /= rowsum, LSE = m·scale + ln(rowsum)
//
// Which tokens a tile holds is the Traits' Geometry (attn/device/geometry.h; a run of tokens
// unless the Traits name one): a kernel that tiles a 2- or 3-d token grid in N-d has q tiles
// and kv tiles that are boxes of the grid, j is then a kv box's first token, and the kv loop
// walks the boxes of grid_kv_tiles.h. Every row of a tile is copied with its own cp.async from
// its token's address (a gather: cp.async takes any 16-byte-aligned global address per chunk),
// so a box costs what a run of tokens costs; rows outside the sequence or the grid are
// zero-filled, their scores dropped and their outputs not written. The hooks see each
// score's real query and key tokens, and on a grid their coordinates.
//
// Work split: warp w owns query rows [w·kRowsPerWarp, (w+1)·kRowsPerWarp) of the tile, as
// kMFrags fragments of 16 rows, and reads the whole K and V tiles. Within a fragment a lane
// holds rows lane/4 and lane/4 + 8 (see mma.cuh), so row reductions need only the 4 lanes of a
// quad (two xor-shuffles).
//
// Shared memory: Q [kBlockM, D] | K [kBlockN, D] | V [kBlockN, D], one buffer each. K is
// overwritten only after the barrier in wait_v (every warp is past mma_qk), V only after the one
// in wait_k (every warp is past the previous mma_pv).
#pragma once

#include <stdint.h>

#include "attn/abi.h"
#include "attn/device/geometry.h"
#include "attn/device/hooks.h"
#include "attn/device/numeric.cuh"
#include "attn/device/sm80/copy.cuh"
#include "attn/device/sm80/mma.cuh"
#include "attn/device/sm80/smem_tile.cuh"

namespace attn::device::sm80 {

template <class Traits>
class ForwardTile {
 public:
  using Element = typename Traits::Element;
  using Geometry = typename GeometryOf<Traits>::type;
  using Token = typename Geometry::Token;  // a row's token, valid or not (and on a grid, where)
  static constexpr int kHeadDim = Traits::kHeadDim;
  static constexpr int kBlockM = Traits::kBlockM;
  static constexpr int kBlockN = Traits::kBlockN;
  static constexpr int kNumWarps = Traits::kNumWarps;
  static constexpr int kThreads = kNumWarps * 32;
  static constexpr int kRowsPerWarp = kBlockM / kNumWarps;
  static constexpr int kMFrags = kRowsPerWarp / 16;  // 16-row mma fragments per warp
  static constexpr int kSTiles = kBlockN / 8;        // 8-column n-tiles of S
  static constexpr int kOTiles = kHeadDim / 8;       // 8-column n-tiles of O

  using QTile = SmemTile<Element, kBlockM, kHeadDim>;
  using KvTile = SmemTile<Element, kBlockN, kHeadDim>;
  static constexpr int kSmemBytes = QTile::kBytes + 2 * KvTile::kBytes;

  // With a score modification the scores are scaled (and modified) in apply_score, so softmax
  // and LSE work in natural units; without one the scale is folded into the exp2 argument.
  static constexpr bool kScoresPrescaled = Traits::kScoresPrescaled;

  static_assert(kRowsPerWarp % 16 == 0, "each warp owns whole 16-row mma fragments");
  static_assert(kBlockN % 16 == 0 && kHeadDim % 16 == 0, "tiles are multiples of the mma k=16");

  __device__ __forceinline__ ForwardTile(const attn_forward_params &p, char *smem)
      : p_(p),
        // Longest causal rows first: the highest q tiles have the most kv tiles, so launching
        // them first leaves the short ones to fill the tail of the grid.
        q_tile_(gridDim.x - 1 - blockIdx.x),
        head_(blockIdx.y),
        batch_(blockIdx.z),
        warp_(threadIdx.x / 32),
        lane_(threadIdx.x % 32) {
    sq_ = QTile{smem};
    sk_ = KvTile{smem + QTile::kBytes};
    sv_ = KvTile{smem + QTile::kBytes + KvTile::kBytes};
    // ldmatrix row/chunk of this lane (mma.cuh): A = Q rows, B = K rows, B trans = V rows.
    q_lane_ = QTile::offset(warp_ * kRowsPerWarp + (lane_ % 8) + ((lane_ / 8) % 2) * 8, lane_ / 16);
    k_lane_ = KvTile::offset((lane_ % 8) + (lane_ / 16) * 8, (lane_ / 8) % 2);
    v_lane_ = KvTile::offset((lane_ % 8) + ((lane_ / 8) % 2) * 8, lane_ / 16);
    const int kv_head = head_ / p.head_group;
    q_ = static_cast<const Element *>(p.q) + batch_ * p.q_batch_stride + head_ * p.q_head_stride;
    k_ = static_cast<const Element *>(p.k) + batch_ * p.k_batch_stride + kv_head * p.k_head_stride;
    v_ = static_cast<const Element *>(p.v) + batch_ * p.v_batch_stride + kv_head * p.v_head_stride;
#pragma unroll
    for (int mf = 0; mf < kMFrags; ++mf) {
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        row_max_[mf][half] = kNegInf;
        row_sum_[mf][half] = 0.f;
      }
#pragma unroll
      for (int nt = 0; nt < kOTiles; ++nt)
#pragma unroll
        for (int i = 0; i < 4; ++i) o_[mf][nt][i] = 0.f;
    }
  }

  __device__ __forceinline__ int q_tile() const { return q_tile_; }
  __device__ __forceinline__ int head() const { return head_; }
  __device__ __forceinline__ int batch() const { return batch_; }

  // tile.load_q: the q tile's rows → shared, zero where the row is invalid.
  __device__ __forceinline__ void load_q() {
    load_rows(sq_, q_, p_.q_row_stride, [&](int r) { return Geometry::q_row(p_, q_tile_, r); });
  }
  // tile.load {operand = k}: K rows of kv tile j → shared; j < 0 loads nothing.
  __device__ __forceinline__ void load_k(int64_t j) {
    if (j >= 0)
      load_rows(sk_, k_, p_.k_row_stride, [&](int r) { return Geometry::kv_col(p_, j, r); });
  }
  // tile.load {operand = v}
  __device__ __forceinline__ void load_v(int64_t j) {
    if (j >= 0)
      load_rows(sv_, v_, p_.v_row_stride, [&](int r) { return Geometry::kv_col(p_, j, r); });
  }
  // tile.wait: every copy issued so far has landed and is visible to all warps.
  __device__ __forceinline__ void wait_k() { wait_all(); }
  __device__ __forceinline__ void wait_v() { wait_all(); }

  // tile.mma_qk: S = Q · K_jᵀ, raw (unscaled) scores.     // [kRowsPerWarp, kBlockN] per warp
  __device__ __forceinline__ void mma_qk() {
#pragma unroll
    for (int mf = 0; mf < kMFrags; ++mf)
#pragma unroll
      for (int nt = 0; nt < kSTiles; ++nt)
#pragma unroll
        for (int i = 0; i < 4; ++i) s_[mf][nt][i] = 0.f;
#pragma unroll
    for (int kk = 0; kk < kHeadDim / 16; ++kk) {
      uint32_t a[kMFrags][4];
#pragma unroll
      for (int mf = 0; mf < kMFrags; ++mf) ldmatrix_x4(a[mf], sq_.at(q_lane_, mf, kk));
#pragma unroll
      for (int np = 0; np < kSTiles / 2; ++np) {
        uint32_t b[4];  // b0,b1 of n-tile 2np, then of n-tile 2np+1
        ldmatrix_x4(b, sk_.at(k_lane_, np, kk));
#pragma unroll
        for (int mf = 0; mf < kMFrags; ++mf) {
          Mma16816<Element>::run(s_[mf][2 * np], a[mf], b[0], b[1]);
          Mma16816<Element>::run(s_[mf][2 * np + 1], a[mf], b[2], b[3]);
        }
      }
    }
  }

  // tile.apply_score: s ← score(scale·s, q, k) for every pair of the tile, in f32. `score` is
  // the variant's score modification on tokens.
  template <class Score>
  __device__ __forceinline__ void apply_score(int64_t j, Score score) {
    static_assert(kScoresPrescaled, "a variant with a score modification sets kScoresPrescaled");
    for_each_score(j, [&](float &s, const Token &q, const Token &k) {
      s = score(s * p_.scale, q.token, k.token);
    });
  }

  // tile.apply_mask: scores of dropped pairs and of invalid keys (past seqlen_k, outside the
  // grid) become -inf. `keep` is the variant's mask predicate: on tokens, or on a grid on the
  // Token refs, whose coordinates it reads instead of dividing.
  template <class Keep>
  __device__ __forceinline__ void apply_mask(int64_t j, Keep keep) {
    for_each_score(j, [&](float &s, const Token &q, const Token &k) {
      bool kept;
      if constexpr (Geometry::kIsGrid)
        kept = keep(q, k);
      else
        kept = keep(q.token, k.token);
      if (!(k.valid && kept)) s = kNegInf;
    });
  }

  // tile.online_softmax: fold this tile's scores into the running max m and sum l of each row,
  // rescale O by exp2((m_old − m_new)·scale·log2e), and turn S into unnormalised P.
  __device__ __forceinline__ void online_softmax() {
    const float scale_log2 = kScoresPrescaled ? kLog2e : p_.scale_log2;
#pragma unroll
    for (int mf = 0; mf < kMFrags; ++mf)
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        float m = row_max_[mf][half];
#pragma unroll
        for (int nt = 0; nt < kSTiles; ++nt)
          m = fmaxf(m, fmaxf(s_[mf][nt][2 * half], s_[mf][nt][2 * half + 1]));
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
        m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
        // A row with no kept key so far has m = -inf; shifting by 0 instead keeps
        // exp2(-inf - shift) at 0 rather than exp2(-inf + inf) = NaN.
        const float shift = (m == kNegInf) ? 0.f : m * scale_log2;
        const float rescale = exp2_approx(row_max_[mf][half] * scale_log2 - shift);
        row_max_[mf][half] = m;
        float sum = 0.f;
#pragma unroll
        for (int nt = 0; nt < kSTiles; ++nt)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const float pe = exp2_approx(fmaf(s_[mf][nt][2 * half + e], scale_log2, -shift));
            s_[mf][nt][2 * half + e] = pe;
            sum += pe;
          }
        // The sum stays per-lane (this lane's columns); the quad reduces it once, in epilogue.
        row_sum_[mf][half] = row_sum_[mf][half] * rescale + sum;
#pragma unroll
        for (int nt = 0; nt < kOTiles; ++nt) {
          o_[mf][nt][2 * half] *= rescale;
          o_[mf][nt][2 * half + 1] *= rescale;
        }
      }
  }

  // tile.mma_pv: O += P · V_j, with P rounded to the element type (as FlashAttention does).
  __device__ __forceinline__ void mma_pv() {
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      // The C fragments of S n-tiles 2kk and 2kk+1 are exactly the A fragment of k-step kk.
      uint32_t a[kMFrags][4];
#pragma unroll
      for (int mf = 0; mf < kMFrags; ++mf) {
        a[mf][0] = ElementTraits<Element>::pack(s_[mf][2 * kk][0], s_[mf][2 * kk][1]);
        a[mf][1] = ElementTraits<Element>::pack(s_[mf][2 * kk][2], s_[mf][2 * kk][3]);
        a[mf][2] = ElementTraits<Element>::pack(s_[mf][2 * kk + 1][0], s_[mf][2 * kk + 1][1]);
        a[mf][3] = ElementTraits<Element>::pack(s_[mf][2 * kk + 1][2], s_[mf][2 * kk + 1][3]);
      }
#pragma unroll
      for (int dp = 0; dp < kOTiles / 2; ++dp) {
        uint32_t b[4];  // b0,b1 of d-tile 2dp, then of d-tile 2dp+1
        ldmatrix_x4_trans(b, sv_.at(v_lane_, kk, dp));
#pragma unroll
        for (int mf = 0; mf < kMFrags; ++mf) {
          Mma16816<Element>::run(o_[mf][2 * dp], a[mf], b[0], b[1]);
          Mma16816<Element>::run(o_[mf][2 * dp + 1], a[mf], b[2], b[3]);
        }
      }
    }
  }

  // tile.epilogue: O = O / l and LSE = m·scale + ln(l) per row, with the sink logit σ (−inf:
  // none) as one more logit of the denominator (numeric.cuh, finish_row). A row that kept no key
  // has l = 0: it gets O = 0 and LSE = σ (−inf without a sink), never 0/0.
  __device__ __forceinline__ void epilogue(bool write_lse, float sink = kNegInf) {
    cp_async_wait<0>();  // a q tile with no kv tiles still has its Q copy in flight
    Element *o = static_cast<Element *>(p_.o) + batch_ * p_.o_batch_stride + head_ * p_.o_head_stride;
    // The running max is in raw score units unless a score hook prescaled the scores.
    const float scale = kScoresPrescaled ? 1.f : p_.scale;
#pragma unroll
    for (int mf = 0; mf < kMFrags; ++mf)
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        float l = row_sum_[mf][half];
        l += __shfl_xor_sync(0xffffffffu, l, 1);
        l += __shfl_xor_sync(0xffffffffu, l, 2);
        float lse;
        const float inv_l = finish_row(row_max_[mf][half] * scale, l, sink, lse);
        const Token q = Geometry::q_row(p_, q_tile_, row_in_tile(mf, 2 * half));
        if (!q.valid) continue;
        const int64_t row = q.token;
        Element *o_row = o + row * p_.o_row_stride;
#pragma unroll
        for (int nt = 0; nt < kOTiles; ++nt) {
          const uint32_t packed = ElementTraits<Element>::pack(o_[mf][nt][2 * half] * inv_l,
                                                               o_[mf][nt][2 * half + 1] * inv_l);
          *reinterpret_cast<uint32_t *>(o_row + nt * 8 + (lane_ % 4) * 2) = packed;
        }
        if (write_lse && p_.lse != nullptr && lane_ % 4 == 0)
          p_.lse[batch_ * p_.lse_batch_stride + head_ * p_.lse_head_stride + row] = lse;
      }
  }

 private:
  // Row within the q tile of accumulator element i (0..3) of fragment mf for this lane.
  __device__ __forceinline__ int row_in_tile(int mf, int i) const {
    return warp_ * kRowsPerWarp + mf * 16 + lane_ / 4 + (i >= 2 ? 8 : 0);
  }

  // Calls f(score, q, k) on each score this lane holds for kv tile j, with the Token refs of
  // its query row and key column (geometry.h).
  template <class F>
  __device__ __forceinline__ void for_each_score(int64_t j, F f) {
#pragma unroll
    for (int mf = 0; mf < kMFrags; ++mf)
#pragma unroll
      for (int nt = 0; nt < kSTiles; ++nt)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          const Token q = Geometry::q_row(p_, q_tile_, row_in_tile(mf, i));
          const Token k = Geometry::kv_col(p_, j, nt * 8 + (lane_ % 4) * 2 + (i & 1));
          f(s_[mf][nt][i], q, k);
        }
  }

  // Row r of `tile` ← row token_of(r).token of `src`, one 16-byte cp.async per chunk; an invalid
  // row is zero-filled (src-size 0, the source address is then not read).
  template <class Tile, class TokenOf>
  __device__ __forceinline__ void load_rows(const Tile &tile, const Element *src, int64_t row_stride,
                                            TokenOf token_of) {
    constexpr int kChunks = Tile::kBytes / 16;
    static_assert(kChunks % kThreads == 0, "every thread copies the same number of chunks");
#pragma unroll
    for (int i = 0; i < kChunks / kThreads; ++i) {
      const int c = threadIdx.x + i * kThreads;
      const int row = c / Tile::kChunksPerRow;
      const int col = c % Tile::kChunksPerRow;
      const Token t = token_of(row);
      const Element *from =
          t.valid ? src + int64_t(t.token) * row_stride + col * Tile::kChunkElems : src;
      cp_async_16(tile.chunk(row, col), from, t.valid);
    }
    cp_async_commit();
  }

  __device__ __forceinline__ void wait_all() {
    cp_async_wait<0>();
    __syncthreads();
  }

  const attn_forward_params &p_;
  const int q_tile_, head_, batch_, warp_, lane_;
  QTile sq_;
  KvTile sk_, sv_;
  uint32_t q_lane_, k_lane_, v_lane_;  // this lane's ldmatrix byte offsets (SmemTile::at)
  const Element *q_, *k_, *v_;

  float s_[kMFrags][kSTiles][4];  // [kRowsPerWarp, kBlockN] scores, then probabilities
  float o_[kMFrags][kOTiles][4];  // [kRowsPerWarp, kHeadDim] unnormalised output
  float row_max_[kMFrags][2];     // running max of raw scores, per lane row
  float row_sum_[kMFrags][2];     // running sum of exp2(...) over this lane's columns
};

}  // namespace attn::device::sm80
