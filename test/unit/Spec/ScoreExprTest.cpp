//===- ScoreExprTest.cpp - Parsing and typing of score expressions --------===//
//
// Float literals, int-to-float promotion, the score-only variables and
// built-ins, the errors of each (with their expression columns), and the
// printing of float literals so that they read back exactly.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/ExprParser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace attnc::spec;

namespace {

using Errors = std::vector<std::string>;

/// Every error as "COLUMN: MESSAGE", or {"ok"}.
Errors errorsOf(const ExprParseResult &result) {
  if (result.errors.empty())
    return {"ok"};
  Errors out;
  for (const ExprError &error : result.errors)
    out.push_back(std::to_string(error.column()) + ": " + error.message);
  return out;
}

Errors scoreErrors(std::string_view source) {
  return errorsOf(parseScore(source));
}
Errors maskErrors(std::string_view source) {
  return errorsOf(parseMask(source));
}

std::unique_ptr<Expr> score(std::string_view source) {
  ExprParseResult result = parseExpr(source, ExprContext::Score);
  EXPECT_TRUE(result.errors.empty())
      << source << ": " << result.errors.front().message;
  return std::move(result.expr);
}

ExprType typeOf(std::string_view source) {
  std::unique_ptr<Expr> expr = score(source);
  return expr ? expr->type : ExprType::Bool;
}

bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

TEST(ScoreLexer, FloatLiterals) {
  struct Case {
    const char *source;
    double value;
  };
  for (Case c :
       {Case{"50.0", 50.0}, Case{"0.5", 0.5}, Case{"1e-3", 1e-3},
        Case{"2.", 2.0}, Case{".5", 0.5}, Case{"5E+2", 500.0}, Case{"0.0", 0.0},
        Case{"1.5e3", 1500.0}, Case{"0e0", 0.0}, Case{"0.1", 0.1}}) {
    std::unique_ptr<Expr> expr = score(c.source);
    ASSERT_TRUE(expr) << c.source;
    EXPECT_EQ(expr->kind, ExprKind::FloatLiteral) << c.source;
    EXPECT_EQ(expr->type, ExprType::Float) << c.source;
    EXPECT_EQ(expr->floatValue, c.value) << c.source;
    EXPECT_EQ(expr->length, std::strlen(c.source)) << c.source;
  }
  // Without '.' or exponent a literal stays an int.
  std::unique_ptr<Expr> fifty = score("50");
  ASSERT_TRUE(fifty);
  EXPECT_EQ(fifty->kind, ExprKind::IntLiteral);
  EXPECT_EQ(fifty->type, ExprType::Int);
}

TEST(ScoreLexer, MalformedFloatLiterals) {
  EXPECT_EQ(scoreErrors("s * 1.0f"), Errors{"5: invalid float literal '1.0f'"});
  EXPECT_EQ(scoreErrors("s * 1e"), Errors{"5: invalid float literal '1e'"});
  EXPECT_EQ(scoreErrors("s * 1e+"), Errors{"5: invalid float literal '1e'"});
  EXPECT_EQ(scoreErrors("1.2.3"), Errors{"1: invalid float literal '1.2.3'"});
  EXPECT_EQ(scoreErrors("s + 01.5"),
            Errors{"5: float literal '01.5' has a leading zero"});
  EXPECT_EQ(scoreErrors("s * 1e400"),
            Errors{"5: float literal '1e400' is out of the range of a double"});
  EXPECT_EQ(scoreErrors("12abc"), Errors{"1: invalid integer literal '12abc'"});
  // A lone '.' is no number.
  EXPECT_EQ(scoreErrors("s . 5"), Errors{"3: unexpected character '.'"});
}

TEST(ScoreSema, Promotion) {
  EXPECT_EQ(typeOf("s"), ExprType::Float);
  EXPECT_EQ(typeOf("hq"), ExprType::Int);
  EXPECT_EQ(typeOf("s * 2"), ExprType::Float);
  EXPECT_EQ(typeOf("2 * s"), ExprType::Float);
  EXPECT_EQ(typeOf("q - k"), ExprType::Int);
  EXPECT_EQ(typeOf("(h + 1) / hq"), ExprType::Int); // C division, not float
  EXPECT_EQ(typeOf("-8.0 * (h + 1) / hq"), ExprType::Float);
  EXPECT_EQ(typeOf("-s"), ExprType::Float);
  EXPECT_EQ(typeOf("-q"), ExprType::Int);
  EXPECT_EQ(typeOf("q < s"), ExprType::Bool);
  EXPECT_EQ(typeOf("s == 1"), ExprType::Bool);
  EXPECT_EQ(typeOf("q < k ? s : 0"), ExprType::Float);
  EXPECT_EQ(typeOf("q < k ? 1 : 2"), ExprType::Int);
  EXPECT_EQ(typeOf("q < k ? 1 : 2.5"), ExprType::Float);
  EXPECT_EQ(typeOf("s > 0.0 && q < k"), ExprType::Bool);
  EXPECT_EQ(typeOf("min(q, k)"), ExprType::Int);
  EXPECT_EQ(typeOf("min(s, 0)"), ExprType::Float);
  EXPECT_EQ(typeOf("max(1, 2.0)"), ExprType::Float);
  EXPECT_EQ(typeOf("abs(q - k)"), ExprType::Int);
  EXPECT_EQ(typeOf("abs(s)"), ExprType::Float);
  EXPECT_EQ(typeOf("tanh(q)"), ExprType::Float);
  EXPECT_EQ(typeOf("softcap(s, 50)"), ExprType::Float);
  EXPECT_EQ(typeOf("s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)"),
            ExprType::Float);

  // The promoted operands keep their own types: the lowering converts them.
  std::unique_ptr<Expr> scaled = score("s * 2");
  ASSERT_TRUE(scaled);
  EXPECT_EQ(scaled->operand(0).type, ExprType::Float);
  EXPECT_EQ(scaled->operand(1).type, ExprType::Int);
  std::unique_ptr<Expr> call = score("softcap(s, 50)");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->operand(1).kind, ExprKind::IntLiteral);
}

