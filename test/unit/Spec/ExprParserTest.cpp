//===- ExprParserTest.cpp - Syntax of mask expressions --------------------===//
//
// Shapes are checked through printExpr's fully parenthesised form; syntax
// errors by message and expression column.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/ExprParser.h"
#include "compiler/Spec/Builtins.h"

#include <gtest/gtest.h>

using namespace attnc::spec;

namespace {

/// printExpr of a well-typed expression, or its first error.
std::string shape(std::string_view source) {
  ExprParseResult result = parseExpr(source);
  if (!result.expr)
    return "error: " + result.errors.front().message;
  return printExpr(*result.expr);
}

/// "COLUMN: MESSAGE" of the first error, or "ok".
std::string firstError(std::string_view source) {
  ExprParseResult result = parseExpr(source);
  if (result.errors.empty())
    return "ok";
  return std::to_string(result.errors.front().column()) + ": " +
         result.errors.front().message;
}

TEST(ExprParser, Precedence) {
  EXPECT_EQ(shape("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(shape("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(shape("q % 3 * 2 - k / 4"), "(((q % 3) * 2) - (k / 4))");
  EXPECT_EQ(shape("q + 1 == k * 2"), "((q + 1) == (k * 2))");
  EXPECT_EQ(shape("q - 1 < k + 1"), "((q - 1) < (k + 1))");
  EXPECT_EQ(shape("q < k && k < q || q == k"),
            "(((q < k) && (k < q)) || (q == k))");
  EXPECT_EQ(shape("true || false && false"), "(true || (false && false))");
  EXPECT_EQ(shape("-q * 2"), "((-q) * 2)");
  EXPECT_EQ(shape("!true && false"), "((!true) && false)");
  EXPECT_EQ(shape("q < k || true ? 1 : 2"), "(((q < k) || true) ? 1 : 2)");
  // Relational binds tighter than equality: this reads (q < k) == k.
  EXPECT_EQ(shape("q < k == k"),
            "error: left operand of '==' must be int, but 'q < k' is bool");
}

TEST(ExprParser, Associativity) {
  EXPECT_EQ(shape("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(shape("8 / 4 / 2"), "((8 / 4) / 2)");
  EXPECT_EQ(shape("q != k != 0"),
            "error: left operand of '!=' must be int, but 'q != k' is bool");
  EXPECT_EQ(shape("true && false && true"), "((true && false) && true)");
  // ?: is right associative, and its middle operand is a full expression.
  EXPECT_EQ(shape("q < 1 ? 1 : q < 2 ? 2 : 3"),
            "((q < 1) ? 1 : ((q < 2) ? 2 : 3))");
  EXPECT_EQ(shape("true ? false ? 1 : 2 : 3"), "(true ? (false ? 1 : 2) : 3)");
}

TEST(ExprParser, UnaryParenthesesAndWhitespace) {
  EXPECT_EQ(shape("- -q"), "(-(-q))");
  EXPECT_EQ(shape("--q"), "(-(-q))");
  EXPECT_EQ(shape("!!true"), "(!(!true))");
  EXPECT_EQ(shape("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(shape("((q))"), "q");
  EXPECT_EQ(shape(" \tq\n<\r\nk "), "(q < k)");
  EXPECT_EQ(shape("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(shape("b + h + sq + skv"), "(((b + h) + sq) + skv)");
}

TEST(ExprParser, Calls) {
  EXPECT_EQ(shape("min(q, k + 1)"), "min(q, (k + 1))");
  EXPECT_EQ(shape("max(min(q,k), abs(-k))"), "max(min(q, k), abs((-k)))");
  EXPECT_EQ(shape("min(q < k ? 1 : 2, 3)"), "min(((q < k) ? 1 : 2), 3)");
  EXPECT_EQ(shape("causal"), "causal");
  EXPECT_EQ(shape("causal()"), "causal");
  EXPECT_EQ(shape("causal ( )"), "causal");
  EXPECT_EQ(shape("none"), "none");
  EXPECT_EQ(shape("causal_top_left && !none()"),
            "(causal_top_left && (!none))");
}

TEST(ExprParser, NodesCarryKindsSpansAndTypes) {
  ExprParseResult result = parseExpr("min(q, 2) <= (k)");
  ASSERT_TRUE(result.expr);
  const Expr &root = *result.expr;
  EXPECT_EQ(root.kind, ExprKind::Binary);
  EXPECT_EQ(root.binaryOp, BinaryOp::Le);
  EXPECT_EQ(root.type, ExprType::Bool);
  EXPECT_EQ(root.offset, 0u);
  EXPECT_EQ(root.length, 16u);

  const Expr &call = root.operand(0);
  EXPECT_EQ(call.kind, ExprKind::Call);
  EXPECT_EQ(call.callee, lookupBuiltin("min"));
  EXPECT_EQ(call.type, ExprType::Int);
  EXPECT_EQ(call.length, 9u);
  EXPECT_EQ(call.operand(0).kind, ExprKind::Variable);
  EXPECT_EQ(call.operand(0).var, Var::Q);
  EXPECT_EQ(call.operand(0).offset, 4u);
  EXPECT_EQ(call.operand(1).kind, ExprKind::IntLiteral);
  EXPECT_EQ(call.operand(1).intValue, 2);

  // A parenthesised node's span takes in the parentheses.
  const Expr &key = root.operand(1);
  EXPECT_EQ(key.kind, ExprKind::Variable);
  EXPECT_EQ(key.var, Var::K);
  EXPECT_EQ(key.offset, 13u);
  EXPECT_EQ(key.length, 3u);
}

TEST(ExprParser, BareBuiltinIsACallWithoutArguments) {
  ExprParseResult result = parseMask("causal");
  ASSERT_TRUE(result.expr);
  EXPECT_EQ(result.expr->kind, ExprKind::Call);
  EXPECT_EQ(result.expr->callee->name, "causal");
  EXPECT_TRUE(result.expr->operands.empty());
  EXPECT_EQ(result.expr->type, ExprType::Bool);
}

TEST(ExprParser, CloneIsDeepAndEqual) {
  ExprParseResult result = parseMask("q < k ? causal : min(q, 3) != abs(k)");
  ASSERT_TRUE(result.expr);
  std::unique_ptr<Expr> copy = cloneExpr(*result.expr);
  EXPECT_EQ(printExpr(*copy), printExpr(*result.expr));
  EXPECT_NE(&copy->operand(0), &result.expr->operand(0));
  EXPECT_EQ(copy->type, ExprType::Bool);
}

TEST(ExprParser, SyntaxErrors) {
  EXPECT_EQ(firstError(""), "1: empty expression");
  EXPECT_EQ(firstError("   "), "1: empty expression");
  EXPECT_EQ(firstError("min(q, k"), "9: expected ')' after arguments to 'min'");
  EXPECT_EQ(firstError("min(q k)"), "7: expected ')' after arguments to 'min'");
  EXPECT_EQ(firstError("(q + k"), "7: expected ')' to match '(' at expression "
                                  "column 1, got end of expression");
  EXPECT_EQ(firstError("q + k)"), "6: unmatched ')'");
  EXPECT_EQ(firstError("q +"), "4: expected an expression after '+'");
  EXPECT_EQ(firstError("q + * k"),
            "5: expected an expression after '+', got '*'");
  EXPECT_EQ(firstError("()"), "2: expected an expression after '(', got ')'");
  EXPECT_EQ(firstError("min(q,)"),
            "7: expected an expression after ',', got ')'");
  EXPECT_EQ(firstError("causal causal"),
            "8: unexpected 'causal' after a complete expression");
  EXPECT_EQ(
      firstError("q < 1 ? 2"),
      "10: expected ':' in conditional expression, got end of expression");
}

TEST(ExprParser, LexicalErrors) {
  EXPECT_EQ(firstError("k <= q & true"),
            "8: unexpected character '&'; did you mean '&&'?");
  EXPECT_EQ(firstError("q | k"),
            "3: unexpected character '|'; did you mean '||'?");
  EXPECT_EQ(firstError("q = k"),
            "3: unexpected character '='; did you mean '=='?");
  EXPECT_EQ(firstError("q # k"), "3: unexpected character '#'");
  EXPECT_EQ(firstError("q < k \xE2\x88\xA7 true"),
            "7: unexpected character '\xE2\x88\xA7'");
  EXPECT_EQ(firstError("q < 012"),
            "5: integer literal '012' has a leading zero");
  EXPECT_EQ(firstError("12abc"), "1: invalid integer literal '12abc'");
  EXPECT_EQ(firstError("q < 9223372036854775808"),
            "5: integer literal '9223372036854775808' does not fit in 64 bits");
}

TEST(ExprParser, NameErrors) {
  EXPECT_EQ(firstError("k <= x"),
            "6: unknown identifier 'x'; the variables are b, h, q, k, sq, skv");
  EXPECT_EQ(firstError("causl"),
            "1: unknown identifier 'causl'; did you mean 'causal'?");
  EXPECT_EQ(firstError("casual"),
            "1: unknown identifier 'casual'; did you mean 'causal'?");
  EXPECT_EQ(firstError("Q < k"),
            "1: unknown identifier 'Q'; did you mean 'q'?");
  EXPECT_EQ(firstError("alibi(1, 2)"),
            "1: unknown function 'alibi'; the built-in functions are none, "
            "causal, causal_top_left, window, sink, prefix, chunk, "
            "block_diagonal, strided, radial, min, max, abs");
  EXPECT_EQ(firstError("windw(1, 2)"),
            "1: unknown function 'windw'; did you mean 'window'?");
  EXPECT_EQ(firstError("mni(q, k) < 3"),
            "1: unknown function 'mni'; did you mean 'min'?");
  EXPECT_EQ(firstError("q(1)"), "1: 'q' is a variable, not a function");
  EXPECT_EQ(firstError("min(q) < 1"), "1: 'min' takes 2 arguments, got 1");
  EXPECT_EQ(firstError("1 < abs(q, k)"), "5: 'abs' takes 1 argument, got 2");
  EXPECT_EQ(firstError("causal(1)"), "1: 'causal' takes no arguments, got 1");
  EXPECT_EQ(firstError("abs < 1"),
            "1: 'abs' takes 1 argument; call it as abs(...)");
}

TEST(ExprParser, Limits) {
  std::string nested = std::string(60, '(') + "q" + std::string(60, ')');
  EXPECT_EQ(firstError(nested), "ok");
  std::string tooNested = std::string(200, '(') + "q" + std::string(200, ')');
  EXPECT_EQ(firstError(tooNested), "101: expression is nested too deeply");
  EXPECT_EQ(firstError(std::string(200, '!') + "true"),
            "100: expression is nested too deeply");
  std::string chain = "q";
  while (chain.size() < 4000)
    chain += " + 1";
  EXPECT_EQ(firstError(chain), "ok");
  EXPECT_EQ(firstError(chain + std::string(100, ' ')),
            "1: expression is 4101 characters long; at most 4096 are allowed");
}

} // namespace
