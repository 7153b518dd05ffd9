// Online softmax over the rows of a wgmma accumulator tile (wgmma.cuh has the layout: a thread
// holds 2 rows, lane/4 and lane/4 + 8 of its warp's 16, and kCols/8 pairs of columns of each;
// a row's 4 holders are the lanes of a quad).
//
// Per kv tile:  m' = max(m, rowmax(S));  P = exp2(S·c − m'·c);  l' = l·exp2((m − m')·c) + rowsum(P);
//               O' = O·exp2((m − m')·c) + P·V
// with c = scale·log2(e) when the scale is folded into the exponent (raw scores), or c = log2(e)
// when a score hook has already scaled them (natural units). exp2 is one FFMA and one MUFU.EX2.
// End: O /= l, LSE = m·(c / log2 e) + ln(l); with a sink logit σ, one more term e^σ in l
// (numeric.cuh, finish_row).
//
// Rows with no kept key: m stays -inf. Exponentiating against a shift of 0 instead of -inf keeps
// exp2(-inf − shift) = 0 (never exp2(-inf + inf) = NaN), so such a row ends with l = 0, and the
// epilogue writes O = 0 and LSE = σ (-inf without a sink).
#pragma once

#include "attn/device/numeric.cuh"

namespace attn::device::sm90 {

template <int kCols>
class OnlineSoftmax {
 public:
  static constexpr int kValues = kCols / 2;  // accumulators per thread, 2 rows × kCols/4

  __device__ __forceinline__ OnlineSoftmax() {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      max_[r] = kNegInf;
      sum_[r] = 0.f;
    }
  }

  // Folds S into the running max and sum and turns it into unnormalised P in place. Returns in
  // `rescale` the factor for each row's O accumulated so far.
  __device__ __forceinline__ void update(float (&s)[kValues], float scale_log2, float (&rescale)[2]) {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float m = max_[r];
#pragma unroll
      for (int c = 0; c < kCols / 8; ++c) m = fmaxf(m, fmaxf(s[4 * c + 2 * r], s[4 * c + 2 * r + 1]));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
      const float shift = (m == kNegInf) ? 0.f : m * scale_log2;
      rescale[r] = exp2_approx(max_[r] * scale_log2 - shift);
      max_[r] = m;
      float sum = 0.f;
#pragma unroll
      for (int c = 0; c < kCols / 8; ++c)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          float &x = s[4 * c + 2 * r + e];
          x = exp2_approx(fmaf(x, scale_log2, -shift));
          sum += x;
        }
      // Per-lane partial sum (this lane's columns); the quad adds them up once, in finish().
      sum_[r] = sum_[r] * rescale[r] + sum;
    }
  }

  // O rows ← O rows · rescale, for an accumulator tile of any width.
  template <int kN>
  __device__ __forceinline__ static void rescale_rows(float (&o)[kN], const float (&rescale)[2]) {
#pragma unroll
    for (int c = 0; c < kN / 4; ++c)
#pragma unroll
      for (int i = 0; i < 4; ++i) o[4 * c + i] *= rescale[i / 2];
  }

  // After the last tile: the factor for O per row (1/l, 0 for a row with no kept key) and its
  // LSE, natural log. `score_scale` converts the running max to natural units (the softmax
  // scale for raw scores, 1 for prescaled ones); `sink` is the sink logit σ (−inf: none).
  __device__ __forceinline__ void finish(float score_scale, float sink, float (&inv_sum)[2],
                                         float (&lse)[2]) const {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float l = sum_[r];
      l += __shfl_xor_sync(0xffffffffu, l, 1);
      l += __shfl_xor_sync(0xffffffffu, l, 2);
      inv_sum[r] = finish_row(max_[r] * score_scale, l, sink, lse[r]);
    }
  }

 private:
  float max_[2];  // running max of the scores of each row (raw or prescaled)
  float sum_[2];  // running sum of P over this lane's columns of each row
};

}  // namespace attn::device::sm90
