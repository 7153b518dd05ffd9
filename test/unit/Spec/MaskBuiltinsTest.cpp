//===- MaskBuiltinsTest.cpp - The structured masks of the literature ------===//
//
// window, sink, prefix, chunk and block_diagonal: the evaluator against
// formulas written independently here (floor division as "subtract the
// non-negative remainder", not as a corrected quotient), on random pairs of
// random shapes with sq > skv common, so that the diagonal q + skv - sq is
// often negative; the checks of their arguments, with exact columns; and the
// printed form.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/ExprParser.h"

#include <gtest/gtest.h>

#include <random>

using namespace attnc::spec;

namespace {

using Errors = std::vector<std::string>;

std::unique_ptr<Expr> parsed(const std::string &source) {
  ExprParseResult result = parseMask(source);
  EXPECT_TRUE(result.errors.empty())
      << source << ": " << result.errors.front().message;
  return std::move(result.expr);
}

/// Every error as "COLUMN: MESSAGE", or "ok".
Errors maskErrors(std::string_view source) {
  ExprParseResult result = parseMask(source);
  if (result.errors.empty())
    return {"ok"};
  Errors out;
  for (const ExprError &error : result.errors)
    out.push_back(std::to_string(error.column()) + ": " + error.message);
  return out;
}

/// A random pair of a random shape: sq < skv, sq == skv and sq > skv each
/// about a third of the time.
Env randomEnv(std::mt19937_64 &rng) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Env env;
  env.sq = uniform(1, 400);
  switch (uniform(0, 2)) {
  case 0:
    env.skv = env.sq;
    break;
  case 1:
    env.skv = uniform(1, env.sq); // sq >= skv: negative diagonals
    break;
  default:
    env.skv = uniform(env.sq, 400);
    break;
  }
  env.q = uniform(0, env.sq - 1);
  env.k = uniform(0, env.skv - 1);
  env.b = uniform(0, 3);
  env.h = uniform(0, 15);
  return env;
}

std::string describe(const Env &env) {
  return "q=" + std::to_string(env.q) + " k=" + std::to_string(env.k) +
         " sq=" + std::to_string(env.sq) + " skv=" + std::to_string(env.skv) +
         " h=" + std::to_string(env.h);
}

/// The key on q's diagonal, with the bottom-right alignment of `causal`.
int64_t diag(const Env &env) { return env.q + (env.skv - env.sq); }

/// floor(x / n) for n > 0: x less its remainder in [0, n), divided exactly.
int64_t floorOf(int64_t x, int64_t n) {
  int64_t remainder = ((x % n) + n) % n;
  return (x - remainder) / n;
}

TEST(MaskBuiltins, TableEntries) {
  for (const char *name :
       {"window", "sink", "prefix", "chunk", "block_diagonal"}) {
    const Builtin *builtin = lookupBuiltin(name);
    ASSERT_NE(builtin, nullptr) << name;
    EXPECT_EQ(builtin->result, ExprType::Bool) << name;
    EXPECT_FALSE(builtin->definition.empty()) << name;
    for (ParamKind param : builtin->params)
      EXPECT_EQ(param, ParamKind::Int) << name;
  }
  EXPECT_EQ(lookupBuiltin("window")->params.size(), 2u);
  EXPECT_EQ(lookupBuiltin("chunk")->params.size(), 1u);
  // Only the sizes have a static check.
  EXPECT_EQ(lookupBuiltin("window")->checkLiteralArgument, nullptr);
  EXPECT_EQ(lookupBuiltin("sink")->checkLiteralArgument, nullptr);
  EXPECT_NE(lookupBuiltin("chunk")->checkLiteralArgument, nullptr);
  EXPECT_NE(lookupBuiltin("block_diagonal")->checkLiteralArgument, nullptr);
}

TEST(MaskBuiltins, Window) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> bound(-20, 300);
  for (int i = 0; i < 400; ++i) {
    int64_t left = bound(rng), right = bound(rng);
    std::unique_ptr<Expr> mask = parsed("window(" + std::to_string(left) +
                                        ", " + std::to_string(right) + ")");
    for (int j = 0; j < 100; ++j) {
      Env env = randomEnv(rng);
      // keep iff the key is at most `left` before the diagonal and at most
      // `right` after it.
      int64_t offset = env.k - diag(env);
      bool expected = -left <= offset && offset <= right;
      ASSERT_EQ(evaluateMask(*mask, env), expected)
          << "window(" << left << ", " << right << ") " << describe(env);
    }
  }
}

