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
       })
    EXPECT_EQ(kindOf(generic), MaskKind::Generic) << generic;
}

} // namespace
