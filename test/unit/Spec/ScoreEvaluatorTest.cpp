//===- ScoreEvaluatorTest.cpp - Semantics of score expressions ------------===//
//
// evaluateScore() is the reference the kernels' score modifications are held
// to. It is checked on values worked out by hand (exact where the numbers
// are dyadic), and the float built-ins against their definitions, written
// independently here with the C library.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/ExprParser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace attnc::spec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::unique_ptr<Expr> parsedScore(std::string_view source) {
  ExprParseResult result = parseScore(source);
  EXPECT_TRUE(result.errors.empty())
      << source << ": " << result.errors.front().message;
  return std::move(result.expr);
}

Env envWith(double s, int64_t q = 0, int64_t k = 0, int64_t h = 0,
            int64_t hq = 8) {
  Env env;
  env.s = s;
  env.q = q;
  env.k = k;
  env.h = h;
  env.hq = hq;
  env.sq = 64;
  env.skv = 64;
  return env;
}

/// The score of `source` for `env`; NaN where it is undefined, which the
/// tests below never expect unless they say so.
double scoreOf(std::string_view source, const Env &env) {
  std::unique_ptr<Expr> expr = parsedScore(source);
  if (!expr)
    return std::nan("");
  return evaluateScore(*expr, env).value_or(std::nan(""));
}

TEST(ScoreEvaluator, Identity) {
  EXPECT_EQ(scoreOf("s", envWith(1.25)), 1.25);
  EXPECT_EQ(scoreOf("s", envWith(-kInf)), -kInf);
}

TEST(ScoreEvaluator, Temperature) {
  EXPECT_EQ(scoreOf("s / 0.5", envWith(3.0)), 6.0);
  EXPECT_DOUBLE_EQ(scoreOf("s / 0.7", envWith(1.4)), 2.0);
  EXPECT_EQ(scoreOf("s * 2", envWith(-1.5)), -3.0);
}

TEST(ScoreEvaluator, Softcap) {
  // 50 * tanh(100 / 50) = 50 * tanh(2), tanh(2) = 0.96402758007581688.
  EXPECT_NEAR(scoreOf("softcap(s, 50.0)", envWith(100.0)), 48.201379003790844,
              1e-12);
  EXPECT_EQ(scoreOf("softcap(s, 50.0)", envWith(0.0)), 0.0);
  // Odd, bounded by the cap, and the identity near 0 (tanh x ~ x - x^3/3).
  EXPECT_EQ(scoreOf("softcap(s, 50.0)", envWith(-100.0)),
            -scoreOf("softcap(s, 50.0)", envWith(100.0)));
  EXPECT_EQ(scoreOf("softcap(s, 50.0)", envWith(1e6)), 50.0);
  EXPECT_EQ(scoreOf("softcap(s, 50.0)", envWith(kInf)), 50.0);
  EXPECT_NEAR(scoreOf("softcap(s, 50.0)", envWith(0.5)),
              0.5 - 0.5 * 0.5 * 0.5 / (3 * 50.0 * 50.0), 1e-8);
  // An int cap is converted: the same as 30.0.
  EXPECT_EQ(scoreOf("softcap(s, 30)", envWith(7.0)),
            scoreOf("softcap(s, 30.0)", envWith(7.0)));
}

TEST(ScoreEvaluator, Alibi) {
  const char *alibi = "s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)";
  // 8 heads: slopes 1/2, 1/4, ..., 1/256; all values here are exact.
  EXPECT_EQ(scoreOf(alibi, envWith(1.0, /*q=*/10, /*k=*/3, /*h=*/0, 8)), -2.5);
  EXPECT_EQ(scoreOf(alibi, envWith(1.0, /*q=*/10, /*k=*/3, /*h=*/1, 8)), -0.75);
  EXPECT_EQ(scoreOf(alibi, envWith(0.0, /*q=*/3, /*k=*/10, /*h=*/7, 8)),
            -7.0 / 256);
  // The diagonal gets no bias.
  EXPECT_EQ(scoreOf(alibi, envWith(0.375, /*q=*/5, /*k=*/5, /*h=*/3, 8)),
            0.375);
  // 16 heads: slopes 2^-0.5, 2^-1, ..., 2^-8.
  EXPECT_DOUBLE_EQ(scoreOf(alibi, envWith(0.0, 1, 0, /*h=*/0, 16)),
                   -std::sqrt(0.5));
  EXPECT_EQ(scoreOf(alibi, envWith(0.0, 1, 0, /*h=*/15, 16)), -1.0 / 256);
}