TEST(MaskBuiltins, WindowSpecialCases) {
  std::unique_ptr<Expr> causalSwa = parsed("window(3, 0)");
  std::unique_ptr<Expr> unboundedLeft = parsed("window(9223372036854775807, 0)");
  std::unique_ptr<Expr> unboundedRight =
      parsed("window(0, 9223372036854775807)");
  std::unique_ptr<Expr> diagonalOnly = parsed("window(0, 0)");
  std::unique_ptr<Expr> causal = parsed("causal");
  std::mt19937_64 rng(12);
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    bool isCausal = *evaluateMask(*causal, env);
    // window(n, 0) is causal with at most n keys before the diagonal.
    ASSERT_EQ(evaluateMask(*causalSwa, env),
              isCausal && env.k >= diag(env) - 3)
        << describe(env);
    // The bounds are exact for every int64: no intermediate overflows.
    ASSERT_EQ(evaluateMask(*unboundedLeft, env), isCausal) << describe(env);
    ASSERT_EQ(evaluateMask(*unboundedRight, env), env.k >= diag(env));
    ASSERT_EQ(evaluateMask(*diagonalOnly, env), env.k == diag(env));
  }
  // sq = 5, skv = 2: the diagonals of queries 0-4 are keys -3..1, so queries
  // 0-2 keep nothing, query 3 keeps key 0 and query 4 keeps keys 0-1.
  EXPECT_EQ(evaluateMask(*causalSwa, Env{0, 0, /*q=*/2, /*k=*/0, 5, 2}), false);
  EXPECT_EQ(evaluateMask(*causalSwa, Env{0, 0, /*q=*/3, /*k=*/0, 5, 2}), true);
  EXPECT_EQ(evaluateMask(*causalSwa, Env{0, 0, /*q=*/3, /*k=*/1, 5, 2}), false);
  EXPECT_EQ(evaluateMask(*causalSwa, Env{0, 0, /*q=*/4, /*k=*/0, 5, 2}), true);
  EXPECT_EQ(evaluateMask(*diagonalOnly, Env{0, 0, /*q=*/4, /*k=*/0, 5, 2}),
            false);
  // An empty window (right < -left) keeps nothing, and is allowed.
  std::unique_ptr<Expr> empty = parsed("window(-2, 1)");
  for (int i = 0; i < 2000; ++i)
    ASSERT_EQ(evaluateMask(*empty, randomEnv(rng)), false);
}

TEST(MaskBuiltins, SinkAndPrefixAreTheFirstKeys) {
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<int64_t> count(-5, 400);
  for (int i = 0; i < 400; ++i) {
    int64_t n = count(rng);
    std::unique_ptr<Expr> sink = parsed("sink(" + std::to_string(n) + ")");
    std::unique_ptr<Expr> prefix = parsed("prefix(" + std::to_string(n) + ")");
    for (int j = 0; j < 100; ++j) {
      Env env = randomEnv(rng);
      ASSERT_EQ(evaluateMask(*sink, env), env.k < n) << n << describe(env);
      ASSERT_EQ(evaluateMask(*prefix, env), env.k < n) << n << describe(env);
    }
  }
}

TEST(MaskBuiltins, ComposedAsInTheLiterature) {
  std::unique_ptr<Expr> prefixLm = parsed("causal || prefix(16)");
  std::unique_ptr<Expr> streaming = parsed("causal && (window(8, 0) || sink(4))");
  std::mt19937_64 rng(14);
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    bool isCausal = env.k <= diag(env);
    ASSERT_EQ(evaluateMask(*prefixLm, env), isCausal || env.k < 16)
        << describe(env);
    ASSERT_EQ(evaluateMask(*streaming, env),
              isCausal && (diag(env) - env.k <= 8 || env.k < 4))
        << describe(env);
  }
}

TEST(MaskBuiltins, EquivalencesStatedInTheDocs) {
  // docs/spec.md, "Structured masks": each pair is the same mask.
  const std::pair<const char *, const char *> equal[] = {
      {"window(255, 0)", "causal && q + skv - sq - k < 256"},
      {"window(9223372036854775807, 0)", "causal"},
      {"causal && (window(512, 0) || sink(4))",
       "causal && (k < 4 || q + skv - sq - k <= 512)"},
      {"chunk(64) && causal",
       "causal && k >= (q + skv - sq) - ((q + skv - sq) % 64 + 64) % 64"},
  };
  std::mt19937_64 rng(19);
  for (const auto &[builtin, written] : equal) {
    std::unique_ptr<Expr> lhs = parsed(builtin);
    std::unique_ptr<Expr> rhs = parsed(written);
    for (int i = 0; i < 20000; ++i) {
      Env env = randomEnv(rng);
      ASSERT_EQ(evaluateMask(*lhs, env), evaluateMask(*rhs, env))
          << builtin << " vs " << written << ": " << describe(env);
    }
  }
  // window(64, 64) is abs(q - k) <= 64 when sq == skv.
  std::unique_ptr<Expr> band = parsed("window(64, 64)");
  std::unique_ptr<Expr> absBand = parsed("abs(q - k) <= 64");
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    env.skv = env.sq;
    env.k = env.k % env.skv;
    ASSERT_EQ(evaluateMask(*band, env), evaluateMask(*absBand, env));
  }
}

