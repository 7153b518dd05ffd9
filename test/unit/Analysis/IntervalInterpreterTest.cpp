// The interval interpreter, op by op: over random boxes (negative values and
// the ends of int64 included) every interval must hold each value the op
// takes at a point of the box, and the monotone ops must be tight (both
// bounds taken). Points are checked against plain C++ definitions of the ops.
#include "compiler/Analysis/TileClassifier.h"
#include "test/unit/Analysis/MaskTestSupport.h"

#include <functional>
#include <limits>
#include <random>

using namespace mlir;
using namespace mlir::attn;
using attnc::test::maskFromIR;

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

using Rng = std::mt19937_64;

int64_t uniform(Rng &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

/// A random range of at most 17 values: mostly near 0 (both signs), at times
/// at an end of int64, where bounds overflow.
Interval randomRange(Rng &rng) {
  int64_t width = uniform(rng, 0, 16);
  switch (uniform(rng, 0, 9)) {
  case 0: {
    int64_t lo = kMin + uniform(rng, 0, 8);
    return {lo, lo + width};
  }
  case 1: {
    int64_t hi = kMax - uniform(rng, 0, 8);
    return {hi - width, hi};
  }
  case 2: {
    int64_t lo = uniform(rng, -(int64_t(1) << 33), int64_t(1) << 33);
    return {lo, lo + width};
  }
  default: {
    int64_t lo = uniform(rng, -40, 40);
    return {lo, lo + width};
  }
  }
}

bool contains(Interval range, int64_t value) {
  return range.lo <= value && value <= range.hi;
}

/// The i64 op's definition at a point; nullopt where arith is undefined or
/// wraps (there any value is allowed).
using Definition = std::function<std::optional<int64_t>(int64_t, int64_t)>;

std::optional<int64_t> fromWide(__int128 value) {
  if (value < kMin || value > kMax)
    return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<int64_t> divide(int64_t x, int64_t y, int rounding) {
  if (y == 0)
    return std::nullopt;
  __int128 quotient = __int128(x) / y, remainder = __int128(x) % y;
  bool negative = (remainder < 0) != (y < 0);
  if (remainder != 0 && rounding < 0 && negative)
    --quotient;
  if (remainder != 0 && rounding > 0 && !negative)
    ++quotient;
  return fromWide(quotient);
}

struct BinaryCase {
  const char *op;
  Definition definition;
  bool tight; ///< both bounds are taken at some point
};

std::vector<BinaryCase> binaryCases() {
  return {
      {"addi", [](int64_t x, int64_t y) { return fromWide(__int128(x) + y); }, true},
      {"subi", [](int64_t x, int64_t y) { return fromWide(__int128(x) - y); }, true},
      {"muli", [](int64_t x, int64_t y) { return fromWide(__int128(x) * y); }, true},
      {"divsi", [](int64_t x, int64_t y) { return divide(x, y, 0); }, true},
      {"floordivsi", [](int64_t x, int64_t y) { return divide(x, y, -1); }, true},
      {"ceildivsi", [](int64_t x, int64_t y) { return divide(x, y, +1); }, true},
      {"remsi",
       [](int64_t x, int64_t y) -> std::optional<int64_t> {
         if (y == 0 || (x == kMin && y == -1))
           return std::nullopt;
         return x % y;
       },
       false},
      {"minsi", [](int64_t x, int64_t y) { return std::optional(std::min(x, y)); }, true},
      {"maxsi", [](int64_t x, int64_t y) { return std::optional(std::max(x, y)); }, true},
  };
}

MaskBox boxOf(Interval q, Interval k) {
  return {Interval::point(0), Interval::point(0), q, k, Interval::point(0), Interval::point(0)};
}

TEST(IntervalInterpreter, BinaryOpsAreSoundAndMonotoneOnesTight) {
  MLIRContext context;
  Rng rng(20240611);
  for (const BinaryCase &c : binaryCases()) {
    auto mask = maskFromIR(context, std::string("  %r = arith.") + c.op +
                                        " %q, %k : i64\n"
                                        "  %keep = arith.cmpi sle, %r, %sq : i64");
    ASSERT_TRUE(mask.op);
    Value result = mask.op.getMaskBlock().front().getResult(0);
    IntervalInterpreter interpreter(mask.op);
    for (int trial = 0; trial < 3000; ++trial) {
      MaskBox box = boxOf(randomRange(rng), randomRange(rng));
      interpreter.evaluate(box);
      Interval range = interpreter.valueOf(result);
      bool defined = true, lowTaken = false, highTaken = false;
      for (int64_t x = box.q.lo;; ++x) {
        for (int64_t y = box.k.lo;; ++y) {
          std::optional<int64_t> value = c.definition(x, y);
          defined &= value.has_value();
          if (value) {
            ASSERT_TRUE(contains(range, *value))
                << c.op << "(" << x << ", " << y << ") = " << *value << " is outside ["
                << range.lo << ", " << range.hi << "]";
            lowTaken |= *value == range.lo;
            highTaken |= *value == range.hi;
          }
          if (y == box.k.hi)
            break;
        }
        if (x == box.q.hi)
          break;
      }
      if (c.tight && defined) {
        EXPECT_TRUE(lowTaken && highTaken)
            << c.op << " over q [" << box.q.lo << ", " << box.q.hi << "] k [" << box.k.lo
            << ", " << box.k.hi << "] gave loose [" << range.lo << ", " << range.hi << "]";
      }
    }
  }
}

TEST(IntervalInterpreter, RemainderWithinOneQuotientIsExact) {
  // k % 8 over k in [17, 22]: one quotient, so exactly [1, 6]; and over
  // [-22, -17], [-6, -1] (C: the sign of the dividend).
  MLIRContext context;
  auto mask = maskFromIR(context, "  %c8 = arith.constant 8 : i64\n"
                                  "  %r = arith.remsi %k, %c8 : i64\n"
                                  "  %keep = arith.cmpi slt, %r, %q : i64");
  ASSERT_TRUE(mask.op);
  Value result = (++mask.op.getMaskBlock().begin())->getResult(0);
  IntervalInterpreter interpreter(mask.op);
  interpreter.evaluate(boxOf(Interval::point(0), {17, 22}));
  EXPECT_EQ(interpreter.valueOf(result), (Interval{1, 6}));
  interpreter.evaluate(boxOf(Interval::point(0), {-22, -17}));
  EXPECT_EQ(interpreter.valueOf(result), (Interval{-6, -1}));
  interpreter.evaluate(boxOf(Interval::point(0), {-3, 100}));
  EXPECT_EQ(interpreter.valueOf(result), (Interval{-3, 7}));
}

TEST(IntervalInterpreter, ComparisonsAreExactTriStates) {
  // One comparison of two independent ranges: "may be true" iff some point
  // is true, "may be false" iff some point is false. Unsigned predicates are
  // exact where both ranges have one sign, sound elsewhere.
  MLIRContext context;
  Rng rng(7);
  struct Predicate {
    const char *name;
    std::function<bool(int64_t, int64_t)> holds;
    bool isUnsigned;
  };
  const Predicate predicates[] = {
      {"eq", std::equal_to<int64_t>(), false},
      {"ne", std::not_equal_to<int64_t>(), false},
      {"slt", std::less<int64_t>(), false},
      {"sle", std::less_equal<int64_t>(), false},
      {"sgt", std::greater<int64_t>(), false},
      {"sge", std::greater_equal<int64_t>(), false},
      {"ult", [](int64_t x, int64_t y) { return uint64_t(x) < uint64_t(y); }, true},
      {"ule", [](int64_t x, int64_t y) { return uint64_t(x) <= uint64_t(y); }, true},
      {"ugt", [](int64_t x, int64_t y) { return uint64_t(x) > uint64_t(y); }, true},
      {"uge", [](int64_t x, int64_t y) { return uint64_t(x) >= uint64_t(y); }, true},
  };
  for (const Predicate &predicate : predicates) {
    auto mask = maskFromIR(context, std::string("  %keep = arith.cmpi ") + predicate.name +
                                        ", %q, %k : i64");
    ASSERT_TRUE(mask.op);
    IntervalInterpreter interpreter(mask.op);
    for (int trial = 0; trial < 3000; ++trial) {
      Interval q = randomRange(rng), k = randomRange(rng);
      if (trial % 3 == 0 && k.lo > -1000 && k.lo < 1000) // equal points likely
        q = {k.lo + uniform(rng, -2, 2), k.lo + uniform(rng, 2, 3)};
      Interval keep = interpreter.evaluate(boxOf(q, k));
      bool someTrue = false, someFalse = false;
      for (int64_t x = q.lo;; ++x) {
        for (int64_t y = k.lo;; ++y) {
          (predicate.holds(x, y) ? someTrue : someFalse) = true;
          if (y == k.hi)
            break;
        }
        if (x == q.hi)
          break;
      }
      bool exact = !predicate.isUnsigned || (q.lo >= 0 && k.lo >= 0) || (q.hi < 0 && k.hi < 0);
      SCOPED_TRACE(std::string(predicate.name) + " q [" + std::to_string(q.lo) + ", " +
                   std::to_string(q.hi) + "] k [" + std::to_string(k.lo) + ", " +
                   std::to_string(k.hi) + "]");
      if (someTrue) {
        ASSERT_EQ(keep.hi, 1);
      }
      if (someFalse) {
        ASSERT_EQ(keep.lo, 0);
      }
      if (exact) {
        EXPECT_EQ(keep, (Interval{someFalse ? 0 : 1, someTrue ? 1 : 0}));
      }
    }
  }
}

TEST(IntervalInterpreter, LogicOfIndependentConditionsIsExact) {
  // a = q < sq and c = k < skv vary independently over a box, so and/or/xor
  // of their tri-states are exact; select picks a branch or their hull.
  MLIRContext context;
  struct Logic {
    const char *op;
    std::function<bool(bool, bool)> apply;
  };
  const Logic logics[] = {{"andi", std::logical_and<bool>()},
                          {"ori", std::logical_or<bool>()},
                          {"xori", std::not_equal_to<bool>()}};
  const Interval ranges[] = {{0, 0}, {0, 1}, {1, 1}};
  for (const Logic &logic : logics) {
    auto mask = maskFromIR(context, std::string("  %a = arith.cmpi slt, %q, %sq : i64\n"
                                                "  %c = arith.cmpi slt, %k, %skv : i64\n"
                                                "  %keep = arith.") +
                                        logic.op + " %a, %c : i1");
    ASSERT_TRUE(mask.op);
    IntervalInterpreter interpreter(mask.op);
    // q < 1 over q in {0}, {0, 1}, {1}: false, either, true; the same for k.
    for (Interval a : ranges)
      for (Interval c : ranges) {
        MaskBox box{Interval::point(0), Interval::point(0), a, c, Interval::point(1),
                    Interval::point(1)};
        bool someTrue = false, someFalse = false;
        for (int64_t x = a.lo; x <= a.hi; ++x)
          for (int64_t y = c.lo; y <= c.hi; ++y)
            (logic.apply(x < 1, y < 1) ? someTrue : someFalse) = true;
        EXPECT_EQ(interpreter.evaluate(box), (Interval{someFalse ? 0 : 1, someTrue ? 1 : 0}))
            << logic.op << " q [" << a.lo << ", " << a.hi << "] k [" << c.lo << ", " << c.hi
            << "]";
      }
  }
}

TEST(IntervalInterpreter, SelectTakesTheDecidedBranchOrTheHull) {
  MLIRContext context;
  auto mask = maskFromIR(context, "  %c = arith.cmpi slt, %h, %b : i64\n"
                                  "  %r = arith.select %c, %q, %k : i64\n"
                                  "  %keep = arith.cmpi sle, %r, %sq : i64");
  ASSERT_TRUE(mask.op);
  Value result = (++mask.op.getMaskBlock().begin())->getResult(0);
  IntervalInterpreter interpreter(mask.op);
  MaskBox box{Interval::point(5), Interval::point(0), {10, 20}, {30, 40}, Interval::point(25),
              Interval::point(0)};
  EXPECT_EQ(interpreter.evaluate(box), Interval::point(1)); // h < b: q <= 25
  EXPECT_EQ(interpreter.valueOf(result), (Interval{10, 20}));
  box.b = Interval::point(0);
  EXPECT_EQ(interpreter.evaluate(box), Interval::point(0)); // k > 25
  EXPECT_EQ(interpreter.valueOf(result), (Interval{30, 40}));
  box.b = Interval::point(5);
  box.h = {0, 9}; // either branch
  EXPECT_EQ(interpreter.evaluate(box), Interval::eitherBool());
  EXPECT_EQ(interpreter.valueOf(result), (Interval{10, 40}));
}

TEST(IntervalInterpreter, BoolConstantsAreZeroOrOne) {
  // arith's `true` is the 1-bit value 1 (-1 when read as signed): kept.
  MLIRContext context;
  auto kept = maskFromIR(context, "  %keep = arith.constant true");
  auto dropped = maskFromIR(context, "  %keep = arith.constant false");
  ASSERT_TRUE(kept.op && dropped.op);
  MaskBox box{Interval::point(0), Interval::point(0), {0, 127}, {0, 127}, Interval::point(128),
              Interval::point(128)};
  EXPECT_EQ(IntervalInterpreter(kept.op).evaluate(box), Interval::point(1));
  EXPECT_EQ(IntervalInterpreter(dropped.op).evaluate(box), Interval::point(0));
  EXPECT_EQ(classifyTile(kept.op, box), TileClass::Full);
  EXPECT_EQ(classifyTile(dropped.op, box), TileClass::Empty);
}

TEST(IntervalInterpreter, CausalOfAnyOperands) {
  // attn.causal of swapped indices: keep iff q <= k + (skv - sq).
  MLIRContext context;
  auto mask = maskFromIR(context, "  %keep = attn.causal %k, %q, %sq, %skv "
                                  "{alignment = #attn.alignment<bottom_right>}");
  ASSERT_TRUE(mask.op);
  IntervalInterpreter interpreter(mask.op);
  auto box = [](Interval q, Interval k) {
    return MaskBox{Interval::point(0), Interval::point(0), q, k, Interval::point(100),
                   Interval::point(90)};
  };
  EXPECT_EQ(interpreter.evaluate(box({0, 9}, {20, 29})), Interval::point(1));
  EXPECT_EQ(interpreter.evaluate(box({40, 49}, {20, 29})), Interval::point(0));
  EXPECT_EQ(interpreter.evaluate(box({30, 39}, {35, 44})), Interval::eitherBool());
}

TEST(IntervalInterpreter, LeadingZerosAndShiftsAreMonotone) {
  // radial's 2^floor(log2(k + 1)) <= 8: every key below 15, none from 15 on.
  MLIRContext context;
  auto power = maskFromIR(context, "  %c1 = arith.constant 1 : i64\n"
                                   "  %c8 = arith.constant 8 : i64\n"
                                   "  %c63 = arith.constant 63 : i64\n"
                                   "  %n = arith.addi %k, %c1 : i64\n"
                                   "  %z = math.ctlz %n : i64\n"
                                   "  %r = arith.subi %c63, %z : i64\n"
                                   "  %p = arith.shli %c1, %r : i64\n"
                                   "  %keep = arith.cmpi sle, %p, %c8 : i64");
  ASSERT_TRUE(power.op);
  MaskBox box{Interval::point(0), Interval::point(0), {0, 63}, {0, 14}, Interval::point(64),
              Interval::point(64)};
  EXPECT_EQ(classifyTile(power.op, box), TileClass::Full);
  box.k = {15, 63};
  EXPECT_EQ(classifyTile(power.op, box), TileClass::Empty);
  box.k = {10, 20};
  EXPECT_EQ(classifyTile(power.op, box), TileClass::Partial);
}

TEST(IntervalInterpreter, UnknownOpsAndTypesAreUnknown) {
  // shrui is not interpreted, nor is anything on i32: the classifier can
  // only say Partial of the masks below -- never Empty or Full.
  MLIRContext context;
  auto shift = maskFromIR(context, "  %c1 = arith.constant 1 : i64\n"
                                   "  %s = arith.shrui %k, %c1 : i64\n"
                                   "  %d = arith.addi %k, %k : i64\n"
                                   "  %keep = arith.cmpi eq, %s, %d : i64");
  auto narrow = maskFromIR(context, "  %t = arith.trunci %k : i64 to i32\n"
                                    "  %u = arith.addi %t, %t : i32\n"
                                    "  %e = arith.extsi %u : i32 to i64\n"
                                    "  %d = arith.addi %k, %k : i64\n"
                                    "  %keep = arith.cmpi eq, %e, %d : i64");
  ASSERT_TRUE(shift.op && narrow.op);
  MaskBox box{Interval::point(0), Interval::point(0), {0, 63}, {0, 63}, Interval::point(64),
              Interval::point(64)};
  EXPECT_EQ(classifyTile(shift.op, box), TileClass::Partial);
  EXPECT_EQ(classifyTile(narrow.op, box), TileClass::Partial);
  box.q = box.k = Interval::point(3); // even one pair: unknown stays unknown
  EXPECT_EQ(classifyTile(shift.op, box), TileClass::Partial);
}

TEST(IntervalInterpreter, OverflowMakesAValueUnknown) {
  // (k * 2^40) wraps for k >= 2^23: the interval is the whole int64 range,
  // and the comparison is unsure instead of wrongly decided.
  MLIRContext context;
  auto mask = maskFromIR(context, "  %big = arith.constant 1099511627776 : i64\n"
                                  "  %p = arith.muli %k, %big : i64\n"
                                  "  %c0 = arith.constant 0 : i64\n"
                                  "  %keep = arith.cmpi sge, %p, %c0 : i64");
  ASSERT_TRUE(mask.op);
  IntervalInterpreter interpreter(mask.op);
  MaskBox box{Interval::point(0), Interval::point(0), Interval::point(0), {0, 1 << 20},
              Interval::point(1), Interval::all()};
  EXPECT_EQ(interpreter.evaluate(box), Interval::point(1));
  box.k = {0, int64_t(1) << 24};
  EXPECT_EQ(interpreter.evaluate(box), Interval::eitherBool());
}

} // namespace