TEST(ScoreEvaluator, IntDivisionStaysIntegral) {
  // (h + 1) / hq is C division on ints: 0 for every head but the last.
  EXPECT_EQ(scoreOf("s + (h + 1) / hq", envWith(0.5, 0, 0, /*h=*/3, 8)), 0.5);
  EXPECT_EQ(scoreOf("s + (h + 1) / hq", envWith(0.5, 0, 0, /*h=*/7, 8)), 1.5);
  // One float operand makes it a float division.
  EXPECT_EQ(scoreOf("s + (h + 1) / (1.0 * hq)", envWith(0.5, 0, 0, 3, 8)), 1.0);
  EXPECT_EQ(scoreOf("s + q / 2", envWith(0.0, /*q=*/5)), 2.0);
  EXPECT_EQ(scoreOf("s + q / 2.0", envWith(0.0, /*q=*/5)), 2.5);
  EXPECT_EQ(scoreOf("-7 / 2 + s", envWith(0.0)), -3.0);
}

TEST(ScoreEvaluator, IntResultsAreConverted) {
  std::unique_ptr<Expr> bias = parsedScore("q - k");
  ASSERT_TRUE(bias);
  EXPECT_EQ(bias->type, ExprType::Int);
  EXPECT_EQ(evaluateScore(*bias, envWith(9.0, 2, 7)), -5.0);
}

TEST(ScoreEvaluator, OnlyIntSubexpressionsAreUndefined) {
  std::unique_ptr<Expr> byKey = parsedScore("s + q / k");
  ASSERT_TRUE(byKey);
  EXPECT_EQ(evaluateScore(*byKey, envWith(1.0, 4, 2)), 3.0);
  EXPECT_EQ(evaluateScore(*byKey, envWith(1.0, 4, 0)), std::nullopt);
  // A float division by zero is IEEE: inf, or NaN for 0 / 0.
  EXPECT_EQ(scoreOf("1.0 / k", envWith(0.0, 0, 0)), kInf);
  EXPECT_EQ(scoreOf("-1.0 / k", envWith(0.0, 0, 0)), -kInf);
  std::unique_ptr<Expr> zeroByZero = parsedScore("s / k");
  ASSERT_TRUE(zeroByZero);
  std::optional<double> nan = evaluateScore(*zeroByZero, envWith(0.0, 0, 0));
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan(*nan));
  // log is defined everywhere: -inf at 0, NaN below.
  EXPECT_EQ(scoreOf("log(s)", envWith(0.0)), -kInf);
  std::optional<double> logOfNegative =
      evaluateScore(*parsedScore("log(s)"), envWith(-1.0));
  ASSERT_TRUE(logOfNegative);
  EXPECT_TRUE(std::isnan(*logOfNegative));
  // The guard of '?:' is not evaluated on the side not taken.
  EXPECT_EQ(scoreOf("k != 0 ? s + q / k : s", envWith(1.0, 4, 0)), 1.0);
  // An int overflow is undefined even inside a float expression.
  Env big = envWith(1.0);
  big.q = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(evaluateScore(*parsedScore("s + (q + 1)"), big), std::nullopt);
  // In double, q + 1.0 rounds to 2^63, and adding s = 1 changes nothing.
  EXPECT_EQ(evaluateScore(*parsedScore("s + (q + 1.0)"), big), 0x1p63);
}