TEST(MaskBuiltins, Chunk) {
  std::mt19937_64 rng(15);
  std::uniform_int_distribution<int64_t> size(1, 150);
  for (int i = 0; i < 400; ++i) {
    int64_t n = size(rng);
    std::unique_ptr<Expr> mask = parsed("chunk(" + std::to_string(n) + ")");
    for (int j = 0; j < 100; ++j) {
      Env env = randomEnv(rng);
      bool expected = floorOf(diag(env), n) == floorOf(env.k, n);
      ASSERT_EQ(evaluateMask(*mask, env), expected)
          << "chunk(" << n << ") " << describe(env);
    }
  }
  // With sq > skv the diagonal is negative: chunk -1 holds no key. sq = 10,
  // skv = 4: query 5 has diagonal -1, query 6 diagonal 0.
  std::unique_ptr<Expr> chunk4 = parsed("chunk(4)");
  EXPECT_EQ(evaluateMask(*chunk4, Env{0, 0, /*q=*/5, /*k=*/0, 10, 4}), false);
  EXPECT_EQ(evaluateMask(*chunk4, Env{0, 0, /*q=*/6, /*k=*/3, 10, 4}), true);
  // Truncating division would put diagonal -1 into chunk 0 with key 0.
  EXPECT_EQ(evaluateMask(*parsed("chunk(2)"), Env{0, 0, 5, 0, 10, 4}), false);
}

TEST(MaskBuiltins, BlockDiagonalIsTopLeftAligned) {
  std::mt19937_64 rng(16);
  std::uniform_int_distribution<int64_t> size(1, 150);
  for (int i = 0; i < 400; ++i) {
    int64_t n = size(rng);
    std::unique_ptr<Expr> mask =
        parsed("block_diagonal(" + std::to_string(n) + ")");
    for (int j = 0; j < 100; ++j) {
      Env env = randomEnv(rng);
      bool expected = floorOf(env.q, n) == floorOf(env.k, n);
      ASSERT_EQ(evaluateMask(*mask, env), expected)
          << "block_diagonal(" << n << ") " << describe(env);
    }
  }
  // Unlike chunk, the lengths do not move the blocks.
  EXPECT_EQ(evaluateMask(*parsed("block_diagonal(4)"), Env{0, 0, 1, 3, 8, 20}),
            true);
  EXPECT_EQ(evaluateMask(*parsed("chunk(4)"), Env{0, 0, 1, 3, 8, 20}), false);
}

TEST(MaskBuiltins, RadialBandHalvesWithFrameDistance) {
  // The definition read as Radial Attention states it: at frame distance d,
  // with r = floor(log2(max(d, 1))), keys within width / 2^r places of the
  // query's (real division); where 2^r > width, only frames at multiples of
  // ceil(2^r / width) keep their diagonal.
  std::mt19937_64 rng(19);
  std::uniform_int_distribution<int64_t> size(1, 40);
  for (int i = 0; i < 400; ++i) {
    int64_t frame = size(rng), width = size(rng);
    std::unique_ptr<Expr> mask = parsed("radial(" + std::to_string(frame) + ", " +
                                        std::to_string(width) + ")");
    for (int j = 0; j < 100; ++j) {
      Env env = randomEnv(rng);
      int64_t d = std::abs(env.q / frame - env.k / frame);
      int r = 0;
      while ((int64_t(2) << r) <= d)
        ++r;
      double scale = std::ldexp(1.0, r);
      double places = std::abs(double(env.q % frame) - double(env.k % frame));
      bool expected = places < width / scale &&
                      (scale <= width || d % int64_t(std::ceil(scale / width)) == 0);
      ASSERT_EQ(evaluateMask(*mask, env), expected)
          << "radial(" << frame << ", " << width << ") " << describe(env);
    }
  }
  // Frames of 4, width 4, query 2 of frame 0: the band narrows to one place
  // at distance 4, and from distance 8 on every second frame keeps it.
  std::unique_ptr<Expr> radial = parsed("radial(4, 4)");
  std::string row;
  for (int64_t k = 0; k < 48; ++k)
    row += *evaluateMask(*radial, Env{0, 0, /*q=*/2, k, 48, 48}) ? '1' : '.';
  EXPECT_EQ(row, "1111" "1111" ".111" ".111" "..1." "..1." "..1." "..1." "..1." "...." "..1."
                 "....");
}

