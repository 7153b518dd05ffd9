// attn::device::row_key_bits (attn/device/hooks.h): the sm_90a kernel's mask of a row's kept
// scores in a partial tile, against brute force over the 32 columns a thread holds.
#include "attn/device/hooks.h"

#include <gtest/gtest.h>

namespace {

TEST(RowKeyBits, MatchesTheColumnsInTheInterval) {
  for (int32_t lo = -20; lo <= 140; ++lo)
    for (int32_t hi = -20; hi <= 140; ++hi) {
      uint32_t expected = 0;
      for (int i = 0; i < 32; ++i) {
        const int32_t column = 8 * (i / 2) + i % 2;
        if (lo <= column && column <= hi)
          expected |= 1u << i;
      }
      ASSERT_EQ(attn::device::row_key_bits(lo, hi), expected) << "[" << lo << ", " << hi << "]";
    }
}

TEST(RowKeyBits, FarEndsKeepAllOrNothing) {
  EXPECT_EQ(attn::device::row_key_bits(-(1 << 30), 1 << 30), 0xffffffffu);
  EXPECT_EQ(attn::device::row_key_bits(1 << 30, 1 << 30), 0u);
  EXPECT_EQ(attn::device::row_key_bits(-(1 << 30), -1), 0u);
}

} // namespace
