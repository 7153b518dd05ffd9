// Interval images of the scalar ops a mask is made of, for classifying whole tiles at once.
//
// An i64 value over a box of (b, h, q, k) becomes the interval [lo, hi] of everything it can be;
// an i1 becomes the two facts "may be false" / "may be true". Every op below over-approximates
// (the true set of results lies inside the returned one), so a tile judged "never kept" really
// is empty and one judged "never dropped" really is full. Bounds saturate at ±kIntervalBound,
// far beyond any index, so sums and products of in-range values cannot overflow.
// Host and device alike: emitted mask_box hooks call these.
#pragma once

#include "attn/device/hooks.h"

namespace attn::device {

constexpr int64_t kIntervalBound = int64_t(1) << 61;

struct Interval {
  int64_t lo, hi;  // inclusive
};

struct Tri {
  bool may_false, may_true;
};

ATTN_HD int64_t iv_clamp(int64_t v) {
  return v < -kIntervalBound ? -kIntervalBound : (v > kIntervalBound ? kIntervalBound : v);
}
ATTN_HD Interval iv_point(int64_t v) { return {v, v}; }
ATTN_HD Interval iv_unknown() { return {-kIntervalBound, kIntervalBound}; }
ATTN_HD Interval iv_nonnegative() { return {0, kIntervalBound}; }
ATTN_HD Interval iv_int32() { return {-2147483648LL, 2147483647LL}; }
ATTN_HD Tri tri_const(bool v) { return {!v, v}; }
ATTN_HD Interval iv_hull4(int64_t a, int64_t b, int64_t c, int64_t d) {
  return {min_i64(min_i64(a, b), min_i64(c, d)), max_i64(max_i64(a, b), max_i64(c, d))};
}

ATTN_HD Interval iv_add(Interval a, Interval b) {
  return {iv_clamp(a.lo + b.lo), iv_clamp(a.hi + b.hi)};
}
ATTN_HD Interval iv_sub(Interval a, Interval b) {
  return {iv_clamp(a.lo - b.hi), iv_clamp(a.hi - b.lo)};
}
ATTN_HD Interval iv_mul(Interval a, Interval b) {
  // Products of values beyond 2^30 could overflow; indices never get there.
  const int64_t big = int64_t(1) << 30;
  if (a.lo < -big || a.hi > big || b.lo < -big || b.hi > big) return iv_unknown();
  return iv_hull4(a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi);
}
// x / y for y of one sign is monotone in x and in y, so its extremes over a box are at corners;
// truncating, flooring or ceiling a monotone function keeps it monotone.
template <class Div>
ATTN_HD Interval iv_divide(Interval a, Interval b, Div div) {
  if (b.lo <= 0 && b.hi >= 0) return iv_unknown();
  return iv_hull4(div(a.lo, b.lo), div(a.lo, b.hi), div(a.hi, b.lo), div(a.hi, b.hi));
}
struct TruncDiv {
  ATTN_HD int64_t operator()(int64_t x, int64_t y) const { return x / y; }
};
struct FloorDiv {
  ATTN_HD int64_t operator()(int64_t x, int64_t y) const { return floor_div_i64(x, y); }
};
struct CeilDiv {
  ATTN_HD int64_t operator()(int64_t x, int64_t y) const { return ceil_div_i64(x, y); }
};
ATTN_HD Interval iv_div(Interval a, Interval b) { return iv_divide(a, b, TruncDiv{}); }
ATTN_HD Interval iv_floor_div(Interval a, Interval b) { return iv_divide(a, b, FloorDiv{}); }
ATTN_HD Interval iv_ceil_div(Interval a, Interval b) { return iv_divide(a, b, CeilDiv{}); }
// C remainder: |a % b| < |b| with the sign of a; exact when a stays within one period.
ATTN_HD Interval iv_rem(Interval a, Interval b) {
  if (b.lo <= 0 && b.hi >= 0) return iv_unknown();
  const int64_t m = max_i64(abs_i64(b.lo), abs_i64(b.hi)) - 1;
  if (b.lo == b.hi && a.lo >= 0 && a.lo / b.lo == a.hi / b.lo) return {a.lo % b.lo, a.hi % b.lo};
  if (a.lo >= 0) return {0, min_i64(m, a.hi)};
  if (a.hi <= 0) return {max_i64(-m, a.lo), 0};
  return {-m, m};
}
// Leading zeros of an int64 fall as the value grows from 0, and are 0 for every negative.
ATTN_HD Interval iv_ctlz(Interval a) {
  if (a.lo > 0) return {IntOps<int64_t>::ctlz(a.hi), IntOps<int64_t>::ctlz(a.lo)};
  if (a.hi < 0) return iv_point(0);
  return {0, 64};
}
ATTN_HD int64_t iv_shl_saturated(int64_t a, int64_t s) {
  return a > (kIntervalBound >> s) ? kIntervalBound : a << s;
}
// a << s grows with both for a >= 0 and s in [0, 62]; anything else may wrap or be 0.
ATTN_HD Interval iv_shl(Interval a, Interval s) {
  if (a.lo < 0 || s.lo < 0 || s.hi > 62) return iv_unknown();
  return {iv_shl_saturated(a.lo, s.lo), iv_shl_saturated(a.hi, s.hi)};
}
// a >> s (arithmetic) is monotone in a, and in s for a of one sign: extremes at the corners.
ATTN_HD Interval iv_shr(Interval a, Interval s) {
  if (s.lo < 0 || s.hi > 63) return iv_unknown();
  return iv_hull4(a.lo >> s.lo, a.lo >> s.hi, a.hi >> s.lo, a.hi >> s.hi);
}
ATTN_HD Interval iv_min(Interval a, Interval b) { return {min_i64(a.lo, b.lo), min_i64(a.hi, b.hi)}; }
ATTN_HD Interval iv_max(Interval a, Interval b) { return {max_i64(a.lo, b.lo), max_i64(a.hi, b.hi)}; }

ATTN_HD Tri iv_lt(Interval a, Interval b) { return {a.hi >= b.lo, a.lo < b.hi}; }
ATTN_HD Tri iv_le(Interval a, Interval b) { return {a.hi > b.lo, a.lo <= b.hi}; }
ATTN_HD Tri iv_gt(Interval a, Interval b) { return iv_lt(b, a); }
ATTN_HD Tri iv_ge(Interval a, Interval b) { return iv_le(b, a); }
ATTN_HD Tri iv_eq(Interval a, Interval b) {
  const bool overlap = a.lo <= b.hi && b.lo <= a.hi;
  const bool same_point = a.lo == a.hi && b.lo == b.hi && a.lo == b.lo;
  return {!same_point, overlap};
}
ATTN_HD Tri iv_ne(Interval a, Interval b) {
  const Tri eq = iv_eq(a, b);
  return {eq.may_true, eq.may_false};
}

ATTN_HD Tri tri_and(Tri x, Tri y) { return {x.may_false || y.may_false, x.may_true && y.may_true}; }
ATTN_HD Tri tri_or(Tri x, Tri y) { return {x.may_false && y.may_false, x.may_true || y.may_true}; }
ATTN_HD Tri tri_xor(Tri x, Tri y) {
  return {(x.may_true && y.may_true) || (x.may_false && y.may_false),
          (x.may_true && y.may_false) || (x.may_false && y.may_true)};
}
ATTN_HD Interval iv_select(Tri c, Interval a, Interval b) {
  if (!c.may_false) return a;
  if (!c.may_true) return b;
  return {min_i64(a.lo, b.lo), max_i64(a.hi, b.hi)};
}
ATTN_HD Tri tri_select(Tri c, Tri a, Tri b) {
  if (!c.may_false) return a;
  if (!c.may_true) return b;
  return {a.may_false || b.may_false, a.may_true || b.may_true};
}

}  // namespace attn::device
