// The tile heuristics: pinned answers for the shapes we measured, and the
// invariants every config must keep for every problem and target.
#include "compiler/Target/TileHeuristics.h"

#include <gtest/gtest.h>

using namespace attnc::target;

namespace {

Target sm(std::string_view name) { return *lookupTarget(name); }

TEST(TileHeuristics, HeadDim128UsesNarrowKvTilesToAvoidSpills) {
  // 128 O + 32 S accumulators per thread: the config measured spill-free.
  for (std::string_view arch : {"sm_80", "sm_90a"}) {
    TileConfig config = chooseForwardConfig({128, 2}, sm(arch));
    EXPECT_EQ(config.blockM, 128);
    EXPECT_EQ(config.blockN, 32);
    EXPECT_EQ(config.numWarps, 4);
    EXPECT_EQ(config.accumulatorRegisters({128, 2}), 160);
  }
}

TEST(TileHeuristics, HeadDim64UsesWiderKvTiles) {
  TileConfig config = chooseForwardConfig({64, 2}, sm("sm_90a"));
  EXPECT_EQ(config.blockM, 128);
  EXPECT_EQ(config.blockN, 64);
  EXPECT_EQ(config.smemBytes({64, 2}), (128 + 2 * 64) * 64 * 2);
}

TEST(TileHeuristics, EveryConfigSatisfiesTheTileDialectRules) {
  for (const Target &target : allTargets())
    for (int64_t headDim : {16, 32, 64, 128, 256}) {
      TileProblem problem{headDim, 2};
      TileConfig config = chooseForwardConfig(problem, target);
      SCOPED_TRACE(std::string(target.name) + " d" + std::to_string(headDim));
      // The #tile.config verifier's rules.
      EXPECT_GE(config.numWarps, 1);
      EXPECT_EQ(config.blockM % (16 * config.numWarps), 0);
      EXPECT_EQ(config.blockN % 16, 0);
      EXPECT_GE(config.stages, 1);
      EXPECT_LE(config.smemBytes(problem), target.maxSmemPerBlock);
      // The cp.async loaders give every thread the same number of chunks.
      EXPECT_EQ((config.blockN * headDim * 2 / 16) % config.threads(), 0);
      if (headDim <= 128)
        EXPECT_LE(config.accumulatorRegisters(problem), kMaxAccumulatorRegisters);
    }
}

TEST(TileHeuristics, IsAPureFunction) {
  TileConfig a = chooseForwardConfig({128, 2}, sm("sm_80"));
  TileConfig b = chooseForwardConfig({128, 2}, sm("sm_80"));
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(a.str(), "128x32, 4 warps, 2 stages");
}

TEST(Targets, LookupAcceptsBothSpellings) {
  EXPECT_EQ(sm("sm_90a").sm, 90);
  EXPECT_EQ(lookupTarget("80")->name, "sm_80");
  EXPECT_FALSE(lookupTarget("sm_75").has_value());
  EXPECT_EQ(targetNames(), "sm_80, sm_90a");
}

} // namespace