TEST(ScoreEvaluator, ComparisonsAndConditionals) {
  // ReLU, and a comparison of an int with a float.
  EXPECT_EQ(scoreOf("s > 0.0 ? s : 0.0", envWith(-2.0)), 0.0);
  EXPECT_EQ(scoreOf("s > 0.0 ? s : 0.0", envWith(2.0)), 2.0);
  EXPECT_EQ(scoreOf("q < s ? 1 : 2.5", envWith(1.5, /*q=*/1)), 1.0);
  EXPECT_EQ(scoreOf("q < s ? 1 : 2.5", envWith(0.5, /*q=*/1)), 2.5);
  EXPECT_EQ(scoreOf("q == s ? 1.0 : 0.0", envWith(3.0, /*q=*/3)), 1.0);
  // NaN compares false, but '!='.
  double nan = std::nan("");
  EXPECT_EQ(scoreOf("s < 0.0 || s >= 0.0 ? 1.0 : 0.0", envWith(nan)), 0.0);
  EXPECT_EQ(scoreOf("s != s ? 1.0 : 0.0", envWith(nan)), 1.0);
  // A bool expression with floats inside is evaluate()'s too.
  ExprParseResult condition =
      parseExpr("s > 0.5 && tanh(s) < 1.0", ExprContext::Score);
  ASSERT_TRUE(condition.expr);
  EXPECT_EQ(evaluateMask(*condition.expr, envWith(1.0)), true);
  EXPECT_EQ(evaluateMask(*condition.expr, envWith(0.25)), false);
  // evaluate() has no value for a float expression.
  EXPECT_EQ(evaluate(*parsedScore("s + 1"), envWith(1.0)), std::nullopt);
}

TEST(ScoreEvaluator, OverloadedMinMaxAbs) {
  EXPECT_EQ(scoreOf("min(s, 2)", envWith(3.5)), 2.0);
  EXPECT_EQ(scoreOf("max(s, 2)", envWith(3.5)), 3.5);
  EXPECT_EQ(scoreOf("abs(s)", envWith(-0.25)), 0.25);
  EXPECT_EQ(scoreOf("min(q, k) + s", envWith(0.5, 3, 9)), 3.5);
  EXPECT_EQ(scoreOf("abs(q - k) * 1.5", envWith(0.0, 3, 9)), 9.0);
  // The definitions decide NaN: a < b ? a : b takes b when a is NaN.
  double nan = std::nan("");
  EXPECT_EQ(scoreOf("min(s, 1.0)", envWith(nan)), 1.0);
  EXPECT_TRUE(std::isnan(scoreOf("min(1.0, s)", envWith(nan))));
  EXPECT_EQ(scoreOf("max(s, 1.0)", envWith(nan)), 1.0);
}

TEST(ScoreEvaluator, FloatFunctions) {
  EXPECT_EQ(scoreOf("exp(s)", envWith(0.0)), 1.0);
  EXPECT_DOUBLE_EQ(scoreOf("exp(s)", envWith(1.0)), 2.718281828459045);
  EXPECT_EQ(scoreOf("exp2(s)", envWith(-1.0)), 0.5);
  EXPECT_EQ(scoreOf("exp2(10)", envWith(0.0)), 1024.0);
  EXPECT_EQ(scoreOf("log(s)", envWith(1.0)), 0.0);
  EXPECT_DOUBLE_EQ(scoreOf("log(exp(s))", envWith(3.0)), 3.0);
  EXPECT_EQ(scoreOf("tanh(s)", envWith(0.0)), 0.0);
  EXPECT_DOUBLE_EQ(scoreOf("tanh(s)", envWith(1.0)), 0.7615941559557649);
  EXPECT_EQ(scoreOf("tanh(s)", envWith(-kInf)), -1.0);
  EXPECT_EQ(scoreOf("sigmoid(s)", envWith(0.0)), 0.5);
  // 1 / (1 + e^-2)
  EXPECT_DOUBLE_EQ(scoreOf("sigmoid(s)", envWith(2.0)), 0.8807970779778823);
  EXPECT_EQ(scoreOf("sigmoid(s)", envWith(-kInf)), 0.0);
  EXPECT_EQ(scoreOf("sigmoid(s)", envWith(kInf)), 1.0);
  // Int arguments are converted.
  EXPECT_DOUBLE_EQ(scoreOf("tanh(q - k)", envWith(0.0, 3, 2)),
                   0.7615941559557649);
}

