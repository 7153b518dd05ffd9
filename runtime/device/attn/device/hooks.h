// Types and helpers shared by generated variant hooks and the kernels that call them.
//
// Everything here compiles for the device (nvcc) and for the host (any C++17 compiler): the
// emitted mask and kv-bound hooks are also compiled for the host, where tests run them through
// a reference loop. Keep it free of CUDA-only constructs.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <type_traits>

#include "attn/abi.h"

#if defined(__CUDACC__)
#include <cuda_fp16.h>
#endif

#if defined(__CUDACC__)
#define ATTN_HD __host__ __device__ __forceinline__
#else
#define ATTN_HD inline
#endif

// Unrolls the loop that follows under nvcc: loops over the axes of a grid must unroll there, or
// the per-axis arrays they index leave registers for local memory. Nothing on the host.
#if defined(__CUDACC__)
#define ATTN_UNROLL _Pragma("unroll")
#else
#define ATTN_UNROLL
#endif

namespace attn::device {

// The kv tiles one q tile visits, as kv-tile indices: [full_begin, full_end) are full (every pair
// kept and in bounds, no mask code), [begin, full_begin) and [full_end, end) are partial (the mask
// and the key bound are evaluated per element), everything else is empty and never loaded.
struct KvTiles {
  int64_t begin;
  int64_t full_begin;
  int64_t full_end;
  int64_t end;
};

// Two kv ranges of one q tile, for masks whose rows keep two disjoint intervals of keys (a sink
// and a window): `low` lies below `high` (low.end <= high.begin) and the tiles between them are
// empty, never loaded. The kernel visits high first, then low, each from its top tile down.
struct KvTilesPair {
  KvTiles high;
  KvTiles low;
};

// The keys one query row keeps (tile.row_keys): k with lo[i] <= k <= hi[i] for some interval i,
// all of them valid keys (the ends are clamped to [0, skv] and [-1, skv - 1], so they fit 32 bits
// and an empty interval has lo > hi). A kernel tests a partial tile's keys against them.
template <int N>
struct RowKeys {
  int32_t lo[N];
  int32_t hi[N];
};

// A mask with no row keys (kRowKeyIntervals = 0): its partial tiles evaluate the mask.
template <>
struct RowKeys<0> {};

// The hoisted reads of a mask that reads no runtime tensor, for hand-written sm_90a variants
// (sm90/forward.cuh's contract; attnc emits mask_row and mask_key for every mask).
struct NoMaskReads {
  struct MaskRow {};
  struct MaskKey {};
  ATTN_HD static MaskRow mask_row(const attn_forward_params &, int, int, int64_t) { return {}; }
  ATTN_HD static MaskKey mask_key(const attn_forward_params &, int, int, int64_t) { return {}; }
};

// The first tile a range visits (its top one), or -1 when it visits none.
ATTN_HD int64_t first_tile(const KvTiles &r) { return r.end > r.begin ? r.end - 1 : -1; }
// The first tile of two ranges: high's top tile, else low's.
ATTN_HD int64_t first_tile(const KvTilesPair &r) {
  const int64_t high = first_tile(r.high);
  return high >= 0 ? high : first_tile(r.low);
}

// Integer helpers of the emitted hooks, in the 32-bit form (where attnc's index ranges prove
// the operands and result fit, compiler/Codegen/IndexRanges.h) and the 64-bit one.
//
// Division rounding toward -inf / +inf (C++ `/` truncates toward zero). Tile bounds divide
// offsets such as q - (sq - skv) that can be negative when sq > skv.
//
// C division and remainder, made total: a mask such as `k != 0 && q / k > 1` is emitted as
// straight-line code that computes q / k even where k == 0 and the && then discards it, so a zero
// divisor must not trap (on the host) or be undefined behaviour. The result there is 0.
template <class T>
struct IntOps {
  ATTN_HD static T floor_div(T a, T b) {
    const T q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
  ATTN_HD static T ceil_div(T a, T b) { return -floor_div(-a, b); }
  ATTN_HD static T div_or_zero(T a, T b) { return b == 0 ? 0 : a / b; }
  ATTN_HD static T rem_or_zero(T a, T b) { return b == 0 ? 0 : a % b; }
  ATTN_HD static T min(T a, T b) { return a < b ? a : b; }
  ATTN_HD static T max(T a, T b) { return a > b ? a : b; }
  // math.ctlz of the value as an int64, whatever T holds it in: 64 for 0, 0 for negatives.
  ATTN_HD static T ctlz(T a) {
    const uint64_t bits = uint64_t(int64_t(a));
#if defined(__CUDA_ARCH__)
    return T(__clzll(int64_t(bits)));
#else
    return bits == 0 ? T(64) : T(__builtin_clzll(bits));
#endif
  }
  // arith.shli made total: a shift outside [0, bits) gives 0 instead of poison. Shifted as
  // unsigned so that a negative a is not undefined behaviour.
  // arith.shrsi made total: a shift past the width gives the sign (0 or -1).
  ATTN_HD static T shr(T a, T s) {
    if (s < 0 || s >= T(8 * sizeof(T))) return a < 0 ? T(-1) : T(0);
    return a >> s;  // arithmetic for negative a on every compiler attnc supports
  }
  ATTN_HD static T shl(T a, T s) {
    return s < 0 || s >= T(8 * sizeof(T)) ? T(0) : T(std::make_unsigned_t<T>(a) << s);
  }
};
#define ATTN_INT_HELPERS(T, suffix)                                                          \
  ATTN_HD T floor_div##suffix(T a, T b) { return IntOps<T>::floor_div(a, b); }               \
  ATTN_HD T ceil_div##suffix(T a, T b) { return IntOps<T>::ceil_div(a, b); }                 \
  ATTN_HD T div_or_zero##suffix(T a, T b) { return IntOps<T>::div_or_zero(a, b); }           \
  ATTN_HD T rem_or_zero##suffix(T a, T b) { return IntOps<T>::rem_or_zero(a, b); }           \
  ATTN_HD T min##suffix(T a, T b) { return IntOps<T>::min(a, b); }                           \
  ATTN_HD T max##suffix(T a, T b) { return IntOps<T>::max(a, b); }                           \
  ATTN_HD T ctlz##suffix(T a) { return IntOps<T>::ctlz(a); }                                 \
  ATTN_HD T shl##suffix(T a, T s) { return IntOps<T>::shl(a, s); }                           \
  ATTN_HD T shr##suffix(T a, T s) { return IntOps<T>::shr(a, s); }
ATTN_INT_HELPERS(int32_t, _i32)
ATTN_INT_HELPERS(int64_t, _i64)
#undef ATTN_INT_HELPERS
ATTN_HD int64_t abs_i64(int64_t a) { return a < 0 ? -a : a; }

// Row keys (RowKeys above) in the sm_90a kernel: a consumer thread's scores of one row in a
// kv tile are the columns 8·(i / 2) + i % 2 (bit i, i < 32) past its lane's first column. The
// bits of those in [lo, hi] (relative to that first column): a row's kept scores are one mask
// per tile, and each score tests a bit.
ATTN_HD uint32_t row_key_bits(int32_t lo, int32_t hi) {
  // The first bit at or above lo and the last at or below hi: columns are 0 and 1 mod 8.
  const int32_t first = lo <= 0 ? 0 : 2 * (lo >> 3) + min_i32(lo & 7, 2);
  const int32_t last = hi < 0 ? -1 : min_i32(2 * (hi >> 3) + min_i32(hi & 7, 1), 31);
  if (first > last) return 0u;
  return (0xffffffffu >> (31 - last)) & (0xffffffffu << first);
}

// f32 math for score hooks. On the device these use the SFU's exp2/log2 approximations (relative
// error about 2^-22, against the several-instruction accurate libm paths); the host keeps libm,
// where tests compare hooks with a double reference. tanh(x) = 1 - 2 / (e^{2x} + 1) keeps the
// absolute error near 1e-7 and saturates correctly: e^{2x} = inf gives 1, e^{2x} = 0 gives -1.
ATTN_HD float exp_f32(float x) {
#if defined(__CUDA_ARCH__)
  return __expf(x);
#else
  return expf(x);
#endif
}
ATTN_HD float exp2_f32(float x) { return exp2f(x); }
ATTN_HD float log_f32(float x) {
#if defined(__CUDA_ARCH__)
  return __logf(x);
#else
  return logf(x);
#endif
}
// Division is an IEEE-exact subroutine with a slow path in CUDA; scores need no such division.
ATTN_HD float div_f32(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdividef(a, b);  // 2 ulp for |b| in [2^-126, 2^126]
#else
  return a / b;
#endif
}
ATTN_HD float tanh_f32(float x) {
#if defined(__CUDA_ARCH__)
  return 1.f - __fdividef(2.f, __expf(2.f * x) + 1.f);
#else
  return tanhf(x);
#endif
}

// Runtime tensors (tile.read): the element offset of an index, then a load of one element
// converted to what expressions compute with (int64 for i32 tensors, f32 for the others).
template <class... Index>
ATTN_HD int64_t tensor_offset(const attn_runtime_tensor &t, Index... index) {
  static_assert(sizeof...(Index) >= 1 && sizeof...(Index) <= ATTN_MAX_TENSOR_RANK,
                "one index per dimension of a runtime tensor");
  const int64_t indices[] = {int64_t(index)...};
  int64_t offset = 0;
  for (int d = 0; d < int(sizeof...(Index)); ++d) offset += indices[d] * t.strides[d];
  return offset;
}

// Read-only for the whole launch, so the device may use the non-coherent (texture) path.
template <class T>
ATTN_HD T load_readonly(const void *data, int64_t offset) {
#if defined(__CUDA_ARCH__)
  return __ldg(static_cast<const T *>(data) + offset);
#else
  return static_cast<const T *>(data)[offset];
#endif
}

ATTN_HD int64_t read_i32(const attn_runtime_tensor &t, int64_t offset) {
  return load_readonly<int32_t>(t.data, offset);
}
ATTN_HD float read_f32(const attn_runtime_tensor &t, int64_t offset) {
  return load_readonly<float>(t.data, offset);
}
// bf16 is the top half of an f32: widening is a shift, exact.
ATTN_HD float read_bf16(const attn_runtime_tensor &t, int64_t offset) {
  const uint32_t bits = uint32_t(load_readonly<uint16_t>(t.data, offset)) << 16;
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}
// f16 → f32, exact. The host decodes the bits itself (no CUDA headers there).
ATTN_HD float read_f16(const attn_runtime_tensor &t, int64_t offset) {
  const uint16_t bits = load_readonly<uint16_t>(t.data, offset);
#if defined(__CUDA_ARCH__)
  return __half2float(__ushort_as_half(bits));
#else
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  const float sign = (bits & 0x8000) ? -1.f : 1.f;
  if (exponent == 0) return sign * ldexpf(float(mantissa), -24);  // zero, subnormal
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * ldexpf(float(mantissa | 0x400), exponent - 25);
#endif
}

}  // namespace attn::device
