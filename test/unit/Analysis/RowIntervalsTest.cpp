// The row-interval analysis (compiler/Analysis/RowIntervalAnalysis.h): which
// masks it puts in closed form, the intervals it derives, the masks it must
// leave to the run-time scan, and the monotonicity proofs of IndexExpr.
#include "compiler/Analysis/MaskAnalysis.h"
#include "compiler/Analysis/RowIntervalAnalysis.h"
#include "test/unit/Analysis/KvBoundsSupport.h"
#include "test/unit/Analysis/MaskTestSupport.h"

using namespace mlir;
using namespace mlir::attn;
using attnc::test::maskFromIR;
using attnc::test::maskFromSpec;
using attnc::test::TestMask;

namespace {

/// The mask class of a spec expression, canonicalized as attnc does.
MaskClass classify(MLIRContext &context, const std::string &expression) {
  TestMask mask = maskFromSpec(context, expression);
  if (!mask.op || !attnc::test::canonicalize(*mask.module))
    return {};
  return classifyMask(*mask.module->getOps<AttentionOp>().begin());
}

std::string rowsOf(MLIRContext &context, const std::string &expression) {
  MaskClass cls = classify(context, expression);
  return cls.kind == MaskKind::Intervals ? cls.rows.str() : "not intervals";
}

TEST(RowIntervals, BuiltinsAndTheirIntervals) {
  MLIRContext context;
  // d = q + (skv - sq), the bottom-right diagonal.
  EXPECT_EQ(rowsOf(context, "window(100, 0)"), "[((q + (skv - sq)) - 100), (q + (skv - sq))]");
  EXPECT_EQ(rowsOf(context, "sink(4)"), "[-inf, 3]");
  EXPECT_EQ(rowsOf(context, "causal || prefix(64)"), "[-inf, max((q + (skv - sq)), 63)]");
  EXPECT_EQ(rowsOf(context, "block_diagonal(8)"),
            "[(floordiv(q, 8) * 8), ((floordiv(q, 8) * 8) + 7)]");
  // Two intervals: the window and the sink, each clipped by causal.
  EXPECT_EQ(rowsOf(context, "causal && (window(512, 0) || sink(4))"),
            "[((q + (skv - sq)) - 512), (q + (skv - sq))] u [-inf, min((q + (skv - sq)), 3)]");
}

TEST(RowIntervals, KindsOfMasks) {
  MLIRContext context;
  auto kindOf = [&](const std::string &expression) { return classify(context, expression).kind; };
  EXPECT_EQ(kindOf("causal"), MaskKind::Causal);
  EXPECT_EQ(kindOf("none"), MaskKind::Dense);
  EXPECT_EQ(kindOf("causal || true"), MaskKind::Dense);
  for (const char *closed : {"window(1024, 0)", "sink(4) || window(256, 0)", "chunk(2048)",
                             "chunk(2048) && causal", "causal || prefix(2048)",
                             "block_diagonal(256)", "causal && !sink(4)", "k != q",
                             "q - k <= 8", "k / 64 == q / 64", "k >= q * 2 && k <= q * 2 + 1",
                             "k < q && k > sq - q"}) // ends may move either way
    EXPECT_EQ(kindOf(closed), MaskKind::Intervals) << closed;
  for (const char *generic : {
           "h < 4 ? causal : window(8, 0)", // reads the head
           "b == 0 || causal",              // reads the batch
           "(q * 7 + k * 3) % 11 < 5",      // not an interval of k
           "abs(q - k) <= 8",               // a select of integers
           "q < 100 || causal",             // a condition on q alone: not monotone in form
           "k * 2 <= q",                    // every other key
           "k < q && k < sq - q",           // min of a rising and a falling end
           "sink(4) || window(64, 0) || k == q + skv - sq + 100", // three intervals
           "window(9223372036854775807, 0)", // a bound past 2^60: could overflow
       })
    EXPECT_EQ(kindOf(generic), MaskKind::Generic) << generic;
}

TEST(IndexExpr, DirectionsAreProvenNotGuessed) {
  IndexExpr q = IndexExpr::query(), sq = IndexExpr::queryLen(), c = IndexExpr::constant(64);
  auto direction = [](const std::optional<IndexExpr> &e) {
    return e ? std::optional<Monotonicity>(e->monotonicity()) : std::nullopt;
  };
  // q + (skv - sq): rising; sq - q: falling; floor(q / 64) * 64: rising.
  auto diagonal = IndexExpr::add(q, *IndexExpr::sub(IndexExpr::keyLen(), sq));
  EXPECT_EQ(direction(diagonal), Monotonicity::NonDecreasing);
  EXPECT_EQ(direction(IndexExpr::sub(sq, q)), Monotonicity::NonIncreasing);
  auto chunkStart = IndexExpr::mul(*IndexExpr::floorDiv(q, c), c);
  EXPECT_EQ(direction(chunkStart), Monotonicity::NonDecreasing);
  EXPECT_EQ(direction(IndexExpr::mul(q, IndexExpr::constant(-2))), Monotonicity::NonIncreasing);
  EXPECT_EQ(direction(IndexExpr::max(*diagonal, c)), Monotonicity::NonDecreasing);
  // No rule: a rising and a falling term, a factor of unknown sign, a
  // divisor that is not a positive literal.
  EXPECT_FALSE(IndexExpr::add(q, *IndexExpr::sub(sq, q)));
  EXPECT_FALSE(IndexExpr::min(q, *IndexExpr::sub(sq, q)));
  EXPECT_FALSE(IndexExpr::mul(q, sq));
  EXPECT_FALSE(IndexExpr::floorDiv(q, IndexExpr::constant(0)));
  EXPECT_FALSE(IndexExpr::floorDiv(q, IndexExpr::constant(-3)));
  EXPECT_FALSE(IndexExpr::truncDiv(q, sq));
  // sq · 3 is constant in q; sq · skv would be too, but may reach 2^62.
  EXPECT_EQ(direction(IndexExpr::mul(sq, IndexExpr::constant(3))), Monotonicity::Constant);
  EXPECT_FALSE(IndexExpr::mul(sq, IndexExpr::keyLen()));
}

TEST(IndexExpr, MagnitudeStaysBelowTwoToTheSixty) {
  IndexExpr q = IndexExpr::query();
  // |q| <= 2^31: q · 2^29 fits, q · 2^30 would pass 2^60.
  EXPECT_TRUE(IndexExpr::mul(q, IndexExpr::constant(int64_t(1) << 29)));
  EXPECT_FALSE(IndexExpr::mul(q, IndexExpr::constant(int64_t(1) << 30)));
  EXPECT_FALSE(IndexExpr::plus(q, INT64_MAX));
}

TEST(IndexExpr, FoldsAndEvaluatesExactly) {
  IndexExpr q = IndexExpr::query();
  auto seven = IndexExpr::add(IndexExpr::constant(3), IndexExpr::constant(4));
  ASSERT_TRUE(seven);
  EXPECT_EQ(seven->asConstant(), 7);
  // 0 - (0 - q) is q again: solving k - e <= x gives x + e.
  auto negated = IndexExpr::sub(IndexExpr::constant(0), q);
  EXPECT_EQ(*IndexExpr::sub(IndexExpr::constant(0), *negated), q);
  // Floor and ceiling division round toward -inf / +inf, C division toward 0.
  IndexExpr four = IndexExpr::constant(4);
  EXPECT_EQ(IndexExpr::floorDiv(q, four)->evaluate(-1, 0, 0), -1);
  EXPECT_EQ(IndexExpr::ceilDiv(q, four)->evaluate(-1, 0, 0), 0);
  EXPECT_EQ(IndexExpr::truncDiv(q, four)->evaluate(-5, 0, 0), -1);
}

TEST(RowIntervals, AlgebraIdentities) {
  IndexExpr q = IndexExpr::query();
  RowIntervals causal = RowIntervals::between(std::nullopt, q);
  RowIntervals sink = RowIntervals::between(std::nullopt, IndexExpr::constant(3));
  // A shared lower end merges: [-inf, q] u [-inf, 3] = [-inf, max(q, 3)].
  EXPECT_EQ(RowIntervals::unite(causal, sink)->str(), "[-inf, max(q, 3)]");
  // ¬[-inf, 3] = [4, +inf]; ¬everything = nothing; ¬nothing = everything.
  EXPECT_EQ(RowIntervals::complement(sink)->str(), "[4, +inf]");
  EXPECT_TRUE(RowIntervals::complement(RowIntervals::all())->keepsNothing());
  EXPECT_TRUE(RowIntervals::complement(RowIntervals::none())->keepsEverything());
  // [5, 2] keeps nothing for every q and is dropped.
  EXPECT_TRUE(RowIntervals::between(IndexExpr::constant(5), IndexExpr::constant(2)).keepsNothing());
  // Point by point, k != q is two intervals around the diagonal.
  auto notDiagonal = RowIntervals::complement(RowIntervals::between(q, q));
  ASSERT_TRUE(notDiagonal);
  EXPECT_EQ(notDiagonal->intervals().size(), 2u);
  for (int64_t row = 0; row < 5; ++row)
    for (int64_t k = 0; k < 5; ++k)
      EXPECT_EQ(notDiagonal->contains(row, k, 5, 5), k != row);
}

} // namespace