TEST(ScoreSema, ScoreMustBeANumber) {
  EXPECT_EQ(scoreErrors("softcap(s, 50.0)"), Errors{"ok"});
  EXPECT_EQ(scoreErrors("q - k"), Errors{"ok"}); // int, converted
  EXPECT_EQ(scoreErrors("s < 0.0"),
            Errors{"1: the score must be float, but 's < 0.0' is bool"});
  EXPECT_EQ(scoreErrors("true"),
            Errors{"1: the score must be float, but 'true' is bool"});
}

TEST(ScoreSema, OperandTypes) {
  EXPECT_EQ(scoreErrors("s % 2"),
            Errors{"1: left operand of '%' must be int, but 's' is float"});
  EXPECT_EQ(scoreErrors("q % 2.0"),
            Errors{"5: right operand of '%' must be int, but '2.0' is float"});
  EXPECT_EQ(scoreErrors("s + (k < 3)"),
            Errors{"5: right operand of '+' must be int or float, but '(k < "
                   "3)' is bool"});
  EXPECT_EQ(
      scoreErrors("-(q < k)"),
      Errors{"2: operand of '-' must be int or float, but '(q < k)' is bool"});
  EXPECT_EQ(scoreErrors("!s ? 1.0 : s"),
            Errors{"2: operand of '!' must be bool, but 's' is float"});
  EXPECT_EQ(scoreErrors("s && true ? s : 0.0"),
            Errors{"1: left operand of '&&' must be bool, but 's' is float"});
  EXPECT_EQ(scoreErrors("s ? 1.0 : 2.0"),
            Errors{"1: condition of '?:' must be bool, but 's' is float"});
  EXPECT_EQ(scoreErrors("q < k ? s : true"),
            Errors{"1: branches of '?:' must have the same type, but 's' is "
                   "float and 'true' is bool"});
  EXPECT_EQ(
      scoreErrors("tanh(q < k)"),
      Errors{"6: first argument of 'tanh' must be float, but 'q < k' is bool"});
  EXPECT_EQ(scoreErrors("min(s, q < k)"),
            Errors{"8: second argument of 'min' must be int or float, but 'q "
                   "< k' is bool"});
  EXPECT_EQ(scoreErrors("s / 0"), Errors{"5: division by zero"});
  EXPECT_EQ(scoreErrors("s / 0.0"), Errors{"5: division by zero"});
  EXPECT_EQ(scoreErrors("s * (1 / 0.0)"), Errors{"10: division by zero"});
}

