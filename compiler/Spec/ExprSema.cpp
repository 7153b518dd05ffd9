//===- ExprSema.cpp - Static checks of mask expressions -------------------===//

#include "compiler/Spec/ExprSema.h"

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/Suggest.h"

namespace attnc::spec {

namespace {

bool isArithmetic(BinaryOp op) {
  switch (op) {
  case BinaryOp::Mul:
  case BinaryOp::Div:
  case BinaryOp::Rem:
  case BinaryOp::Add:
  case BinaryOp::Sub:
    return true;
  default:
    return false;
  }
}

bool isLogical(BinaryOp op) {
  return op == BinaryOp::And || op == BinaryOp::Or;
}

/// The value of an integer literal, negated or not (`8`, `-8`, `(8)`): what
/// a built-in's argument check can judge before run time.
std::optional<int64_t> literalValue(const Expr &expr) {
  if (expr.kind == ExprKind::IntLiteral)
    return expr.intValue;
  // A literal's magnitude is at most INT64_MAX, so negating it cannot
  // overflow.
  if (expr.kind == ExprKind::Unary && expr.unaryOp == UnaryOp::Neg &&
      expr.operand(0).kind == ExprKind::IntLiteral)
    return -expr.operand(0).intValue;
  return std::nullopt;
}

std::string ordinal(size_t index) {
  static const char *const kNames[] = {"first", "second", "third", "fourth"};
  return index < 4 ? kNames[index] : "argument " + std::to_string(index + 1);
}

class Checker {
public:
  explicit Checker(std::string_view source) : source(source) {}

  /// The type of `expr`, or nullopt if it (or something in it) is in error.
  std::optional<ExprType> check(Expr &expr) {
    std::optional<ExprType> type = computeType(expr);
    if (type)
      expr.type = *type;
    return type;
  }

  /// Requires `expr` (already checked, with type `actual`) to be `wanted`.
  bool require(const Expr &expr, std::optional<ExprType> actual,
               ExprType wanted, const std::string &role) {
    if (!actual)
      return false; // already reported
    if (*actual == wanted)
      return true;
    report(expr.offset, role + " must be " + std::string(exprTypeName(wanted)) +
                            ", but " + text(expr) + " is " +
                            std::string(exprTypeName(*actual)));
    return false;
  }

  std::vector<ExprError> errors;

private:
  void report(size_t offset, std::string message) {
    errors.push_back({offset, std::move(message)});
  }

  std::string text(const Expr &expr) const {
    return quote(source.substr(expr.offset, expr.length));
  }

  std::optional<ExprType> computeType(Expr &expr) {
    switch (expr.kind) {
    case ExprKind::IntLiteral:
    case ExprKind::Variable:
      return ExprType::Int;
    case ExprKind::BoolLiteral:
      return ExprType::Bool;
    case ExprKind::Unary: {
      Expr &operand = *expr.operands[0];
      ExprType wanted =
          expr.unaryOp == UnaryOp::Not ? ExprType::Bool : ExprType::Int;
      std::string role =
          "operand of '" + std::string(unaryOpSpelling(expr.unaryOp)) + "'";
      if (!require(operand, check(operand), wanted, role))
        return std::nullopt;
      return wanted;
    }
    case ExprKind::Binary:
      return checkBinary(expr);
    case ExprKind::Conditional: {
      Expr &condition = *expr.operands[0];
      Expr &thenExpr = *expr.operands[1];
      Expr &elseExpr = *expr.operands[2];
      bool conditionOk = require(condition, check(condition), ExprType::Bool,
                                 "condition of '?:'");
      std::optional<ExprType> thenType = check(thenExpr);
      std::optional<ExprType> elseType = check(elseExpr);
      if (!conditionOk || !thenType || !elseType)
        return std::nullopt;
      if (*thenType != *elseType) {
        report(expr.offset, "branches of '?:' must have the same type, but " +
                                text(thenExpr) + " is " +
                                std::string(exprTypeName(*thenType)) + " and " +
                                text(elseExpr) + " is " +
                                std::string(exprTypeName(*elseType)));
        return std::nullopt;
      }
      return thenType;
    }
    case ExprKind::Call: {
      const Builtin &callee = *expr.callee;
      bool ok = true;
      for (size_t i = 0; i < expr.operands.size(); ++i) {
        Expr &arg = *expr.operands[i];
        ok &= require(arg, check(arg), callee.params[i],
                      ordinal(i) + " argument of '" + std::string(callee.name) +
                          "'");
      }
      if (!ok)
        return std::nullopt;
      if (callee.checkLiteralArgument) {
        for (size_t i = 0; i < expr.operands.size(); ++i) {
          const Expr &arg = *expr.operands[i];
          std::optional<int64_t> value = literalValue(arg);
          if (!value)
            continue;
          std::string message = callee.checkLiteralArgument(i, *value);
          if (!message.empty()) {
            report(arg.offset, std::move(message));
            ok = false;
          }
        }
        if (!ok)
          return std::nullopt;
      }
      return callee.result;
    }
    }
    return std::nullopt;
  }

  std::optional<ExprType> checkBinary(Expr &expr) {
    Expr &lhs = *expr.operands[0];
    Expr &rhs = *expr.operands[1];
    std::string spelling(binaryOpSpelling(expr.binaryOp));
    ExprType operandType =
        isLogical(expr.binaryOp) ? ExprType::Bool : ExprType::Int;
    // Check both sides before judging either, so that both mistakes of
    // "(a < b) + (c < d)" are reported.
    std::optional<ExprType> lhsType = check(lhs);
    std::optional<ExprType> rhsType = check(rhs);
    bool lhsOk = require(lhs, lhsType, operandType,
                         "left operand of '" + spelling + "'");
    bool rhsOk = require(rhs, rhsType, operandType,
                         "right operand of '" + spelling + "'");
    if (!lhsOk || !rhsOk)
      return std::nullopt;
    if ((expr.binaryOp == BinaryOp::Div || expr.binaryOp == BinaryOp::Rem) &&
        rhs.kind == ExprKind::IntLiteral && rhs.intValue == 0) {
      report(rhs.offset,
             std::string(expr.binaryOp == BinaryOp::Div ? "division"
                                                        : "remainder") +
                 " by zero");
      return std::nullopt;
    }
    return isArithmetic(expr.binaryOp) ? ExprType::Int : ExprType::Bool;
  }

  std::string_view source;
};

} // namespace

std::vector<ExprError> checkExpr(Expr &expr, std::string_view source,
                                 std::optional<ExprType> expected) {
  Checker checker(source);
  std::optional<ExprType> type = checker.check(expr);
  if (expected)
    checker.require(expr, type, *expected, "the mask");
  return std::move(checker.errors);
}

} // namespace attnc::spec
