// The interval images of runtime/device/attn/device/interval.h that emitted mask_box hooks call,
// against brute force: for random small intervals, every value the op can produce lies in the
// image (sound), and for the monotone ops the image is exactly the hull of those values.
#include "attn/device/interval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace {

using attn::device::Interval;
using attn::device::IntOps;

Interval randomInterval(std::mt19937_64 &rng, int64_t lo, int64_t hi, int64_t width) {
  std::uniform_int_distribution<int64_t> start(lo, hi), extent(0, width);
  const int64_t first = start(rng);
  return {first, std::min(hi, first + extent(rng))};
}

TEST(IntervalImages, LeadingZerosAreExact) {
  std::mt19937_64 rng(41);
  for (int i = 0; i < 20000; ++i) {
    // Across zero and the sign, and values around powers of two.
    const Interval a = i % 2 ? randomInterval(rng, -40, 300, 40)
                             : randomInterval(rng, (int64_t(1) << 40) - 50, (int64_t(1) << 40) + 50, 60);
    int64_t lo = 64, hi = 0;
    for (int64_t v = a.lo; v <= a.hi; ++v) {
      lo = std::min(lo, IntOps<int64_t>::ctlz(v));
      hi = std::max(hi, IntOps<int64_t>::ctlz(v));
    }
    const Interval image = attn::device::iv_ctlz(a);
    ASSERT_LE(image.lo, lo) << "[" << a.lo << ", " << a.hi << "]";
    ASSERT_GE(image.hi, hi) << "[" << a.lo << ", " << a.hi << "]";
    if (a.lo > 0 || a.hi < 0) {
      ASSERT_EQ(image.lo, lo) << "[" << a.lo << ", " << a.hi << "]";
      ASSERT_EQ(image.hi, hi) << "[" << a.lo << ", " << a.hi << "]";
    }
  }
}

TEST(IntervalImages, ShiftsAreExactWhereTheyCannotWrap) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const Interval a = randomInterval(rng, 0, 1000, 30);
    const Interval s = randomInterval(rng, 0, 50, 6);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t x = a.lo; x <= a.hi; ++x)
      for (int64_t y = s.lo; y <= s.hi; ++y) {
        const int64_t v = std::min(IntOps<int64_t>::shl(x, y), attn::device::kIntervalBound);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    const Interval image = attn::device::iv_shl(a, s);
    ASSERT_EQ(image.lo, lo) << "[" << a.lo << ", " << a.hi << "] << [" << s.lo << ", " << s.hi << "]";
    ASSERT_EQ(image.hi, hi) << "[" << a.lo << ", " << a.hi << "] << [" << s.lo << ", " << s.hi << "]";
  }
  // Negative values and shifts past 62 are not followed: any int64.
  EXPECT_EQ(attn::device::iv_shl({-1, 3}, {0, 2}).lo, -attn::device::kIntervalBound);
  EXPECT_EQ(attn::device::iv_shl({1, 3}, {60, 63}).hi, attn::device::kIntervalBound);
}

TEST(IntervalImages, ArithmeticShiftsRightAreExact) {
  std::mt19937_64 rng(43);
  for (int i = 0; i < 20000; ++i) {
    const Interval a = randomInterval(rng, -500, 500, 60);
    const Interval s = randomInterval(rng, 0, 12, 4);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t x = a.lo; x <= a.hi; ++x)
      for (int64_t y = s.lo; y <= s.hi; ++y) {
        lo = std::min(lo, IntOps<int64_t>::shr(x, y));
        hi = std::max(hi, IntOps<int64_t>::shr(x, y));
      }
    const Interval image = attn::device::iv_shr(a, s);
    ASSERT_EQ(image.lo, lo) << "[" << a.lo << ", " << a.hi << "] >> [" << s.lo << ", " << s.hi << "]";
    ASSERT_EQ(image.hi, hi) << "[" << a.lo << ", " << a.hi << "] >> [" << s.lo << ", " << s.hi << "]";
  }
}

TEST(IntervalImages, HelpersAreTotal) {
  // ctlz in 32 bits counts as the int64 value does; shl outside [0, bits) is 0.
  EXPECT_EQ(IntOps<int32_t>::ctlz(1), 63);
  EXPECT_EQ(IntOps<int32_t>::ctlz(0), 64);
  EXPECT_EQ(IntOps<int32_t>::ctlz(-5), 0);
  EXPECT_EQ(IntOps<int64_t>::ctlz(int64_t(1) << 40), 23);
  EXPECT_EQ(IntOps<int32_t>::shl(1, 31), INT32_MIN);
  EXPECT_EQ(IntOps<int32_t>::shl(1, 32), 0);
  EXPECT_EQ(IntOps<int64_t>::shl(3, -1), 0);
  EXPECT_EQ(IntOps<int64_t>::shl(-1, 4), -16);
  EXPECT_EQ(IntOps<int32_t>::shr(-7, 1), -4);
  EXPECT_EQ(IntOps<int32_t>::shr(-7, 40), -1);
  EXPECT_EQ(IntOps<int64_t>::shr(7, 64), 0);
}

} // namespace
