// The closed-form kv ranges against brute force. For random problem shapes
// (sq and skv in [1, 600], either the larger, odd lengths), tile sizes
// (16..128 each way) and parameters of every built-in mask and their
// combinations, the mask is lowered as attnc lowers it (canonicalized or
// not), classified, its tile.kv_bounds built and run for every q tile
// (KvBoundsSupport.h), and compared with the reference evaluator of the
// spec's expression (evaluateMask) on every pair:
//
//   * the mask has a closed form (no tile.scan_kv_tiles), and the analysis'
//     row intervals equal the mask on every pair;
//   * sound: no kept pair lies in an unvisited tile ("DROPPED"), no full
//     tile holds a dropped pair or a key past skv ("FULL"), each range has
//     0 <= begin <= full_begin <= full_end <= end <= ⌈skv/N⌉ and lies below
//     the range before it, no tile is visited twice;
//   * exact: the visited tiles are exactly the tiles with a kept pair. The
//     full tiles, and agreement with the compile-time tile classifier behind
//     --emit=tilemap, are reported (two overlapping intervals may leave a
//     tile partial that a single interval would call full).
#include "compiler/Analysis/RowIntervalAnalysis.h"
#include "compiler/Analysis/TileClassifier.h"
#include "test/unit/Analysis/KvBoundsSupport.h"
#include "test/unit/Analysis/MaskTestSupport.h"

#include <functional>
#include <iostream>
#include <random>

using namespace mlir;
using namespace mlir::attn;
using attnc::test::KvBoundsProgram;
using attnc::test::maskFromSpec;
using attnc::test::Range;
using attnc::test::TestMask;