TEST(ScoreSema, SoftcapCapMustBePositive) {
  EXPECT_EQ(scoreErrors("softcap(s, 0.0)"),
            Errors{"12: softcap cap must be positive, got 0.0"});
  EXPECT_EQ(scoreErrors("softcap(s, 0)"),
            Errors{"12: softcap cap must be positive, got 0.0"});
  EXPECT_EQ(scoreErrors("softcap(s, -30)"),
            Errors{"12: softcap cap must be positive, got -30.0"});
  EXPECT_EQ(scoreErrors("softcap(s, -2.5)"),
            Errors{"12: softcap cap must be positive, got -2.5"});
  // Only a literal is judged; a computed cap is the user's to keep positive.
  EXPECT_EQ(scoreErrors("softcap(s, 0.5 * hq)"), Errors{"ok"});
  // The first argument is not a cap.
  EXPECT_EQ(scoreErrors("softcap(0.0, 30.0)"), Errors{"ok"});
}

TEST(ScoreSema, ScoreOnlyNamesAreRejectedInMasks) {
  EXPECT_EQ(maskErrors("s > 0"),
            Errors{"1: 's' is only available in score expressions"});
  EXPECT_EQ(maskErrors("h < hq / 2"),
            Errors{"5: 'hq' is only available in score expressions"});
  EXPECT_EQ(maskErrors("q < 0.5 * skv"),
            Errors{"5: float literal '0.5' is only available in score "
                   "expressions"});
  EXPECT_EQ(maskErrors("causal && tanh(q) > 0"),
            Errors{"11: 'tanh' is only available in score expressions"});
  EXPECT_EQ(maskErrors("softcap(q, 2) > 0"),
            Errors{"1: 'softcap' is only available in score expressions"});
  // Each mistake once, whatever stands around it.
  EXPECT_EQ(maskErrors("s > 0 || hq > 1"),
            (Errors{"1: 's' is only available in score expressions",
                    "10: 'hq' is only available in score expressions"}));
  // min, max and abs stay available, as int functions.
  EXPECT_EQ(maskErrors("abs(q - k) <= max(1, min(q, 8))"), Errors{"ok"});
  EXPECT_EQ(maskErrors("abs(q - 1.5) < 2"),
            Errors{"9: float literal '1.5' is only available in score "
                   "expressions"});
}

TEST(ScoreSema, MaskBuiltinsAreRejectedInScores) {
  EXPECT_EQ(scoreErrors("causal ? s : 0.0"),
            Errors{"1: 'causal' is only available in masks"});
  EXPECT_EQ(scoreErrors("s - (window(4, 0) ? 0.0 : 1.0)"),
            Errors{"6: 'window' is only available in masks"});
}

TEST(ScoreParser, NamesOfferedDependOnTheContext) {
  EXPECT_EQ(scoreErrors("s * x"),
            Errors{"5: unknown identifier 'x'; the variables are b, h, q, k, "
                   "sq, skv, s, hq"});
  EXPECT_EQ(scoreErrors("foo(s)"),
            Errors{"1: unknown function 'foo'; the built-in functions are "
                   "min, max, abs, tanh, exp, exp2, log, sigmoid, softcap"});
  EXPECT_EQ(scoreErrors("softcp(s, 30.0)"),
            Errors{"1: unknown function 'softcp'; did you mean 'softcap'?"});
  EXPECT_EQ(scoreErrors("S / 2"),
            Errors{"1: unknown identifier 'S'; did you mean 's'?"});
  EXPECT_EQ(scoreErrors("tanh"),
            Errors{"1: 'tanh' takes 1 argument; call it as tanh(...)"});
  EXPECT_EQ(scoreErrors("softcap(s)"),
            Errors{"1: 'softcap' takes 2 arguments, got 1"});
  // A mask is offered neither s nor the float functions.
  EXPECT_EQ(maskErrors("k <= x"),
            Errors{"6: unknown identifier 'x'; the variables are b, h, q, k, "
                   "sq, skv"});
  EXPECT_EQ(maskErrors("S > 0"),
            Errors{"1: unknown identifier 'S'; the variables are b, h, q, k, "
                   "sq, skv"});
}

