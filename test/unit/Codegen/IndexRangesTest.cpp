// Index ranges (compiler/Codegen/IndexRanges.h): the range of each value must hold every value
// it takes for arguments in their ranges, checked at the ends of the argument ranges and on
// random points, and the common mask forms must come out 32-bit.
#include "compiler/Codegen/IndexRanges.h"
#include "attn/abi.h"
#include "test/unit/Analysis/MaskTestSupport.h"

#include <random>

using namespace mlir;
using attnc::codegen::deriveIndexRanges;
using attnc::codegen::hookArgumentRange;
using attnc::codegen::IntRange;
using attnc::test::maskFromIR;

namespace {

/// The ranges of the mask block's values with the hooks' argument ranges.
llvm::DenseMap<Value, IntRange> rangesOf(attn::AttentionOp op) {
  SmallVector<IntRange> args;
  for (const char *name : {"b", "h", "q", "k", "sq", "skv"})
    args.push_back(hookArgumentRange(name));
  return deriveIndexRanges(op.getMask().front(), args);
}

/// The range of the result of the `index`-th op of the mask block (SSA names are not kept).
IntRange rangeOfOp(attn::AttentionOp op, const llvm::DenseMap<Value, IntRange> &ranges,
                   unsigned index) {
  Operation &inner = *std::next(op.getMask().front().begin(), index);
  return ranges.lookup(inner.getResult(0));
}

TEST(IndexRanges, BottomRightOffsetsFitIn32Bits) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %off = arith.subi %skv, %sq : i64\n"
                                  "  %diag = arith.addi %q, %off : i64\n"
                                  "  %dist = arith.subi %diag, %k : i64\n"
                                  "  %keep = arith.cmpi sle, %k, %diag : i64\n");
  ASSERT_TRUE(mask.op);
  auto ranges = rangesOf(mask.op);
  // The extremes: q, k < 2^30; 1 <= sq, skv <= ATTN_MAX_SEQLEN.
  const int64_t maxLen = ATTN_MAX_SEQLEN, maxToken = (int64_t(1) << 30) - 1;
  IntRange off = rangeOfOp(mask.op, ranges, 0);
  EXPECT_EQ(off.lo, 1 - maxLen);
  EXPECT_EQ(off.hi, maxLen - 1);
  IntRange diag = rangeOfOp(mask.op, ranges, 1);
  EXPECT_EQ(diag.hi, maxToken + maxLen - 1);
  EXPECT_TRUE(diag.fitsInt32());
  EXPECT_TRUE(rangeOfOp(mask.op, ranges, 2).fitsInt32());
}

TEST(IndexRanges, ProductsWidenAndAMinimumNarrows) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %sq2 = arith.muli %sq, %sq : i64\n"
                                  "  %c4 = arith.constant 4 : i64\n"
                                  "  %q4 = arith.muli %q, %c4 : i64\n"
                                  "  %m = arith.minsi %sq2, %c4 : i64\n"
                                  "  %keep = arith.cmpi sle, %k, %q4 : i64\n");
  ASSERT_TRUE(mask.op);
  auto ranges = rangesOf(mask.op);
  EXPECT_FALSE(rangeOfOp(mask.op, ranges, 0).fitsInt32());
  EXPECT_FALSE(rangeOfOp(mask.op, ranges, 2).fitsInt32()); // up to 2^32 - 4
  IntRange m = rangeOfOp(mask.op, ranges, 3); // min(sq², 4) <= 4
  EXPECT_EQ(m.hi, 4);
  EXPECT_TRUE(m.fitsInt32());
}

TEST(IndexRanges, DivisionsAndRemaindersStayWithinTheDividend) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %c0 = arith.constant 0 : i64\n"
                                  "  %c7 = arith.constant 7 : i64\n"
                                  "  %d = arith.subi %c0, %q : i64\n"
                                  "  %f = arith.floordivsi %d, %c7 : i64\n"
                                  "  %r = arith.remsi %d, %c7 : i64\n"
                                  "  %u = arith.remsi %q, %c7 : i64\n"
                                  "  %keep = arith.cmpi sle, %k, %f : i64\n");
  ASSERT_TRUE(mask.op);
  auto ranges = rangesOf(mask.op);
  IntRange f = rangeOfOp(mask.op, ranges, 3);
  EXPECT_LE(f.lo, -((int64_t(1) << 30) - 1) / 7 - 1);
  EXPECT_GE(f.hi, 0);
  IntRange r = rangeOfOp(mask.op, ranges, 4);
  EXPECT_EQ(r.lo, -6);
  EXPECT_EQ(r.hi, 6);
  IntRange u = rangeOfOp(mask.op, ranges, 5);
  EXPECT_EQ(u.lo, 0);
  EXPECT_EQ(u.hi, 6);
}

// INT32_MIN % -1 and INT32_MIN / -1 overflow in 32 bits: such values must stay 64-bit.
TEST(IndexRanges, ADividendThatMayBeInt32MinStaysWide) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %min = arith.constant -2147483648 : i64\n"
                                  "  %m1 = arith.constant -1 : i64\n"
                                  "  %r = arith.remsi %min, %m1 : i64\n"
                                  "  %d = arith.divsi %min, %m1 : i64\n"
                                  "  %keep = arith.cmpi sle, %k, %r : i64\n");
  ASSERT_TRUE(mask.op);
  auto ranges = rangesOf(mask.op);
  EXPECT_TRUE(rangeOfOp(mask.op, ranges, 0).fitsInt32());
  EXPECT_FALSE(rangeOfOp(mask.op, ranges, 2).fitsInt32());
  EXPECT_FALSE(rangeOfOp(mask.op, ranges, 3).fitsInt32());
}

/// Random points: evaluate a chain of ops in 128-bit and check each value is in its range.
TEST(IndexRanges, HoldEveryValueAtRandomPoints) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %a = arith.subi %q, %k : i64\n"
                                  "  %b2 = arith.muli %a, %h : i64\n"
                                  "  %c = arith.addi %b2, %skv : i64\n"
                                  "  %d = arith.maxsi %c, %sq : i64\n"
                                  "  %e = arith.divsi %d, %skv : i64\n"
                                  "  %keep = arith.cmpi sle, %k, %e : i64\n");
  ASSERT_TRUE(mask.op);
  auto ranges = rangesOf(mask.op);
  std::mt19937_64 rng(7);
  auto pick = [&](IntRange r) {
    switch (rng() % 3) {
    case 0: return r.lo;
    case 1: return r.hi;
    default: return std::uniform_int_distribution<int64_t>(r.lo, r.hi)(rng);
    }
  };
  llvm::StringMap<IntRange> named;
  unsigned index = 0;
  for (StringRef name : {"a", "b2", "c", "d", "e"})
    named[name] = rangeOfOp(mask.op, ranges, index++);
  for (int trial = 0; trial < 2000; ++trial) {
    const int64_t h = pick(hookArgumentRange("h")), q = pick(hookArgumentRange("q")),
                  k = pick(hookArgumentRange("k")), sq = pick(hookArgumentRange("sq")),
                  skv = pick(hookArgumentRange("skv"));
    const __int128 a = __int128(q) - k, b2 = a * h, c = b2 + skv, d = c > sq ? c : sq,
                   e = d / skv;
    for (auto [name, value] : {std::pair<StringRef, __int128>{"a", a}, {"b2", b2}, {"c", c},
                               {"d", d}, {"e", e}}) {
      IntRange range = named.lookup(name);
      EXPECT_LE(__int128(range.lo), value) << name.str();
      EXPECT_GE(__int128(range.hi), value) << name.str();
    }
  }
}

} // namespace