TEST(MaskBuiltins, SizesThatAreNotLiterals) {
  // A size computed at run time is allowed; one that is not positive there
  // is undefined, like a zero divisor.
  std::unique_ptr<Expr> chunk = parsed("chunk(h)");
  std::unique_ptr<Expr> blocks = parsed("block_diagonal(h - 2)");
  std::mt19937_64 rng(17);
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    std::optional<bool> chunkKeep = evaluateMask(*chunk, env);
    std::optional<bool> blockKeep = evaluateMask(*blocks, env);
    if (env.h <= 0) {
      ASSERT_EQ(chunkKeep, std::nullopt);
    } else {
      ASSERT_EQ(chunkKeep,
                floorOf(diag(env), env.h) == floorOf(env.k, env.h));
    }
    if (env.h - 2 <= 0) {
      ASSERT_EQ(blockKeep, std::nullopt);
    } else {
      ASSERT_EQ(blockKeep,
                floorOf(env.q, env.h - 2) == floorOf(env.k, env.h - 2));
    }
  }
  // Guarded like any other division.
  EXPECT_EQ(evaluateMask(*parsed("h > 0 && chunk(h)"), Env{}), false);
  // Window bounds and sink counts may come from any expression.
  Env env{0, /*h=*/3, /*q=*/10, /*k=*/6, /*sq=*/20, /*skv=*/20};
  EXPECT_EQ(evaluateMask(*parsed("window(h + 1, 0)"), env), true);
  EXPECT_EQ(evaluateMask(*parsed("window(h, 0)"), env), false);
  EXPECT_EQ(evaluateMask(*parsed("sink(2 * h)"), env), false);
  EXPECT_EQ(evaluateMask(*parsed("sink(2 * h + 1)"), env), true);
}

TEST(MaskBuiltins, SizesMustBePositiveLiterals) {
  EXPECT_EQ(maskErrors("chunk(0)"),
            Errors{"7: chunk size must be positive, got 0"});
  EXPECT_EQ(maskErrors("chunk(-8192) && causal"),
            Errors{"7: chunk size must be positive, got -8192"});
  EXPECT_EQ(maskErrors("causal && block_diagonal( 0)"),
            Errors{"27: block size must be positive, got 0"});
  // A parenthesised or negated literal is still a literal; the column is
  // where the argument starts.
  EXPECT_EQ(maskErrors("chunk((0))"),
            Errors{"7: chunk size must be positive, got 0"});
  EXPECT_EQ(maskErrors("chunk(-(3))"),
            Errors{"7: chunk size must be positive, got -3"});
  // Independent mistakes are all reported.
  EXPECT_EQ(maskErrors("chunk(0) || block_diagonal(-1)"),
            (Errors{"7: chunk size must be positive, got 0",
                    "28: block size must be positive, got -1"}));
  // Positive literals and anything computed are accepted.
  EXPECT_EQ(maskErrors("chunk(1) && block_diagonal(9223372036854775807)"),
            Errors{"ok"});
  EXPECT_EQ(maskErrors("chunk(0 + 0)"), Errors{"ok"});
  EXPECT_EQ(maskErrors("chunk(--1) || block_diagonal(h)"), Errors{"ok"});
  EXPECT_EQ(maskErrors("radial(0, 4) || radial(4, -1)"),
            (Errors{"8: frame size must be positive, got 0",
                    "27: width must be positive, got -1"}));
}

TEST(MaskBuiltins, WindowSinkAndPrefixTakeAnyInteger) {
  for (const char *source :
       {"window(0, 0)", "window(-5, 3)", "window(3, -5)", "window(1024, 0)",
        "window(0, 9223372036854775807)", "sink(0)", "sink(-4)", "prefix(-1)",
        "prefix(0)", "window(q, k)", "sink(skv - 4)"})
    EXPECT_EQ(maskErrors(source), Errors{"ok"}) << source;
}

