// Element types and the few numeric primitives the kernels share.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace attn::device {

// Scores are exponentiated as exp2(s · scale · log2(e) − m · scale · log2(e)): one FFMA and one
// MUFU.EX2 per element instead of a multiply plus the slower natural exp.
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kNegInf = -__builtin_huge_valf();

__device__ __forceinline__ float exp2_approx(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));  // ex2(-inf) = +0
  return y;
}

// The end of one row's softmax, with an optional sink logit σ (off-by-one softmax, gpt-oss
// attention sinks): σ joins the denominator as one more logit with no value row. `row_max` is the
// row's running max in natural units (scale already applied), `row_sum` = Σ e^(s_k − row_max)
// over the kept keys. Combined max-stably, with m' = max(row_max, σ):
//   l' = row_sum · e^(row_max − m') + e^(σ − m'),  O = acc · e^(row_max − m') / l',  LSE = m' + ln l'.
// Returns the factor for O (e^(row_max − m') / l') and writes LSE. A row with no kept key
// (row_sum = 0) gets O = 0 and LSE = σ. σ = −inf is plain softmax bit for bit: m' = row_max,
// e^0 = 1 and e^(−inf) = 0 exactly.
__device__ __forceinline__ float finish_row(float row_max, float row_sum, float sink, float &lse) {
  if (!(row_sum > 0.f)) {
    lse = sink;
    return 0.f;
  }
  const float m = fmaxf(row_max, sink);
  const float rescale = expf(row_max - m);  // ≤ 1; exactly 1 when row_max ≥ σ
  const float l = row_sum * rescale + expf(sink - m);
  lse = m + logf(l);
  return rescale / l;
}

template <class T>
struct ElementTraits;

template <>
struct ElementTraits<__nv_bfloat16> {
  __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&v);
  }
};

template <>
struct ElementTraits<__half> {
  __device__ __forceinline__ static uint32_t pack(float lo, float hi) {
    __half2 v = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t *>(&v);
  }
};

}  // namespace attn::device
