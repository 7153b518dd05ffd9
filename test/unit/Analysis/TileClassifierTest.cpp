// The tile classifier against brute force. For random problem shapes (sq and
// skv in [1, 700], either one the larger), tile sizes (16..128) and mask
// parameters, every tile of the grid (through planQTile) and random boxes
// that are not aligned to tiles are classified, and compared with the
// reference evaluator (evaluateMask of the spec's expression) run on every
// pair of the tile.
//
// The contract: never Empty when a pair is kept, never Full when a pair is
// dropped ("UNSOUND"). The structured masks and their combinations must also
// be exact: Empty iff no pair is kept, Full iff every pair is
// ("IMPRECISE" otherwise). Arbitrary arithmetic masks need only be sound.
#include "compiler/Analysis/TileClassifier.h"
#include "compiler/Spec/Builtins.h"
#include "test/unit/Analysis/MaskTestSupport.h"

#include <functional>
#include <iostream>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::attn;
using attnc::test::maskFromSpec;
using attnc::test::TestMask;

namespace {

using Rng = std::mt19937_64;

int64_t uniform(Rng &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

std::string str(int64_t value) { return "(" + std::to_string(value) + ")"; }

/// The reference: which pairs of one (b, h, sq, skv) problem a mask keeps,
/// evaluated pair by pair, with a summed-area table to count any rectangle.
class KeptPairs {
public:
  KeptPairs(const attnc::spec::Expr &mask, int64_t b, int64_t h, int64_t sq, int64_t skv)
      : sq(sq), skv(skv), sums((sq + 1) * (skv + 1), 0) {
    attnc::spec::Env env{b, h, 0, 0, sq, skv};
    for (env.q = 0; env.q < sq; ++env.q)
      for (env.k = 0; env.k < skv; ++env.k) {
        std::optional<bool> keep = attnc::spec::evaluateMask(mask, env);
        if (!keep) {
          ADD_FAILURE() << "the mask is undefined at q=" << env.q << " k=" << env.k;
          keep = false;
        }
        at(env.q + 1, env.k + 1) =
            *keep + at(env.q, env.k + 1) + at(env.q + 1, env.k) - at(env.q, env.k);
      }
  }

  struct Count {
    int64_t kept = 0;
    int64_t pairs = 0;
  };

  /// Pairs of rows [q0, q1] and keys [k0, k1] (inclusive), clipped to the
  /// problem, and how many of them are kept.
  Count count(Interval q, Interval k) const {
    int64_t q0 = std::max<int64_t>(q.lo, 0), q1 = std::min(q.hi + 1, sq);
    int64_t k0 = std::max<int64_t>(k.lo, 0), k1 = std::min(k.hi + 1, skv);
    if (q0 >= q1 || k0 >= k1)
      return {};
    return {at(q1, k1) - at(q0, k1) - at(q1, k0) + at(q0, k0), (q1 - q0) * (k1 - k0)};
  }

  TileClass classOf(Interval q, Interval k) const {
    Count c = count(q, k);
    if (c.kept == 0)
      return TileClass::Empty;
    return c.kept == c.pairs ? TileClass::Full : TileClass::Partial;
  }

private:
  int64_t &at(int64_t q, int64_t k) { return sums[q * (skv + 1) + k]; }
  int64_t at(int64_t q, int64_t k) const { return sums[q * (skv + 1) + k]; }

  int64_t sq, skv;
  std::vector<int64_t> sums;
};

bool isSound(TileClass got, TileClass want) {
  return !(got == TileClass::Empty && want != TileClass::Empty) &&
         !(got == TileClass::Full && want != TileClass::Full);
}

/// A family of masks: an expression with random parameters.
struct Family {
  std::string name;
  std::function<std::string(Rng &)> make;
  /// A built-in the family calls; skipped while the table lacks it.
  const char *needs = nullptr;
};

/// Window sizes: mostly a usual band, at times one of l, r negative, and
/// then possibly l + r < 0: a band that keeps nothing.
int64_t windowSide(Rng &rng) {
  return uniform(rng, 0, 4) == 0 ? uniform(rng, -40, 40) : uniform(rng, 0, 300);
}

std::string diagonal() { return "q + skv - sq"; }

std::string windowExpr(int64_t left, int64_t right) {
  return "k >= " + diagonal() + " - " + str(left) + " && k <= " + diagonal() + " + " + str(right);
}

std::vector<Family> exactFamilies() {
  return {
      {"none", [](Rng &) { return std::string("none"); }},
      {"causal", [](Rng &) { return std::string("causal"); }},
      {"causal_top_left", [](Rng &) { return std::string("causal_top_left"); }},
      {"window_arith",
       [](Rng &rng) { return windowExpr(windowSide(rng), windowSide(rng)); }},
      {"sink_arith", [](Rng &rng) { return "k < " + str(uniform(rng, 0, 720)); }},
      {"prefix_lm_arith", [](Rng &rng) { return "causal || k < " + str(uniform(rng, 0, 720)); }},
      {"causal_minus_sink",
       [](Rng &rng) { return "causal && !(k < " + str(uniform(rng, 0, 400)) + ")"; }},
      {"chunk_arith",
       [](Rng &rng) {
         std::string n = str(uniform(rng, 1, 300));
         return "(" + diagonal() + ") / " + n + " == k / " + n;
       }},
      {"block_diagonal_arith",
       [](Rng &rng) {
         std::string n = str(uniform(rng, 1, 300));
         return "q / " + n + " == k / " + n;
       }},
      {"sink_plus_window",
       [](Rng &rng) {
         return "k < " + str(uniform(rng, 0, 64)) + " || (k >= " + diagonal() + " - " +
                str(uniform(rng, 0, 300)) + " && causal)";
       }},
      {"select_on_head",
       [](Rng &rng) {
         return "h < 4 ? causal : (k >= " + diagonal() + " - " + str(uniform(rng, 0, 200)) +
                " && causal)";
       }},
      {"window_or_blocks",
       [](Rng &rng) {
         std::string n = str(uniform(rng, 1, 200));
         return "(causal && k >= " + diagonal() + " - " + str(uniform(rng, 0, 100)) +
                ") || q / " + n + " == k / " + n;
       }},
      {"abs_min",
       [](Rng &rng) {
         return "abs(q - k) <= " + str(uniform(rng, 0, 100)) + " || min(q, k) < " +
                str(uniform(rng, 0, 100));
       }},
      // The built-ins (compiler/Spec/Builtins.cpp).
      {"window",
       [](Rng &rng) {
         return "window(" + str(windowSide(rng)) + ", " + str(windowSide(rng)) + ")";
       },
       "window"},
      {"sink", [](Rng &rng) { return "sink(" + str(uniform(rng, 0, 720)) + ")"; }, "sink"},
      {"prefix", [](Rng &rng) { return "causal || prefix(" + str(uniform(rng, 0, 720)) + ")"; },
       "prefix"},
      {"chunk", [](Rng &rng) { return "chunk(" + str(uniform(rng, 1, 300)) + ")"; }, "chunk"},
      {"block_diagonal",
       [](Rng &rng) { return "block_diagonal(" + str(uniform(rng, 1, 300)) + ")"; },
       "block_diagonal"},
      {"streaming", // StreamingLLM: sink tokens and a causal window
       [](Rng &rng) {
         return "sink(" + str(uniform(rng, 0, 16)) + ") || window(" + str(uniform(rng, 0, 256)) +
                ", 0)";
       },
       "window"},
      {"chunked_causal",
       [](Rng &rng) { return "chunk(" + str(uniform(rng, 1, 256)) + ") && causal"; }, "chunk"},
      {"heads_mixed",
       [](Rng &rng) {
         return "h % 2 == 0 ? window(" + str(uniform(rng, 0, 128)) + ", 0) : block_diagonal(" +
                str(uniform(rng, 1, 128)) + ")";
       },
       "block_diagonal"},
  };
}

/// Masks with no structure; only soundness is required of them.
std::vector<Family> arbitraryFamilies() {
  return {
      {"mod_pattern", [](Rng &) { return std::string("(q * 7 + k * 3) % 11 < 5"); }},
      {"quotient", [](Rng &) { return std::string("q / (k + 1) > 2"); }},
      {"dilated",
       [](Rng &rng) { return "causal && (q - k) % " + str(uniform(rng, 1, 8)) + " == 0"; }},
      {"product", [](Rng &rng) { return "q * k < " + str(uniform(rng, 0, 250000)); }},
      {"key_stripes",
       [](Rng &rng) {
         return "k % " + str(uniform(rng, 1, 100)) + " < " + str(uniform(rng, 0, 50));
       }},
      {"signed_quotient",
       [](Rng &rng) {
         return "(q - k) / " + str(uniform(rng, 1, 50)) + " > " + str(uniform(rng, -5, 2));
       }},
      {"parity_band",
       [](Rng &rng) {
         return "max(q, k) - min(q, k) < " + str(uniform(rng, 0, 200)) + " && (q + k) % 2 == 0";
       }},
      {"hash", [](Rng &) { return std::string("(q * 7919 + k * 104729) % 1000003 == 5"); }},
      {"radial", // frames that straddle tiles, bands from all to one place
       [](Rng &rng) {
         return "radial(" + str(uniform(rng, 1, 200)) + ", " + str(uniform(rng, 1, 300)) +
                ") || sink(" + str(uniform(rng, 0, 64)) + ")";
       }},
  };
}

std::pair<int64_t, int64_t> randomLengths(Rng &rng) {
  int64_t n = uniform(rng, 1, 700);
  switch (uniform(rng, 0, 4)) {
  case 0: return {n, n};
  case 1: return {uniform(rng, 1, 40), n}; // decode-like: few queries
  case 2: return {n, uniform(rng, 1, 40)};
  default: return {n, uniform(rng, 1, 700)};
  }
}

int64_t randomTileSize(Rng &rng) {
  const int64_t sizes[] = {16, 32, 64, 128};
  return sizes[uniform(rng, 0, 3)];
}

struct Tally {
  int64_t decisions = 0;
  int64_t exact = 0;
};

/// Checks one decision; returns false after reporting a failure.
bool check(TileClass got, TileClass want, bool requireExact, Tally &tally,
           const std::function<std::string()> &where) {
  ++tally.decisions;
  tally.exact += got == want;
  if (!isSound(got, want)) {
    ADD_FAILURE() << "UNSOUND: " << where() << ": classified " << stringifyTileClass(got).str()
                  << ", brute force says " << stringifyTileClass(want).str();
    return false;
  }
  if (requireExact && got != want) {
    ADD_FAILURE() << "IMPRECISE: " << where() << ": classified "
                  << stringifyTileClass(got).str() << ", brute force says "
                  << stringifyTileClass(want).str();
    return false;
  }
  return true;
}

/// What planQTile should answer, from the reference: the kv tiles with a kept
/// pair, Partial where the tile runs past skv.
std::map<int64_t, TileClass> expectedVisits(const KeptPairs &pairs, const TileGrid &grid,
                                            int64_t qTile) {
  std::map<int64_t, TileClass> visits;
  Interval rows{qTile * grid.blockM, (qTile + 1) * grid.blockM - 1};
  for (int64_t tile = 0; tile * grid.blockN < grid.skv; ++tile) {
    Interval keys{tile * grid.blockN, (tile + 1) * grid.blockN - 1};
    TileClass tileClass = pairs.classOf(rows, keys);
    if (tileClass == TileClass::Empty)
      continue;
    visits[tile] = keys.hi >= grid.skv ? TileClass::Partial : tileClass;
  }
  return visits;
}

/// Random trials of one family: every tile of a random tiling, and random
/// boxes, some reaching past the ends of the sequences.
Tally runFamily(const Family &family, int trials, bool requireExact) {
  Tally tally;
  MLIRContext context;
  Rng rng(std::hash<std::string>()(family.name));
  for (int trial = 0; trial < trials; ++trial) {
    std::string expression = family.make(rng);
    auto [sq, skv] = randomLengths(rng);
    TileGrid grid{/*b=*/0, /*h=*/uniform(rng, 0, 7), sq, skv, randomTileSize(rng),
                  randomTileSize(rng)};
    TestMask mask = maskFromSpec(context, expression);
    if (!mask.op)
      return tally;
    KeptPairs pairs(mask.expr(), grid.b, grid.h, sq, skv);
    TileClassifier classifier(mask.op);
    std::string problem = family.name + " `" + expression + "` sq=" + std::to_string(sq) +
                          " skv=" + std::to_string(skv) + " h=" + std::to_string(grid.h);

    for (int64_t qTile = 0; qTile * grid.blockM < sq; ++qTile) {
      std::map<int64_t, TileClass> want = expectedVisits(pairs, grid, qTile), got;
      int64_t previous = -1;
      for (const KvTileVisit &visit : planQTile(classifier, grid, qTile)) {
        EXPECT_GT(visit.tile, previous) << "kv tiles out of order: " << problem;
        previous = visit.tile;
        got[visit.tile] = visit.tileClass;
      }
      for (int64_t tile = 0; tile * grid.blockN < skv; ++tile) {
        auto find = [](const std::map<int64_t, TileClass> &m, int64_t t) {
          auto it = m.find(t);
          return it == m.end() ? TileClass::Empty : it->second;
        };
        if (!check(find(got, tile), find(want, tile), requireExact, tally, [&] {
              return problem + " tiles " + std::to_string(grid.blockM) + "x" +
                     std::to_string(grid.blockN) + ", q tile " + std::to_string(qTile) +
                     ", kv tile " + std::to_string(tile);
            }))
          return tally;
      }
    }

    for (int box = 0; box < 40; ++box) {
      int64_t q0 = uniform(rng, 0, sq + 8), k0 = uniform(rng, 0, skv + 8);
      Interval q{q0, q0 + uniform(rng, 0, 200)}, k{k0, k0 + uniform(rng, 0, 200)};
      MaskBox maskBox{Interval::point(grid.b), Interval::point(grid.h), q, k,
                      Interval::point(sq),     Interval::point(skv)};
      if (!check(classifier.classify(maskBox), pairs.classOf(q, k), requireExact, tally, [&] {
            return problem + " box q [" + std::to_string(q.lo) + ", " + std::to_string(q.hi) +
                   "] k [" + std::to_string(k.lo) + ", " + std::to_string(k.hi) + "]";
          }))
        return tally;
    }
  }
  return tally;
}

class ExactFamily : public ::testing::TestWithParam<Family> {};

TEST_P(ExactFamily, MatchesBruteForceOnEveryTile) {
  const Family &family = GetParam();
  if (family.needs && !attnc::spec::lookupBuiltin(family.needs))
    GTEST_SKIP() << "the built-in '" << family.needs << "' is not in the table yet";
  runFamily(family, /*trials=*/30, /*requireExact=*/true);
}

INSTANTIATE_TEST_SUITE_P(TileClassifier, ExactFamily, ::testing::ValuesIn(exactFamilies()),
                         [](const auto &info) { return info.param.name; });

class ArbitraryFamily : public ::testing::TestWithParam<Family> {};

TEST_P(ArbitraryFamily, IsSound) {
  Tally tally = runFamily(GetParam(), /*trials=*/10, /*requireExact=*/false);
  // Not a requirement; shows how much of the precision survives.
  std::cout << "[ info     ] " << GetParam().name << ": " << tally.exact << " of "
            << tally.decisions << " decisions exact\n";
}

INSTANTIATE_TEST_SUITE_P(TileClassifier, ArbitraryFamily,
                         ::testing::ValuesIn(arbitraryFamilies()),
                         [](const auto &info) { return info.param.name; });

TEST(TileClassifier, CausalTilesOfA300By300Problem) {
  // 128x32 tiles (head_dim 128 on sm_80). Row r keeps keys k <= r.
  MLIRContext context;
  TestMask mask = maskFromSpec(context, "causal");
  ASSERT_TRUE(mask.op);
  TileClassifier classifier(mask.op);
  TileGrid grid{0, 0, /*sq=*/300, /*skv=*/300, /*blockM=*/128, /*blockN=*/32};
  auto plan = [&](int64_t qTile) {
    std::string text;
    for (const KvTileVisit &visit : planQTile(classifier, grid, qTile))
      text += std::to_string(visit.tile) + stringifyTileClass(visit.tileClass).substr(0, 1).str() +
              " ";
    return text;
  };
  // Rows 0..127: every key tile below 128 crosses the diagonal.
  EXPECT_EQ(plan(0), "0p 1p 2p 3p ");
  // Rows 128..255: keys 0..127 are kept by every row; 128..255 cross.
  EXPECT_EQ(plan(1), "0f 1f 2f 3f 4p 5p 6p 7p ");
  // Rows 256..299: keys 0..255 full; 256..287 cross; 288..299 end the keys.
  EXPECT_EQ(plan(2), "0f 1f 2f 3f 4f 5f 6f 7f 8p 9p ");
  EXPECT_EQ(plan(3), ""); // past the rows
}

TEST(TileClassifier, DenseTileCutBySequenceEndIsPartial) {
  MLIRContext context;
  TestMask mask = maskFromSpec(context, "none");
  ASSERT_TRUE(mask.op);
  TileClassifier classifier(mask.op);
  std::vector<KvTileVisit> visits = planQTile(classifier, {0, 0, 100, 100, 64, 64}, 0);
  ASSERT_EQ(visits.size(), 2u);
  EXPECT_EQ(visits[0].tileClass, TileClass::Full);
  EXPECT_EQ(visits[1].tileClass, TileClass::Partial); // keys 64..99 of 64..127
  // The box itself is all kept: classify() speaks of pairs only.
  MaskBox box{Interval::point(0), Interval::point(0), {0, 63}, {64, 127}, Interval::point(100),
              Interval::point(100)};
  EXPECT_EQ(classifier.classify(box), TileClass::Full);
}

TEST(TileClassifier, RowsWithNoKeysVisitNothing) {
  // Bottom-right causal with sq = 500 > skv = 100: rows below 400 see no key.
  MLIRContext context;
  TestMask mask = maskFromSpec(context, "causal");
  ASSERT_TRUE(mask.op);
  TileClassifier classifier(mask.op);
  TileGrid grid{0, 0, 500, 100, 128, 32};
  for (int64_t qTile : {0, 1, 2})
    EXPECT_TRUE(planQTile(classifier, grid, qTile).empty()) << "q tile " << qTile;
  EXPECT_FALSE(planQTile(classifier, grid, 3).empty());
}

TEST(TileClassifier, BoxesOverHeadsAndLengths) {
  // A box may span heads and lengths; the answer must hold for all of them.
  MLIRContext context;
  Rng rng(99);
  TestMask mask = maskFromSpec(context, "h < 4 ? causal : k >= q + skv - sq - 16 && causal");
  ASSERT_TRUE(mask.op);
  TileClassifier classifier(mask.op);
  for (int trial = 0; trial < 300; ++trial) {
    int64_t sq = uniform(rng, 1, 80), skv = uniform(rng, 1, 80);
    Interval h{uniform(rng, 0, 7), 0};
    h.hi = h.lo + uniform(rng, 0, 7 - h.lo);
    int64_t q0 = uniform(rng, 0, sq - 1), k0 = uniform(rng, 0, skv - 1);
    MaskBox box{Interval::point(0), h, {q0, q0 + uniform(rng, 0, 20)},
                {k0, k0 + uniform(rng, 0, 20)}, {sq, sq + uniform(rng, 0, 6)},
                {skv, skv + uniform(rng, 0, 6)}};
    // Reference over every point; only q < sq and k < skv are pairs.
    bool someKept = false, someDropped = false;
    attnc::spec::Env env;
    for (env.h = box.h.lo; env.h <= box.h.hi; ++env.h)
      for (env.sq = box.sq.lo; env.sq <= box.sq.hi; ++env.sq)
        for (env.skv = box.skv.lo; env.skv <= box.skv.hi; ++env.skv)
          for (env.q = box.q.lo; env.q <= box.q.hi && env.q < env.sq; ++env.q)
            for (env.k = box.k.lo; env.k <= box.k.hi && env.k < env.skv; ++env.k)
              (*attnc::spec::evaluateMask(mask.expr(), env) ? someKept : someDropped) = true;
    TileClass got = classifier.classify(box);
    if (got == TileClass::Empty) {
      ASSERT_FALSE(someKept) << "UNSOUND at trial " << trial;
    }
    if (got == TileClass::Full) {
      ASSERT_FALSE(someDropped) << "UNSOUND at trial " << trial;
    }
  }
}

TEST(TileClassifier, BandThatKeepsNothingIsEmpty) {
  // l + r = -1: each comparison alone keeps half the plane, so one
  // interpretation of a tile on the diagonal says "either"; bisection must
  // prove every tile Empty within the budget, also for 128x128 tiles.
  MLIRContext context;
  for (const char *expression :
       {"k >= q + skv - sq + 1 && k <= q + skv - sq", "k - q >= 5 && q - k >= -4"}) {
    TestMask mask = maskFromSpec(context, expression);
    ASSERT_TRUE(mask.op);
    TileClassifier classifier(mask.op);
    for (auto [sq, skv] : {std::pair<int64_t, int64_t>{700, 700}, {300, 700}, {700, 300}})
      for (int64_t qTile = 0; qTile * 128 < sq; ++qTile)
        EXPECT_TRUE(planQTile(classifier, {0, 0, sq, skv, 128, 128}, qTile).empty())
            << expression << " sq=" << sq << " skv=" << skv << " q tile " << qTile;
  }
}

TEST(TileClassifier, SpentBudgetFallsBackToPartial) {
  // No pair is kept (2q + 1 is odd), but intervals cannot see it short of
  // visiting the 16384 pairs one by one, more than kMaxEvaluations.
  static_assert(TileClassifier::kMaxEvaluations < 128 * 128);
  MLIRContext context;
  TestMask mask = maskFromSpec(context, "(2 * q + 1) % 2 == 0");
  ASSERT_TRUE(mask.op);
  MaskBox box{Interval::point(0), Interval::point(0), {0, 127}, {0, 127}, Interval::point(128),
              Interval::point(128)};
  EXPECT_EQ(classifyTile(mask.op, box), TileClass::Partial);
}

} // namespace