TEST(ScoreSema, ExamplesFromTheDocsAreScores) {
  // Keep in step with the examples in docs/spec.md, "Score modifications".
  for (const char *source :
       {"softcap(s, 50.0)", "s - exp2(-8.0 * (h + 1) / hq) * abs(q - k)",
        "s - exp2(-8.0 * (h + 1) / hq) * (q + skv - sq - k)", "s / 0.7",
        "s + (h % 2 == 0 ? 0.0 : -0.5 * abs(q - k))", "s > 0.0 ? s : 0.0",
        "min(s, 30.0)", "sigmoid(s) * 8.0", "q - k", "tanh(q - k)",
        "softcap(s, 50)", "(h + 1) / (1.0 * hq)"})
    EXPECT_EQ(scoreErrors(source), Errors{"ok"}) << source;
}

TEST(ScorePrinter, FloatLiterals) {
  EXPECT_EQ(printExpr(*score("50.0")), "50.0");
  EXPECT_EQ(printExpr(*score("2.")), "2.0");
  EXPECT_EQ(printExpr(*score(".5")), "0.5");
  EXPECT_EQ(printExpr(*score("1e-3")), "0.001");
  EXPECT_EQ(printExpr(*score("0.1")), "0.1");
  EXPECT_EQ(printExpr(*score("1e20")), "1e+20");
  EXPECT_EQ(printExpr(*score("1e-7")), "1e-07");
  EXPECT_EQ(printExpr(*score("0.0")), "0.0");
  EXPECT_EQ(printExpr(*score("-8.0 * (h + 1) / hq")),
            "(((-8.0) * (h + 1)) / hq)");
  EXPECT_EQ(printExpr(*score("softcap(s, 50.0)")), "softcap(s, 50.0)");
  EXPECT_EQ(printExpr(*score("q < k ? s / 0.7 : s")),
            "((q < k) ? (s / 0.7) : s)");
}

TEST(ScorePrinter, FloatLiteralsReadBackExactly) {
  std::mt19937_64 rng(7);
  std::vector<double> values = {0.0,
                                1.0,
                                0.1,
                                1.0 / 3.0,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::epsilon(),
                                9007199254740993.0,
                                123456789012345678901234567890.0};
  for (int i = 0; i < 2000; ++i) {
    // Random bit patterns cover every exponent; keep the finite, positive.
    uint64_t bits = rng() >> 1;
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    if (std::isfinite(value))
      values.push_back(value);
  }
  for (double value : values) {
    std::string text = formatFloatLiteral(value);
    std::unique_ptr<Expr> expr = score("s * " + text);
    ASSERT_TRUE(expr) << text;
    const Expr &literal = expr->operand(1);
    ASSERT_EQ(literal.kind, ExprKind::FloatLiteral) << text;
    ASSERT_TRUE(sameBits(literal.floatValue, value)) << text;
    // Printing the parsed tree and parsing that again is a fixed point.
    std::string printed = printExpr(*expr);
    std::unique_ptr<Expr> reparsed = score(printed);
    ASSERT_TRUE(reparsed) << printed;
    ASSERT_EQ(printExpr(*reparsed), printed);
    ASSERT_TRUE(sameBits(reparsed->operand(1).floatValue, value)) << printed;
  }
}

TEST(ScorePrinter, CloneKeepsFloatLiterals) {
  std::unique_ptr<Expr> expr = score("softcap(s, 30.5) + 0.25");
  ASSERT_TRUE(expr);
  std::unique_ptr<Expr> copy = cloneExpr(*expr);
  EXPECT_EQ(printExpr(*copy), printExpr(*expr));
  EXPECT_EQ(copy->operand(1).floatValue, 0.25);
  EXPECT_EQ(copy->type, ExprType::Float);
}

TEST(ScoreNames, VariablesAndTypes) {
  EXPECT_EQ(varName(Var::S), "s");
  EXPECT_EQ(varName(Var::Hq), "hq");
  EXPECT_EQ(lookupVar("s"), Var::S);
  EXPECT_EQ(lookupVar("hq"), Var::Hq);
  EXPECT_EQ(varType(Var::S), ExprType::Float);
  EXPECT_EQ(varType(Var::Hq), ExprType::Int);
  EXPECT_EQ(varType(Var::Q), ExprType::Int);
  EXPECT_EQ(exprTypeName(ExprType::Float), "float");
  for (Var var : allVars()) {
    EXPECT_TRUE(isAvailable(var, ExprContext::Score)) << varName(var);
    EXPECT_EQ(isAvailable(var, ExprContext::Mask),
              var != Var::S && var != Var::Hq)
        << varName(var);
  }
}

} // namespace