TEST(MaskBuiltins, ArgumentTypesAndCounts) {
  EXPECT_EQ(maskErrors("window(causal, 0)"),
            Errors{"8: first argument of 'window' must be int, but 'causal' "
                   "is bool"});
  EXPECT_EQ(maskErrors("window(1, k < q)"),
            Errors{"11: second argument of 'window' must be int, but 'k < q' "
                   "is bool"});
  EXPECT_EQ(maskErrors("sink(true) || causal"),
            Errors{"6: first argument of 'sink' must be int, but 'true' is "
                   "bool"});
  // A type error is reported before (and instead of) the literal check.
  EXPECT_EQ(maskErrors("chunk(false)"),
            Errors{"7: first argument of 'chunk' must be int, but 'false' is "
                   "bool"});
  EXPECT_EQ(maskErrors("window(1024)"),
            Errors{"1: 'window' takes 2 arguments, got 1"});
  EXPECT_EQ(maskErrors("causal && prefix(1, 2)"),
            Errors{"11: 'prefix' takes 1 argument, got 2"});
  EXPECT_EQ(maskErrors("sink || causal"),
            Errors{"1: 'sink' takes 1 argument; call it as sink(...)"});
  // They are bools, so they are masks, not numbers.
  EXPECT_EQ(maskErrors("q + window(1, 0)"),
            Errors{"5: right operand of '+' must be int, but 'window(1, 0)' "
                   "is bool"});
  EXPECT_EQ(maskErrors("blok_diagonal(4)"),
            Errors{"1: unknown function 'blok_diagonal'; did you mean "
                   "'block_diagonal'?"});
}

TEST(MaskBuiltins, PrintRoundTrip) {
  const std::pair<const char *, const char *> cases[] = {
      {"window(1024,0)", "window(1024, 0)"},
      {"window(512, 0) || sink(4)", "(window(512, 0) || sink(4))"},
      {"causal || prefix( 2048 )", "(causal || prefix(2048))"},
      {"chunk(8192) && causal", "(chunk(8192) && causal)"},
      {"block_diagonal(256)", "block_diagonal(256)"},
      {"window(-1, h * 2 + 1)", "window((-1), ((h * 2) + 1))"},
      {"!chunk(16) ? sink(skv - 1) : block_diagonal((4))",
       "((!chunk(16)) ? sink((skv - 1)) : block_diagonal(4))"},
  };
  for (const auto &[source, printed] : cases) {
    std::unique_ptr<Expr> expr = parsed(source);
    ASSERT_TRUE(expr) << source;
    EXPECT_EQ(printExpr(*expr), printed) << source;
    // The printed form parses back to the same tree.
    std::unique_ptr<Expr> again = parsed(printed);
    ASSERT_TRUE(again) << printed;
    EXPECT_EQ(printExpr(*again), printed);
    EXPECT_EQ(printExpr(*cloneExpr(*expr)), printed);
  }
}

TEST(MaskBuiltins, DefinitionsInTheLanguageAgree) {
  // window, sink and prefix are defined in the expression language itself:
  // their definitions, with the parameters written in, are the same masks.
  auto substitute = [](std::string text, const std::string &name,
                       int64_t value) {
    std::string replacement = "(" + std::to_string(value) + ")";
    for (size_t at = text.find(name); at != std::string::npos;
         at = text.find(name, at + replacement.size()))
      text.replace(at, name.size(), replacement);
    return text;
  };
  std::string window(lookupBuiltin("window")->definition);
  std::string sink(lookupBuiltin("sink")->definition);
  std::string prefix(lookupBuiltin("prefix")->definition);
  std::mt19937_64 rng(18);
  std::uniform_int_distribution<int64_t> value(-10, 200);
  for (int i = 0; i < 200; ++i) {
    int64_t left = value(rng), right = value(rng);
    std::unique_ptr<Expr> call = parsed("window(" + std::to_string(left) +
                                        ", " + std::to_string(right) + ")");
    std::unique_ptr<Expr> defined =
        parsed(substitute(substitute(window, "left", left), "right", right));
    std::unique_ptr<Expr> sinkCall = parsed("sink(" + std::to_string(left) + ")");
    std::unique_ptr<Expr> sinkDefined = parsed(substitute(sink, "n", left));
    std::unique_ptr<Expr> prefixDefined = parsed(substitute(prefix, "n", left));
    for (int j = 0; j < 50; ++j) {
      Env env = randomEnv(rng);
      ASSERT_EQ(evaluateMask(*call, env), evaluateMask(*defined, env));
      ASSERT_EQ(evaluateMask(*sinkCall, env), evaluateMask(*sinkDefined, env));
      ASSERT_EQ(evaluateMask(*sinkCall, env), evaluateMask(*prefixDefined, env));
    }
  }
}

} // namespace
