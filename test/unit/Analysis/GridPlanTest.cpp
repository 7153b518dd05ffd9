// The N-d grid plan (planGridQTile, as both kernel families place their kv boxes) against brute
// force. For random 2-d and 3-d grids, q and kv box shapes and masks over grid coordinates, each
// q tile's visits must
//   - cover every key some query of the tile keeps, exactly once (boxes never overlap: a key
//     seen twice would count twice in the softmax),
//   - never be Empty-only (every visited box keeps a pair: the masks here are exact per axis),
//   - be Full only where the box lies inside the grid and keeps every pair of the tile.
// And the cost chooseGridKvBox compares, the boxes the kernel visits (it skips a box only where
// one interval evaluation finds it empty), is at least the plan's, which bisects.
#include "compiler/Analysis/GridKvBox.h"
#include "compiler/Analysis/TileClassifier.h"
#include "test/unit/Analysis/MaskTestSupport.h"

#include <random>

using namespace mlir;
using namespace mlir::attn;
using attnc::test::maskFromSpec;

namespace {

using Rng = std::mt19937_64;

int64_t uniform(Rng &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

struct GridMaskCase {
  const char *mask;
  int rank;
};

const GridMaskCase kCases[] = {
    {"neighborhood(5)", 2},
    {"neighborhood(3, 2)", 2},
    {"neighborhood_y(5, 1) && causal_neighborhood_x(3, 1)", 2},
    {"swin(4, 2)", 2},
    {"abs(qy - ky) <= 2 && abs(qx - kx) <= 1", 2},
    {"neighborhood(3)", 3},
    {"causal_neighborhood_t(2, 1) && neighborhood_y(3, 1) && neighborhood_x(5, 1)", 3},
};

/// Row-major coordinates of `token` on `sizes`.
std::vector<int64_t> coordsOf(int64_t token, const std::vector<int64_t> &sizes) {
  std::vector<int64_t> c(sizes.size());
  for (size_t a = sizes.size(); a-- > 0;) {
    c[a] = token % sizes[a];
    token /= sizes[a];
  }
  return c;
}

TEST(GridPlan, CoversEveryKeptKeyOnceAndClassifiesSoundly) {
  Rng rng(11);
  MLIRContext context;
  for (const GridMaskCase &c : kCases)
    for (int trial = 0; trial < 6; ++trial) {
      std::vector<int64_t> sizes, qBox, kvBox;
      for (int a = 0; a < c.rank; ++a) {
        sizes.push_back(c.rank == 3 && a == 0 ? uniform(rng, 2, 5) : uniform(rng, 5, 19));
        qBox.push_back(uniform(rng, 1, std::min<int64_t>(sizes[a], 6)));
        kvBox.push_back(uniform(rng, 1, std::min<int64_t>(sizes[a], 6)));
      }
      auto mask = maskFromSpec(context, c.mask, sizes);
      ASSERT_TRUE(mask.op) << c.mask;
      TileClassifier classifier(mask.op);
      GridTiling tiling;
      tiling.sizes = sizes;
      tiling.qBox = qBox;
      tiling.kvBox = kvBox;
      const int64_t tokens = tiling.tokens();
      attnc::spec::Env env{0, 0, 0, 0, tokens, tokens};
      env.grid = &sizes;
      auto keep = [&](int64_t q, int64_t k) {
        env.q = q;
        env.k = k;
        return attnc::spec::evaluateMask(mask.expr(), env).value_or(false);
      };
      auto inBox = [&](const std::vector<int64_t> &at, const std::vector<int64_t> &origin,
                       const std::vector<int64_t> &box) {
        for (size_t a = 0; a < at.size(); ++a)
          if (at[a] < origin[a] || at[a] >= origin[a] + box[a])
            return false;
        return true;
      };
      int64_t planned = 0;
      for (int64_t qTile = 0; qTile < tiling.qTileCount(); ++qTile) {
        std::vector<int64_t> qOrigin = tiling.qTileCoords(qTile);
        for (size_t a = 0; a < qOrigin.size(); ++a)
          qOrigin[a] *= qBox[a];
        std::vector<int64_t> queries;
        for (int64_t q = 0; q < tokens; ++q)
          if (inBox(coordsOf(q, sizes), qOrigin, qBox))
            queries.push_back(q);
        const std::vector<KvTileVisit> visits = planGridQTile(classifier, tiling, qTile);
        planned += int64_t(visits.size());
        const std::string where = std::string(c.mask) + ", q tile " + std::to_string(qTile);
        std::vector<int> seen(tokens, 0);
        for (const KvTileVisit &visit : visits) {
          const std::vector<int64_t> origin = coordsOf(visit.tile, sizes);
          bool cut = false, anyKept = false, allKept = true;
          for (size_t a = 0; a < origin.size(); ++a)
            cut |= origin[a] + kvBox[a] > sizes[a];
          for (int64_t k = 0; k < tokens; ++k) {
            if (!inBox(coordsOf(k, sizes), origin, kvBox))
              continue;
            ++seen[k];
            for (int64_t q : queries) {
              const bool kept = keep(q, k);
              anyKept |= kept;
              allKept &= kept;
            }
          }
          EXPECT_TRUE(anyKept) << where << ": a visited box keeps nothing";
          if (visit.tileClass == TileClass::Full) {
            EXPECT_TRUE(allKept && !cut) << where << ": a Full box drops a pair";
          }
        }
        for (int64_t k = 0; k < tokens; ++k) {
          EXPECT_LE(seen[k], 1) << where << ": key " << k << " is in two boxes";
          bool kept = false;
          for (int64_t q : queries)
            kept |= keep(q, k);
          if (kept) {
            EXPECT_EQ(seen[k], 1) << where << ": kept key " << k << " is in no box";
          }
        }
      }
      EXPECT_GE(countGridKvVisits(classifier, tiling), planned) << c.mask;
    }
}

TEST(GridPlan, TheChosenKvBoxVisitsFewest) {
  MLIRContext context;
  const std::vector<int64_t> sizes{96, 96}, qBox{8, 16};
  auto mask = maskFromSpec(context, "neighborhood(13)", sizes);
  ASSERT_TRUE(mask.op);
  // A 13x13 window around 8x16 queries spans 20x28 keys: five 4x32 boxes, six 8x16 ones.
  EXPECT_EQ(chooseGridKvBox(mask.op, sizes, qBox, 128, {8, 16}), (std::vector<int64_t>{4, 32}));
}

// Which kernels tile a grid in N-d, and with which boxes: every kernel family on 2 or 3 axes,
// a q box of block_m tokens and a kv box of block_n; a grid of one axis (and no grid) is the
// token sequence.
TEST(GridPlan, EveryKernelFamilyTilesGridsOfTwoOrThreeAxes) {
  MLIRContext context;
  const attnc::target::TileConfig sm80{128, 32, 4, 2};
  const attnc::target::TileConfig sm90{128, 128, 12, 2, /*warpgroups=*/2};
  auto image = maskFromSpec(context, "neighborhood(13)", {96, 96});
  ASSERT_TRUE(image.op);
  std::optional<GridBoxes> boxes = chooseGridTiling(image.op, sm80);
  ASSERT_TRUE(boxes);
  // 32-key boxes over the 20x28 keys of an 8x16 q box: 4x8 takes 5 x 4 of them.
  EXPECT_EQ(boxes->q, (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(boxes->kv, (std::vector<int64_t>{4, 8}));
  boxes = chooseGridTiling(image.op, sm90);
  ASSERT_TRUE(boxes);
  EXPECT_EQ(boxes->q, (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(boxes->kv, (std::vector<int64_t>{4, 32}));

  auto line = maskFromSpec(context, "neighborhood(13)", {4096});
  ASSERT_TRUE(line.op);
  EXPECT_FALSE(chooseGridTiling(line.op, sm80));
  EXPECT_FALSE(chooseGridTiling(line.op, sm90));
}

} // namespace
