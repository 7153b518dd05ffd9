// Hand-written test variants of the sm_90a forward kernel, in the form attnc will emit them
// (forward.cuh: kHasScore, kHasSink, kRowKeyIntervals, kv_tiles, keep, row_keys, score, sink,
// and NoMaskReads' mask_row and mask_key). Causal masks are aligned bottom-right.
#pragma once

#include "attn/abi.h"
#include "attn/device/hooks.h"
#include "attn/device/interval.h"
#include "attn/device/sm90/kv_scan.cuh"

namespace attn_sm90_test {

using attn::device::ceil_div_i64;
using attn::device::floor_div_i64;
using attn::device::KvTiles;
using attn::device::max_i64;
using attn::device::min_i64;

// Every key kept; only the last kv tile (when seqlen_k is not a multiple of kBlockN) is partial.
template <int kBlockM, int kBlockN>
struct Dense : attn::device::NoMaskReads {
  static constexpr bool kHasScore = false;
  static constexpr bool kHasSink = false;
  static constexpr int kRowKeyIntervals = 0;  // partial tiles call keep()
  __device__ static attn::device::RowKeys<0> row_keys(const attn_forward_params &, int64_t) {
    return {};
  }
  __device__ static KvTiles kv_tiles(const attn_forward_params &p, int, int, int64_t) {
    return {0, 0, p.seqlen_k / kBlockN, ceil_div_i64(p.seqlen_k, kBlockN)};
  }
  __device__ static bool keep(const attn_forward_params &, int, int, int64_t, int64_t, const MaskRow &,
                              const MaskKey &) {
    return true;
  }
  __device__ static float score(const attn_forward_params &, float s, int, int, int64_t, int64_t,
                                int) {
    return s;
  }
};

// k <= q + (skv − sq), closed-form bounds.
template <int kBlockM, int kBlockN>
struct Causal : attn::device::NoMaskReads {
  static constexpr bool kHasScore = false;
  static constexpr bool kHasSink = false;
  static constexpr int kRowKeyIntervals = 0;  // partial tiles call keep()
  __device__ static attn::device::RowKeys<0> row_keys(const attn_forward_params &, int64_t) {
    return {};
  }
  __device__ static KvTiles kv_tiles(const attn_forward_params &p, int, int, int64_t q_tile) {
    const int64_t off = int64_t(p.seqlen_k) - p.seqlen_q;
    const int64_t q_lo = q_tile * kBlockM;
    const int64_t q_hi = min_i64(q_lo + kBlockM, p.seqlen_q) - 1;
    const int64_t end = max_i64(0, min_i64(floor_div_i64(q_hi + off, kBlockN) + 1, ceil_div_i64(p.seqlen_k, kBlockN)));
    // Tile j is full when its last key is visible from the first row and inside seqlen_k.
    const int64_t full_end = max_i64(0, min_i64(min_i64(floor_div_i64(q_lo + off + 1, kBlockN), p.seqlen_k / kBlockN), end));
    return {0, 0, full_end, end};
  }
  __device__ static bool keep(const attn_forward_params &p, int, int, int64_t q, int64_t k,
                              const MaskRow &, const MaskKey &) {
    return k <= q + (int64_t(p.seqlen_k) - p.seqlen_q);
  }
  __device__ static float score(const attn_forward_params &, float s, int, int, int64_t, int64_t,
                                int) {
    return s;
  }
};

// A causal sliding window of kLeft keys before the diagonal: q + off − kLeft <= k <= q + off.
// Generic path: bounds from the warp-level interval scan (kv_scan.cuh), as attnc emits for masks
// without a closed form.
template <int kBlockM, int kBlockN>
struct Window : attn::device::NoMaskReads {
  static constexpr bool kHasScore = false;
  static constexpr bool kHasSink = false;
  static constexpr int kRowKeyIntervals = 0;  // partial tiles call keep()
  __device__ static attn::device::RowKeys<0> row_keys(const attn_forward_params &, int64_t) {
    return {};
  }
  static constexpr int64_t kLeft = 300;  // not a multiple of any tile size
  struct MaskBox {
    int64_t off;
    __device__ attn::device::Tri operator()(attn::device::Interval q, attn::device::Interval k) const {
      using namespace attn::device;
      const Interval diag = iv_add(q, iv_point(off));
      return tri_and(iv_le(k, diag), iv_ge(k, iv_sub(diag, iv_point(kLeft))));
    }
  };
  __device__ static KvTiles kv_tiles(const attn_forward_params &p, int, int, int64_t q_tile) {
    return attn::device::sm90::warp_scan_kv_tiles(q_tile, p.seqlen_q, p.seqlen_k, kBlockM, kBlockN,
                                                  MaskBox{int64_t(p.seqlen_k) - p.seqlen_q});
  }
  __device__ static bool keep(const attn_forward_params &p, int, int, int64_t q, int64_t k,
                              const MaskRow &, const MaskKey &) {
    const int64_t diag = q + (int64_t(p.seqlen_k) - p.seqlen_q);
    return k <= diag && k >= diag - kLeft;
  }
  __device__ static float score(const attn_forward_params &, float s, int, int, int64_t, int64_t,
                                int) {
    return s;
  }
};

// Causal with a tanh soft cap on the scaled score: s ← kCap · tanh(s / kCap).
template <int kBlockM, int kBlockN>
struct Softcap : Causal<kBlockM, kBlockN> {
  static constexpr bool kHasScore = true;
  static constexpr float kCap = 2.f;  // small, so that the cap changes the result visibly
  __device__ static float score(const attn_forward_params &, float s, int, int, int64_t, int64_t,
                                int) {
    return kCap * attn::device::tanh_f32(s * (1.f / kCap));
  }
};

}  // namespace attn_sm90_test
