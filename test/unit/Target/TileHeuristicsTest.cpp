// The tile heuristics: pinned answers for the shapes we measured, and the
// invariants every config must keep for every problem and target.
#include "compiler/Target/TileHeuristics.h"

#include <gtest/gtest.h>

using namespace attnc::target;

namespace {

Target sm(std::string_view name) { return *lookupTarget(name); }

TEST(TileHeuristics, HeadDim128UsesNarrowKvTilesToAvoidSpills) {
  // 128 O + 32 S accumulators per thread: the config measured spill-free.
  TileConfig config = chooseForwardConfig({128, 2}, sm("sm_80"));
  EXPECT_EQ(config.blockM, 128);
  EXPECT_EQ(config.blockN, 32);
  EXPECT_EQ(config.numWarps, 4);
  EXPECT_FALSE(config.warpSpecialized());
  EXPECT_EQ(config.accumulatorRegisters({128, 2}), 160);
}

TEST(TileHeuristics, HeadDim64UsesWiderKvTiles) {
  TileConfig config = chooseForwardConfig({64, 2}, sm("sm_80"));
  EXPECT_EQ(config.blockM, 128);
  EXPECT_EQ(config.blockN, 64);
  EXPECT_EQ(config.smemBytes({64, 2}), (128 + 2 * 64) * 64 * 2);
}

// sm_90a: the warp-specialised kernel with the configs measured best
// (docs/notes/sm90-kernel.md); shared memory as forward_smem_bytes<Traits>()
// computes it (the numbers the notes quote).
TEST(TileHeuristics, Sm90HeadDim128Is128x128TwoStages) {
  for (MaskShape mask :
       {MaskShape::Dense, MaskShape::Causal, MaskShape::Other}) {
    TileProblem problem{128, 2, mask};
    TileConfig config = chooseForwardConfig(problem, sm("sm_90a"));
    EXPECT_TRUE(config.warpSpecialized());
    EXPECT_EQ(config.blockM, 128);
    EXPECT_EQ(config.blockN, 128);
    EXPECT_EQ(config.stages, 2);
    EXPECT_EQ(config.warpgroups, 2);
    EXPECT_EQ(config.numWarps, 12) << "a producer and two consumer warpgroups";
    EXPECT_EQ(config.threads(), 384);
    // 160 KiB of Q, K and V tiles, 32 KiB of O tiles for the TMA epilogue.
    EXPECT_EQ(config.epilogue, Epilogue::Tma);
    EXPECT_EQ(config.smemBytes(problem), 198656);
    // A fixed deal where every work tile costs the same, a counter where they differ.
    const Launch expected = mask == MaskShape::Dense ? Launch::Persistent : Launch::Dynamic;
    EXPECT_EQ(config.launch, expected) << launchName(config.launch);
  }
}

// A grid's q tiles are boxes of tokens, which the TMA epilogue's row boxes cannot store.
TEST(TileHeuristics, Sm90GridKernelsStoreDirectly) {
  TileProblem problem{128, 2, MaskShape::Other};
  problem.tilesGrid = true;
  TileConfig config = chooseForwardConfig(problem, sm("sm_90a"));
  EXPECT_EQ(config.str(), "128x128, 2 consumer warpgroups, 2 stages, dynamic");
  EXPECT_EQ(config.epilogue, Epilogue::Direct);
  EXPECT_EQ(config.smemBytes(problem), 165888);
}

TEST(TileHeuristics, Sm90HeadDim64WidensTilesWithoutAScoreHook) {
  const Target hopper = sm("sm_90a");
  TileConfig dense = chooseForwardConfig({64, 2, MaskShape::Dense}, hopper);
  EXPECT_EQ(dense.str(), "128x192, 2 consumer warpgroups, 3 stages, persistent, TMA epilogue");
  TileConfig causal = chooseForwardConfig({64, 2, MaskShape::Causal}, hopper);
  EXPECT_EQ(causal.str(), "192x128, 3 consumer warpgroups, 3 stages, dynamic, TMA epilogue");
  EXPECT_EQ(causal.threads(), 512);
  TileConfig other = chooseForwardConfig({64, 2, MaskShape::Other}, hopper);
  EXPECT_EQ(other.str(), "128x128, 2 consumer warpgroups, 3 stages, dynamic, TMA epilogue");
  EXPECT_EQ(other.smemBytes({64, 2}), 116736 + 128 * 128);
  TileConfig scored = chooseForwardConfig({64, 2, MaskShape::Causal, /*hasScore=*/true}, hopper);
  EXPECT_EQ(scored.str(), "128x128, 2 consumer warpgroups, 3 stages, dynamic, TMA epilogue");
}

TEST(TileHeuristics, Sm90HeadDim256FillsSharedMemory) {
  TileProblem problem{256, 2, MaskShape::Causal};
  TileConfig config = chooseForwardConfig(problem, sm("sm_90a"));
  EXPECT_EQ(config.str(), "128x80, 2 consumer warpgroups, 2 stages, dynamic");
  EXPECT_EQ(config.smemBytes(problem), 231424);
  EXPECT_EQ(config.epilogue, Epilogue::Direct) << "no room for 64 KiB of O tiles";
  EXPECT_LE(config.smemBytes(problem), sm("sm_90a").maxSmemPerBlock);
}

TEST(TileHeuristics, Sm90OtherHeadDimsUseTheMmaSyncKernel) {
  TileConfig config = chooseForwardConfig({32, 2, MaskShape::Dense}, sm("sm_90a"));
  EXPECT_FALSE(config.warpSpecialized());
  EXPECT_EQ(config.launch, Launch::Grid);
  EXPECT_EQ(config.numWarps, 4);
}

/// The #tile.config verifier's rules and the kernels' own constraints.
void expectValid(const TileConfig &config, const TileProblem &problem, const Target &target) {
  EXPECT_LE(config.smemBytes(problem), target.maxSmemPerBlock);
  if (config.warpSpecialized()) {
    EXPECT_EQ(target.sm, 90);
    EXPECT_GE(config.warpgroups, 1);
    EXPECT_LE(config.warpgroups, 3);
    EXPECT_EQ(config.blockM, 64 * config.warpgroups);
    EXPECT_EQ(config.numWarps, 4 * (1 + config.warpgroups));
    EXPECT_EQ(config.blockN % 16, 0);
    EXPECT_LE(config.blockN, 256);
    EXPECT_GE(config.stages, 2);
    return;
  }
  EXPECT_EQ(config.launch, Launch::Grid);
  EXPECT_GE(config.numWarps, 1);
  EXPECT_EQ(config.blockM % (16 * config.numWarps), 0);
  EXPECT_EQ(config.blockN % 16, 0);
  EXPECT_GE(config.stages, 1);
  // The cp.async loaders give every thread the same number of chunks.
  EXPECT_EQ((config.blockN * problem.headDim * 2 / 16) % config.threads(), 0);
  if (problem.headDim <= 128)
    EXPECT_LE(config.accumulatorRegisters(problem), kMaxAccumulatorRegisters);
}

TEST(TileHeuristics, EveryConfigSatisfiesTheTileDialectRules) {
  for (const Target &target : allTargets())
    for (int64_t headDim : {16, 32, 64, 128, 256})
      for (MaskShape mask :
           {MaskShape::Dense, MaskShape::Causal, MaskShape::Other})
        for (bool hasScore : {false, true}) {
          TileProblem problem{headDim, 2, mask, hasScore};
          TileConfig config = chooseForwardConfig(problem, target);
          SCOPED_TRACE(std::string(target.name) + " d" + std::to_string(headDim) + ": " +
                       config.str());
          expectValid(config, problem, target);
        }
}

TEST(TileHeuristics, IsAPureFunction) {
  TileConfig a = chooseForwardConfig({128, 2}, sm("sm_80"));
  TileConfig b = chooseForwardConfig({128, 2}, sm("sm_80"));
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(a.str(), "128x32, 4 warps, 2 stages");
  TileConfig c = chooseForwardConfig({128, 2, MaskShape::Dense}, sm("sm_90a"));
  TileConfig d = chooseForwardConfig({128, 2, MaskShape::Dense}, sm("sm_90a"));
  EXPECT_EQ(c.str(), d.str());
  EXPECT_EQ(c.str(), "128x128, 2 consumer warpgroups, 2 stages, persistent, TMA epilogue");
}

TEST(Targets, LookupAcceptsBothSpellings) {
  EXPECT_EQ(sm("sm_90a").sm, 90);
  EXPECT_EQ(lookupTarget("80")->name, "sm_80");
  EXPECT_FALSE(lookupTarget("sm_75").has_value());
  EXPECT_EQ(targetNames(), "sm_80, sm_90a");
}

} // namespace
