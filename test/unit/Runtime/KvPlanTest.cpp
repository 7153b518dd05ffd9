// attn/device/kv_plan.h: where a call's kv plan entries lie, and what an entry holds, against
// the scan it replaces and brute-force classification of a mask of scattered runs of keys.
#include "attn/device/kv_plan.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

using attn::device::Interval;
using attn::device::KvPlanLayout;
using attn::device::KvTiles;
using attn::device::PlannedKvTiles;
using attn::device::Tri;

attn_forward_params shape(int32_t batch, int32_t heads, int32_t sq, int32_t skv) {
  attn_forward_params p{};
  p.batch = batch;
  p.heads_q = heads;
  p.seqlen_q = sq;
  p.seqlen_k = skv;
  return p;
}

TEST(KvPlan, EntriesTileTheBufferInBatchHeadQTileOrder) {
  const attn_forward_params p = shape(3, 5, 1000, 4000);
  for (bool per_head : {false, true}) {
    const KvPlanLayout plan = attn::device::kv_plan_layout(p, 128, 128, per_head);
    EXPECT_EQ(plan.q_tiles, 8);
    EXPECT_EQ(plan.words, 1) << "32 kv tiles: one word per set";
    EXPECT_EQ(plan.entry_words(), 6);
    EXPECT_EQ(plan.total_words(3), 3 * (per_head ? 5 : 1) * 8 * 6);
    // Every (b, h, q tile) has an entry of its own, and they fill the buffer; without h the heads
    // of (b, q tile) share one.
    std::vector<int> owners(plan.total_words(3) / plan.entry_words(), 0);
    for (int64_t b = 0; b < 3; ++b)
      for (int64_t h = 0; h < 5; ++h)
        for (int64_t t = 0; t < 8; ++t) {
          const int64_t at = plan.entry(b, h, t);
          ASSERT_EQ(at % plan.entry_words(), 0);
          ASSERT_LT(at / plan.entry_words(), int64_t(owners.size()));
          EXPECT_EQ(at == plan.entry(b, 0, t), !per_head || h == 0);
          if (per_head || h == 0)
            ++owners[at / plan.entry_words()];
        }
    for (size_t i = 0; i < owners.size(); ++i)
      EXPECT_EQ(owners[i], 1) << "entry " << i;
  }
}

TEST(KvPlan, BitsStopPastTheMappedTiles) {
  EXPECT_EQ(attn::device::kv_plan_words(1), 1);
  EXPECT_EQ(attn::device::kv_plan_words(33), 2);
  EXPECT_EQ(attn::device::kv_plan_words(attn::device::kMaxPlannedKvTiles), 64);
  EXPECT_EQ(attn::device::kv_plan_words(attn::device::kMaxPlannedKvTiles + 1), 0);
  const attn_forward_params p = shape(1, 1, 128, (2048 + 1) * 128);
  EXPECT_EQ(attn::device::kv_plan_layout(p, 128, 128, false).entry_words(), 4)
      << "bounds only: the kernel walks them as a range";
}

// The kernel walks a plan without bits (too many tiles) as words of range_bits.
TEST(KvPlan, RangeBitsAreTheTilesInTheRange) {
  for (int64_t lo = -40; lo <= 72; ++lo)
    for (int64_t hi = -40; hi <= 72; ++hi) {
      uint32_t expected = 0;
      for (int64_t i = 0; i < 32; ++i)
        if (lo <= i && i < hi)
          expected |= 1u << i;
      ASSERT_EQ(attn::device::range_bits(lo, hi), expected) << "[" << lo << ", " << hi << ")";
    }
}

// Keys kept in runs of random length and gap, the same for every query row of a tile except
// that rows past `split` also keep key 0 (so the first tile of such a q tile is partial).
struct Runs {
  std::vector<bool> kept;
  int64_t split;
  Tri operator()(Interval q, Interval k) const {
    bool any = false, all = true;
    for (int64_t i = q.lo; i <= q.hi; ++i)
      for (int64_t j = k.lo; j <= k.hi; ++j) {
        const bool keep = kept[j] || (i >= split && j == 0);
        any |= keep;
        all &= keep;
      }
    return {any, !all};
  }
};

TEST(KvPlan, EntryMarksExactlyTheClassesOfTheScan) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t block_m = 64, block_n = trial % 2 ? 32 : 48;
    const int64_t skv = 1 + rng() % 3000, sq = 1 + rng() % 300;
    Runs mask{std::vector<bool>(skv, false), int64_t(rng() % 300)};
    // Alternating runs of dropped and kept keys; short gaps in a third of the trials.
    bool keep = false;
    for (int64_t k = 0; k < skv; keep = !keep)
      for (int64_t n = 1 + rng() % (keep ? 150 : trial % 3 ? 200 : 20); n > 0 && k < skv; --n)
        mask.kept[k++] = keep;
    const int64_t tiles = (skv + block_n - 1) / block_n;
    const int64_t words = attn::device::kv_plan_words(tiles);
    for (int64_t q_tile = 0; q_tile * block_m < sq; ++q_tile) {
      std::vector<uint32_t> entry(4 + 2 * words, 0xdeadbeefu);
      attn::device::plan_kv_tile_entry(entry.data(), q_tile, sq, skv, block_m, block_n, mask);
      const PlannedKvTiles planned = attn::device::read_kv_plan_entry(entry.data(), words);
      const KvTiles scanned =
          attn::device::scan_kv_tiles(q_tile, sq, skv, block_m, block_n, mask);
      EXPECT_EQ(planned.bounds.begin, scanned.begin);
      EXPECT_EQ(planned.bounds.full_begin, scanned.full_begin);
      EXPECT_EQ(planned.bounds.full_end, scanned.full_end);
      EXPECT_EQ(planned.bounds.end, scanned.end);
      ASSERT_NE(planned.kept, nullptr);
      const Interval q{q_tile * block_m, std::min((q_tile + 1) * block_m, sq) - 1};
      for (int64_t j = 0; j < tiles; ++j) {
        const Interval k{j * block_n, std::min((j + 1) * block_n, skv) - 1};
        const Tri c = mask(q, k);
        SCOPED_TRACE("trial " + std::to_string(trial) + ", q tile " + std::to_string(q_tile) +
                     ", kv tile " + std::to_string(j));
        EXPECT_EQ(planned.has(planned.kept, j), c.may_true);
        EXPECT_EQ(planned.has(planned.full, j),
                  c.may_true && !c.may_false && (j + 1) * block_n <= skv);
      }
      // Bits past the last tile stay clear.
      for (int64_t j = tiles; j < 32 * words; ++j)
        EXPECT_FALSE(planned.has(planned.kept, j) || planned.has(planned.full, j));
    }
  }
}

} // namespace