TEST(ScoreBuiltins, AgreeWithTheirDefinitions) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> scores(-200.0, 200.0);
  std::uniform_real_distribution<double> caps(1.0, 100.0);
  std::unique_ptr<Expr> softcap = parsedScore("softcap(s, 1.0 * hq)");
  std::unique_ptr<Expr> softcapSpelled = parsedScore("hq * tanh(s / hq)");
  std::unique_ptr<Expr> sigmoid = parsedScore("sigmoid(s)");
  std::unique_ptr<Expr> sigmoidSpelled = parsedScore("1.0 / (1.0 + exp(-s))");
  std::unique_ptr<Expr> tanhExpr = parsedScore("tanh(s / 100)");
  std::unique_ptr<Expr> tanhSpelled =
      parsedScore("(exp(s / 100) - exp(-s / 100)) / (exp(s / 100) + exp(-s / "
                  "100))");
  ASSERT_TRUE(softcap && softcapSpelled && sigmoid && sigmoidSpelled &&
              tanhExpr && tanhSpelled);
  for (int i = 0; i < 5000; ++i) {
    Env env = envWith(scores(rng));
    env.hq = static_cast<int64_t>(caps(rng));
    double cap = static_cast<double>(env.hq);
    double expectedSoftcap = cap * std::tanh(env.s / cap);
    ASSERT_EQ(evaluateScore(*softcap, env), expectedSoftcap) << env.s;
    ASSERT_EQ(evaluateScore(*softcapSpelled, env), expectedSoftcap) << env.s;
    ASSERT_LE(std::fabs(expectedSoftcap), cap);
    ASSERT_EQ(evaluateScore(*sigmoid, env), evaluateScore(*sigmoidSpelled, env))
        << env.s;
    ASSERT_NEAR(*evaluateScore(*tanhExpr, env),
                *evaluateScore(*tanhSpelled, env), 1e-14)
        << env.s;
  }
}

TEST(ScoreBuiltins, TableEntries) {
  for (const char *name :
       {"tanh", "exp", "exp2", "log", "sigmoid", "softcap"}) {
    const Builtin *builtin = lookupBuiltin(name);
    ASSERT_NE(builtin, nullptr) << name;
    EXPECT_EQ(builtin->use, BuiltinUse::Score) << name;
    EXPECT_EQ(builtin->result, ExprType::Float) << name;
    EXPECT_EQ(builtin->evaluate, nullptr) << name;
    EXPECT_NE(builtin->evaluateFloat, nullptr) << name;
    EXPECT_FALSE(builtin->definition.empty()) << name;
    for (ParamKind param : builtin->params)
      EXPECT_EQ(param, ParamKind::Float) << name;
    EXPECT_TRUE(isAvailable(*builtin, ExprContext::Score)) << name;
    EXPECT_FALSE(isAvailable(*builtin, ExprContext::Mask)) << name;
  }
  EXPECT_EQ(lookupBuiltin("softcap")->params.size(), 2u);
  EXPECT_NE(lookupBuiltin("softcap")->checkFloatLiteralArgument, nullptr);
  EXPECT_EQ(lookupBuiltin("softcap")->definition, "c * tanh(x / c), c > 0");
  EXPECT_EQ(lookupBuiltin("sigmoid")->definition, "1.0 / (1.0 + exp(-x))");

  for (const char *name : {"min", "max", "abs"}) {
    const Builtin *builtin = lookupBuiltin(name);
    ASSERT_NE(builtin, nullptr) << name;
    EXPECT_EQ(builtin->use, BuiltinUse::Any) << name;
    EXPECT_EQ(builtin->result, ExprType::Int) << name;
    EXPECT_NE(builtin->evaluate, nullptr) << name;
    EXPECT_NE(builtin->evaluateFloat, nullptr) << name;
    for (ParamKind param : builtin->params)
      EXPECT_EQ(param, ParamKind::Numeric) << name;
    EXPECT_EQ(
        callResultType(*builtin, std::vector<ExprType>(builtin->params.size(),
                                                       ExprType::Int)),
        ExprType::Int);
    EXPECT_EQ(
        callResultType(*builtin, std::vector<ExprType>(builtin->params.size(),
                                                       ExprType::Float)),
        ExprType::Float);
  }
  EXPECT_EQ(
      callResultType(*lookupBuiltin("min"), {ExprType::Int, ExprType::Float}),
      ExprType::Float);

  for (const char *name : {"none", "causal", "window", "chunk"}) {
    const Builtin *builtin = lookupBuiltin(name);
    EXPECT_EQ(builtin->use, BuiltinUse::Mask) << name;
    EXPECT_EQ(builtin->evaluateFloat, nullptr) << name;
  }
}

} // namespace