namespace {

using Rng = std::mt19937_64;

int64_t uniform(Rng &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

std::string str(int64_t value) { return std::to_string(value); }

/// A mask family: an expression with random parameters.
struct Family {
  std::string name;
  std::function<std::string(Rng &)> make;
  /// Whether the visited tiles must be exactly the non-empty ones.
  bool exact = true;
};

std::string win(Rng &rng, int64_t maxLeft, int64_t maxRight) {
  return "window(" + str(uniform(rng, 0, maxLeft)) + ", " + str(uniform(rng, 0, maxRight)) + ")";
}

std::vector<Family> families() {
  return {
      {"window", [](Rng &rng) { return win(rng, 300, 300); }},
      {"window_causal", [](Rng &rng) { return win(rng, 300, 0); }},
      {"causal_and_window", [](Rng &rng) { return "causal && " + win(rng, 300, 300); }},
      {"window_written_out",
       [](Rng &rng) {
         return "k >= q + skv - sq - " + str(uniform(rng, 0, 300)) + " && k <= q + skv - sq";
       }},
      {"top_left_window",
       [](Rng &rng) { return "causal_top_left && q - k <= " + str(uniform(rng, 0, 300)); }},
      {"sink", [](Rng &rng) { return "sink(" + str(uniform(rng, 0, 600)) + ")"; }},
      {"sink_or_window",
       [](Rng &rng) { return "sink(" + str(uniform(rng, 0, 80)) + ") || " + win(rng, 300, 0); }},
      {"sink_window_spec", // specs/sink_window_bf16_d128.json
       [](Rng &rng) {
         return "causal && (" + win(rng, 300, 0) + " || sink(" + str(uniform(rng, 0, 80)) + "))";
       }},
      {"prefix", [](Rng &rng) { return "causal || prefix(" + str(uniform(rng, 0, 600)) + ")"; }},
      {"prefix_or_window",
       [](Rng &rng) { return "prefix(" + str(uniform(rng, 0, 200)) + ") || " + win(rng, 200, 50); }},
      {"chunk", [](Rng &rng) { return "chunk(" + str(uniform(rng, 1, 300)) + ")"; }},
      {"chunk_causal", [](Rng &rng) { return "chunk(" + str(uniform(rng, 1, 300)) + ") && causal"; }},
      {"chunk_or_sink",
       [](Rng &rng) {
         return "chunk(" + str(uniform(rng, 1, 300)) + ") && causal || sink(" +
                str(uniform(rng, 0, 64)) + ")";
       }},
      {"block_diagonal",
       [](Rng &rng) { return "block_diagonal(" + str(uniform(rng, 1, 300)) + ")"; }},
      {"block_diagonal_causal",
       [](Rng &rng) {
         return "block_diagonal(" + str(uniform(rng, 1, 300)) + ") && causal_top_left";
       }},
      {"block_or_window",
       [](Rng &rng) {
         return "block_diagonal(" + str(uniform(rng, 1, 200)) + ") || " + win(rng, 100, 0);
       }},
      {"causal_minus_sink",
       [](Rng &rng) { return "causal && !sink(" + str(uniform(rng, 0, 400)) + ")"; }},
      {"not_the_diagonal", [](Rng &) { return std::string("k != q + skv - sq"); }},
      {"window_or_sink_ternary",
       [](Rng &rng) {
         return "k < " + str(uniform(rng, 1, 64)) + " ? true : " + win(rng, 200, 0);
       }},
      // Windows with a negative side, possibly keeping nothing (l + r < 0):
      // the hull of empty rows is not empty, so only soundness is required.
      {"degenerate_window",
       [](Rng &rng) {
         return "window(" + str(uniform(rng, -40, 40)) + ", " + str(uniform(rng, -40, 40)) + ")";
       },
       /*exact=*/false},
  };
}

std::pair<int64_t, int64_t> randomLengths(Rng &rng) {
  int64_t n = uniform(rng, 1, 600);
  switch (uniform(rng, 0, 4)) {
  case 0: return {n, n};
  case 1: return {uniform(rng, 1, 40), n}; // decode-like: few queries
  case 2: return {n, uniform(rng, 1, 40)};
  default: return {n, uniform(rng, 1, 600)};
  }
}

int64_t randomTileSize(Rng &rng) {
  const int64_t sizes[] = {16, 32, 64, 128};
  return sizes[uniform(rng, 0, 3)];
}

struct Tally {
  int64_t qTiles = 0;
  int64_t visitedExact = 0;    ///< q tiles visiting exactly the non-empty tiles
  int64_t fullExact = 0;       ///< ... and calling exactly the truly full tiles full
  int64_t classifierAgrees = 0; ///< ... and agreeing with the tilemap's classifier
  int64_t twoRangeTiles = 0;   ///< q tiles whose two ranges were both non-empty
};

/// Checks every q tile of one random problem; returns false after a failure.
bool checkProblem(const Family &family, Rng &rng, MLIRContext &context, int trial, Tally &tally) {
  const std::string expression = family.make(rng);
  const auto [sq, skv] = randomLengths(rng);
  const int64_t blockM = randomTileSize(rng), blockN = randomTileSize(rng);
  const bool canonical = trial % 2 == 0;
  const std::string problem = family.name + " `" + expression + "` sq=" + str(sq) +
                              " skv=" + str(skv) + " tiles " + str(blockM) + "x" + str(blockN) +
                              (canonical ? " (canonicalized)" : " (as lowered)");

  TestMask mask = maskFromSpec(context, expression);
  if (!mask.op)
    return false;
  if (canonical && !attnc::test::canonicalize(*mask.module)) {
    ADD_FAILURE() << "canonicalize failed: " << problem;
    return false;
  }
  mask.op = *mask.module->getOps<AttentionOp>().begin();
  MaskClass cls = classifyMask(mask.op);
  if (cls.kind == MaskKind::Generic) {
    ADD_FAILURE() << "no closed form: " << problem;
    return false;
  }
  KvBoundsProgram program(context, cls, blockM, blockN);
  if (program.usesScan()) {
    ADD_FAILURE() << "kv_bounds scans at run time: " << problem;
    return false;
  }

  // The reference, pair by pair; and the analysis' row intervals against it.
  std::vector<char> kept(sq * skv);
  attnc::spec::Env env{0, 0, 0, 0, sq, skv};
  for (env.q = 0; env.q < sq; ++env.q)
    for (env.k = 0; env.k < skv; ++env.k) {
      kept[env.q * skv + env.k] = attnc::spec::evaluateMask(mask.expr(), env).value_or(false);
      if (cls.kind == MaskKind::Intervals &&
          cls.rows.contains(env.q, env.k, sq, skv) != bool(kept[env.q * skv + env.k])) {
        ADD_FAILURE() << "row intervals " << cls.rows.str() << " differ from the mask at q="
                      << env.q << " k=" << env.k << ": " << problem;
        return false;
      }
    }

  TileClassifier classifier(mask.op);
  const TileGrid grid{0, 0, sq, skv, blockM, blockN};
  const int64_t kvTiles = (skv + blockN - 1) / blockN;
  for (int64_t qTile = 0; qTile * blockM < sq; ++qTile) {
    const std::vector<Range> ranges = program.run(qTile, sq, skv);
    std::string where = problem + ", q tile " + str(qTile) + ", rows keep " +
                        (cls.kind == MaskKind::Intervals ? cls.rows.str() : "(a built-in form)") +
                        ", ranges";
    for (const Range &r : ranges)
      where += " [" + str(r.begin) + " " + str(r.fullBegin) + " " + str(r.fullEnd) + " " +
               str(r.end) + ")";
    if (ranges.empty() || ranges.size() > 2) {
      ADD_FAILURE() << ranges.size() << " kv ranges: " << where;
      return false;
    }
    std::vector<int> visits(kvTiles, 0);
    std::vector<char> claimedFull(kvTiles, 0);
    int nonEmptyRanges = 0;
    for (size_t n = 0; n < ranges.size(); ++n) {
      const Range &r = ranges[n];
      if (!(0 <= r.begin && r.begin <= r.fullBegin && r.fullBegin <= r.fullEnd &&
            r.fullEnd <= r.end && r.end <= kvTiles)) {
        ADD_FAILURE() << "malformed range " << n << " [" << r.begin << ", " << r.fullBegin << ", "
                      << r.fullEnd << ", " << r.end << ") of " << kvTiles << " tiles: " << where;
        return false;
      }
      if (n > 0 && r.end > r.begin && r.end > ranges[n - 1].begin) {
        ADD_FAILURE() << "range " << n << " is not below range " << n - 1 << ": " << where;
        return false;
      }
      nonEmptyRanges += r.end > r.begin;
      for (int64_t j = r.begin; j < r.end; ++j) {
        if (++visits[j] > 1) {
          ADD_FAILURE() << "kv tile " << j << " visited twice: " << where;
          return false;
        }
        claimedFull[j] = j >= r.fullBegin && j < r.fullEnd;
      }
    }
    tally.twoRangeTiles += nonEmptyRanges == 2;

    // The tiles the classifier (and so --emit=tilemap) plans for this q tile.
    std::vector<TileClass> planned(kvTiles, TileClass::Empty);
    for (const KvTileVisit &visit : planQTile(classifier, grid, qTile))
      planned[visit.tile] = visit.tileClass;

    bool visitedExact = true, fullExact = true, agrees = true;
    const int64_t rowEnd = std::min(sq, (qTile + 1) * blockM);
    for (int64_t j = 0; j < kvTiles; ++j) {
      int64_t keptPairs = 0;
      for (int64_t q = qTile * blockM; q < rowEnd; ++q)
        for (int64_t k = j * blockN; k < std::min(skv, (j + 1) * blockN); ++k)
          keptPairs += kept[q * skv + k];
      const int64_t slots = (rowEnd - qTile * blockM) * blockN; // keys past skv count as dropped
      const bool nonEmpty = keptPairs > 0, full = keptPairs == slots;
      if (nonEmpty && !visits[j]) {
        ADD_FAILURE() << "DROPPED: kv tile " << j << " holds " << keptPairs
                      << " kept pairs but is not visited: " << where;
        return false;
      }
      if (claimedFull[j] && !full) {
        ADD_FAILURE() << "FULL: kv tile " << j << " is run without mask code but keeps "
                      << keptPairs << " of " << slots << " pairs: " << where;
        return false;
      }
      visitedExact &= bool(visits[j]) == nonEmpty;
      fullExact &= bool(claimedFull[j]) == full;
      const TileClass ours = !visits[j] ? TileClass::Empty
                             : claimedFull[j] ? TileClass::Full
                                              : TileClass::Partial;
      agrees &= ours == planned[j];
    }
    if (family.exact && !visitedExact) {
      ADD_FAILURE() << "INEXACT: a visited kv tile keeps no pair: " << where;
      return false;
    }
    ++tally.qTiles;
    tally.visitedExact += visitedExact;
    tally.fullExact += visitedExact && fullExact;
    tally.classifierAgrees += agrees;
  }
  return true;
}

class ClosedForm : public ::testing::TestWithParam<Family> {};

TEST_P(ClosedForm, MatchesBruteForce) {
  const Family &family = GetParam();
  MLIRContext context;
  Rng rng(std::hash<std::string>()(family.name));
  Tally tally;
  for (int trial = 0; trial < 24; ++trial)
    if (!checkProblem(family, rng, context, trial, tally))
      break;
  // The report: how exact the closed forms are on these problems.
  std::cout << "[ exact    ] " << family.name << ": " << tally.qTiles << " q tiles; visited = "
            << "non-empty in " << tally.visitedExact << ", full = truly full in "
            << tally.fullExact << ", same as the tilemap in " << tally.classifierAgrees
            << "; two ranges in use in " << tally.twoRangeTiles << "\n";
}

INSTANTIATE_TEST_SUITE_P(KvRanges, ClosedForm, ::testing::ValuesIn(families()),
                         [](const auto &info) { return info.param.name; });

} // namespace
