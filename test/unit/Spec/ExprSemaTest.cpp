//===- ExprSemaTest.cpp - Types and static checks of mask expressions -----===//

#include "compiler/Spec/ExprParser.h"

#include <gtest/gtest.h>

using namespace attnc::spec;

namespace {

/// Every error as "COLUMN: MESSAGE", or "ok".
std::vector<std::string> errorsOf(const ExprParseResult &result) {
  if (result.errors.empty())
    return {"ok"};
  std::vector<std::string> out;
  for (const ExprError &error : result.errors)
    out.push_back(std::to_string(error.column()) + ": " + error.message);
  return out;
}

std::vector<std::string> exprErrors(std::string_view source) {
  return errorsOf(parseExpr(source));
}
std::vector<std::string> maskErrors(std::string_view source) {
  return errorsOf(parseMask(source));
}

using Errors = std::vector<std::string>;

TEST(ExprSema, OperandTypes) {
  EXPECT_EQ(
      exprErrors("q + (k < 3)"),
      Errors{"5: right operand of '+' must be int, but '(k < 3)' is bool"});
  EXPECT_EQ(exprErrors("true && q"),
            Errors{"9: right operand of '&&' must be bool, but 'q' is int"});
  EXPECT_EQ(exprErrors("q || k"),
            (Errors{"1: left operand of '||' must be bool, but 'q' is int",
                    "6: right operand of '||' must be bool, but 'k' is int"}));
  EXPECT_EQ(exprErrors("q < k < 3"),
            Errors{"1: left operand of '<' must be int, but 'q < k' is bool"});
  EXPECT_EQ(
      exprErrors("causal == true"),
      (Errors{"1: left operand of '==' must be int, but 'causal' is bool",
              "11: right operand of '==' must be int, but 'true' is bool"}));
  EXPECT_EQ(exprErrors("!q"),
            Errors{"2: operand of '!' must be bool, but 'q' is int"});
  EXPECT_EQ(exprErrors("-true"),
            Errors{"2: operand of '-' must be int, but 'true' is bool"});
}

TEST(ExprSema, IndependentMistakesAreAllReported) {
  EXPECT_EQ(
      exprErrors("(q < 1) + (k < 2)"),
      (Errors{"1: left operand of '+' must be int, but '(q < 1)' is bool",
              "11: right operand of '+' must be int, but '(k < 2)' is bool"}));
}

TEST(ExprSema, OneMistakeGivesOneError) {
  // The '+' is wrong; the '*' and '<' above it must not pile on.
  EXPECT_EQ(maskErrors("(q + true) * 2 < k"),
            Errors{"6: right operand of '+' must be int, but 'true' is bool"});
}

TEST(ExprSema, Conditional) {
  EXPECT_EQ(exprErrors("q ? true : false"),
            Errors{"1: condition of '?:' must be bool, but 'q' is int"});
  EXPECT_EQ(exprErrors("q < k ? 1 : true"),
            Errors{"1: branches of '?:' must have the same type, but '1' is "
                   "int and 'true' is bool"});
  ExprParseResult intResult = parseExpr("q < k ? q : k");
  ASSERT_TRUE(intResult.expr);
  EXPECT_EQ(intResult.expr->type, ExprType::Int);
  ExprParseResult boolResult = parseExpr("q < k ? causal : none");
  ASSERT_TRUE(boolResult.expr);
  EXPECT_EQ(boolResult.expr->type, ExprType::Bool);
}

TEST(ExprSema, CallArguments) {
  EXPECT_EQ(
      exprErrors("min(q < k, 1)"),
      Errors{"5: first argument of 'min' must be int, but 'q < k' is bool"});
  EXPECT_EQ(
      exprErrors("max(1, true)"),
      Errors{"8: second argument of 'max' must be int, but 'true' is bool"});
  EXPECT_EQ(
      exprErrors("abs(causal)"),
      Errors{"5: first argument of 'abs' must be int, but 'causal' is bool"});
}

TEST(ExprSema, MaskMustBeBool) {
  EXPECT_EQ(maskErrors("q + k"),
            Errors{"1: the mask must be bool, but 'q + k' is int"});
  EXPECT_EQ(maskErrors("min(q, k)"),
            Errors{"1: the mask must be bool, but 'min(q, k)' is int"});
  EXPECT_EQ(maskErrors("k <= q"), Errors{"ok"});
  EXPECT_EQ(exprErrors("q + k"), Errors{"ok"});
}

TEST(ExprSema, DivisionByLiteralZero) {
  EXPECT_EQ(maskErrors("q / 0 < k"), Errors{"5: division by zero"});
  EXPECT_EQ(maskErrors("q % (0) < k"), Errors{"5: remainder by zero"});
  // Only a literal zero is known statically; k may be zero at run time.
  EXPECT_EQ(maskErrors("q / k < 1"), Errors{"ok"});
  EXPECT_EQ(maskErrors("0 / q < 1"), Errors{"ok"});
}

TEST(ExprSema, LongSubexpressionsAreShortenedInMessages) {
  std::string source = "q + (k < 1111111111 + 2222222222 + 3333333333 + "
                       "4444444444 + 5555555555)";
  ExprParseResult result = parseExpr(source);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message,
            "right operand of '+' must be int, but '(k < 1111111111 + "
            "2222222222 + 3333333333 + 4444...' is bool");
}

TEST(ExprSema, EveryNodeIsTyped) {
  ExprParseResult result =
      parseMask("min(q, k) + 1 < abs(q - k) == false ? none : q % 2 == 0");
  // '==' takes ints, so this is an error; the same without it types fine.
  EXPECT_FALSE(result.expr);
  result = parseMask("!(min(q, k) + 1 < abs(q - k)) ? none : q % 2 == 0");
  ASSERT_TRUE(result.expr);
  const Expr &root = *result.expr;
  EXPECT_EQ(root.type, ExprType::Bool);
  EXPECT_EQ(root.operand(0).type, ExprType::Bool); // !(...)
  EXPECT_EQ(root.operand(0).operand(0).operand(0).type,
            ExprType::Int);                                  // min(q, k) + 1
  EXPECT_EQ(root.operand(1).type, ExprType::Bool);           // none
  EXPECT_EQ(root.operand(2).operand(0).type, ExprType::Int); // q % 2
}

TEST(ExprSema, ExamplesFromTheDocsAreMasks) {
  // Keep in step with the examples in docs/spec.md.
  for (const char *source :
       {"causal && q + skv - sq - k < 256", "abs(q - k) <= 64",
        "causal && (k < 4 || q + skv - sq - k <= 512)",
        "h % 2 == 0 ? causal : none", "window(h * 128, 0)",
        "k != 0 && q / k > 1", "window(1024, 0)", "window(64, 64)",
        "window(255, 0)", "causal && (window(512, 0) || sink(4))",
        "causal || prefix(2048)", "chunk(8192) && causal",
        "block_diagonal(256)", "block_diagonal(256) && causal_top_left"})
    EXPECT_EQ(maskErrors(source), Errors{"ok"}) << source;
}

} // namespace
