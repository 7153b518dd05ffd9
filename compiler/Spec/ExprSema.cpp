//===- ExprSema.cpp - Static checks of expressions ------------------------===//

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

/// The value of a float or integer literal, negated or not, as a double.
std::optional<double> floatLiteralValue(const Expr &expr) {
  if (std::optional<int64_t> value = literalValue(expr))
    return static_cast<double>(*value);
  if (expr.kind == ExprKind::FloatLiteral)
    return expr.floatValue;
  if (expr.kind == ExprKind::Unary && expr.unaryOp == UnaryOp::Neg &&
      expr.operand(0).kind == ExprKind::FloatLiteral)
    return -expr.operand(0).floatValue;
  return std::nullopt;
}

bool isLiteralZero(const Expr &expr) {
  return (expr.kind == ExprKind::IntLiteral && expr.intValue == 0) ||
         (expr.kind == ExprKind::FloatLiteral && expr.floatValue == 0);
}

std::string ordinal(size_t index) {
  static const char *const kNames[] = {"first", "second", "third", "fourth"};
  return index < 4 ? kNames[index] : "argument " + std::to_string(index + 1);
}

/// The types an operand may have.
enum class Want {
  Int,
  Bool,
  Float,   ///< a float, or an int that is converted
  Numeric, ///< an int or a float, each kept as it is
};

bool accepts(Want want, ExprType type) {
  switch (want) {
  case Want::Int:
    return type == ExprType::Int;
  case Want::Bool:
    return type == ExprType::Bool;
  case Want::Float:
  case Want::Numeric:
    return type == ExprType::Int || type == ExprType::Float;
  }
  return false;
}

Want wantOf(ParamKind kind) {
  switch (kind) {
  case ParamKind::Int:
    return Want::Int;
  case ParamKind::Float:
    return Want::Float;
  case ParamKind::Numeric:
    return Want::Numeric;
  }
  return Want::Numeric;
}

bool isNumeric(ExprType type) {
  return type == ExprType::Int || type == ExprType::Float;
}

/// Float if either side is, else `otherwise`.
ExprType promote(ExprType lhs, ExprType rhs, ExprType otherwise) {
  return lhs == ExprType::Float || rhs == ExprType::Float ? ExprType::Float
                                                          : otherwise;
}

class Checker {
public:
  Checker(std::string_view source, ExprContext context)
      : source(source), context(context) {}

  /// The type of `expr`, or nullopt if it (or something in it) is in error.
  std::optional<ExprType> check(Expr &expr) {
    std::optional<ExprType> type = computeType(expr);
    if (type)
      expr.type = *type;
    return type;
  }

  /// Requires `expr` (already checked, with type `actual`) to be of a type
  /// that `wanted` accepts.
  bool require(const Expr &expr, std::optional<ExprType> actual, Want wanted,
               const std::string &role) {
    if (!actual)
      return false; // already reported
    if (accepts(wanted, *actual))
      return true;
    report(expr.offset, role + " must be " + wantName(wanted) + ", but " +
                            text(expr) + " is " +
                            std::string(exprTypeName(*actual)));
    return false;
  }

  std::string wholeRole() const {
    return "the " + std::string(exprContextName(context));
  }

  std::vector<ExprError> errors;

private:
  void report(size_t offset, std::string message) {
    errors.push_back({offset, std::move(message)});
  }

  std::string text(const Expr &expr) const {
    return quote(source.substr(expr.offset, expr.length));
  }

  /// How the types `wanted` accepts are named. Masks have no floats, so
  /// there a number is just an int.
  std::string wantName(Want wanted) const {
    switch (wanted) {
    case Want::Int:
      return "int";
    case Want::Bool:
      return "bool";
    case Want::Float:
      return "float";
    case Want::Numeric:
      return context == ExprContext::Mask ? "int" : "int or float";
    }
    return "?";
  }

  void reportUnavailable(const Expr &expr, std::string_view what) {
    report(expr.offset,
           std::string(what) + " is only available in " +
               (context == ExprContext::Mask ? "score expressions" : "masks"));
  }

  std::optional<ExprType> computeType(Expr &expr) {
    switch (expr.kind) {
    case ExprKind::IntLiteral:
      return ExprType::Int;
    case ExprKind::FloatLiteral:
      if (context == ExprContext::Mask) {
        reportUnavailable(expr, "float literal " + text(expr));
        return std::nullopt;
      }
      return ExprType::Float;
    case ExprKind::Variable:
      if (!isAvailable(expr.var, context)) {
        reportUnavailable(expr, quote(varName(expr.var)));
        return std::nullopt;
      }
      return varType(expr.var);
    case ExprKind::BoolLiteral:
      return ExprType::Bool;
    case ExprKind::Unary: {
      Expr &operand = *expr.operands[0];
      Want wanted = expr.unaryOp == UnaryOp::Not ? Want::Bool : Want::Numeric;
      std::string role =
          "operand of '" + std::string(unaryOpSpelling(expr.unaryOp)) + "'";
      std::optional<ExprType> type = check(operand);
      if (!require(operand, type, wanted, role))
        return std::nullopt;
      return type;
    }
    case ExprKind::Binary:
      return checkBinary(expr);
    case ExprKind::Conditional:
      return checkConditional(expr);
    case ExprKind::Call:
      return checkCall(expr);
    }
    return std::nullopt;
  }

  std::optional<ExprType> checkConditional(Expr &expr) {
    Expr &condition = *expr.operands[0];
    Expr &thenExpr = *expr.operands[1];
    Expr &elseExpr = *expr.operands[2];
    bool conditionOk =
        require(condition, check(condition), Want::Bool, "condition of '?:'");
    std::optional<ExprType> thenType = check(thenExpr);
    std::optional<ExprType> elseType = check(elseExpr);
    if (!conditionOk || !thenType || !elseType)
      return std::nullopt;
    if (*thenType == *elseType)
      return thenType;
    if (isNumeric(*thenType) && isNumeric(*elseType))
      return ExprType::Float; // an int branch is converted
    report(expr.offset,
           "branches of '?:' must have the same type, but " + text(thenExpr) +
               " is " + std::string(exprTypeName(*thenType)) + " and " +
               text(elseExpr) + " is " + std::string(exprTypeName(*elseType)));
    return std::nullopt;
  }

  std::optional<ExprType> checkCall(Expr &expr) {
    const Builtin &callee = *expr.callee;
    if (!isAvailable(callee, context)) {
      reportUnavailable(expr, quote(callee.name));
      return std::nullopt;
    }
    bool ok = true;
    std::vector<ExprType> argTypes;
    for (size_t i = 0; i < expr.operands.size(); ++i) {
      Expr &arg = *expr.operands[i];
      std::optional<ExprType> type = check(arg);
      ok &= require(arg, type, wantOf(callee.params[i]),
                    ordinal(i) + " argument of '" + std::string(callee.name) +
                        "'");
      argTypes.push_back(type.value_or(ExprType::Int));
    }
    if (!ok)
      return std::nullopt;
    for (size_t i = 0; i < expr.operands.size(); ++i) {
      const Expr &arg = *expr.operands[i];
      std::string message;
      if (callee.params[i] == ParamKind::Int && callee.checkLiteralArgument) {
        if (std::optional<int64_t> value = literalValue(arg))
          message = callee.checkLiteralArgument(i, *value);
      } else if (callee.params[i] == ParamKind::Float &&
                 callee.checkFloatLiteralArgument) {
        if (std::optional<double> value = floatLiteralValue(arg))
          message = callee.checkFloatLiteralArgument(i, *value);
      }
      if (!message.empty()) {
        report(arg.offset, std::move(message));
        ok = false;
      }
    }
    if (!ok)
      return std::nullopt;
    return callResultType(callee, argTypes);
  }

  std::optional<ExprType> checkBinary(Expr &expr) {
    Expr &lhs = *expr.operands[0];
    Expr &rhs = *expr.operands[1];
    std::string spelling(binaryOpSpelling(expr.binaryOp));
    Want operandWant = isLogical(expr.binaryOp)         ? Want::Bool
                       : expr.binaryOp == BinaryOp::Rem ? Want::Int
                                                        : Want::Numeric;
    // Check both sides before judging either, so that both mistakes of
    // "(a < b) + (c < d)" are reported.
    std::optional<ExprType> lhsType = check(lhs);
    std::optional<ExprType> rhsType = check(rhs);
    bool lhsOk = require(lhs, lhsType, operandWant,
                         "left operand of '" + spelling + "'");
    bool rhsOk = require(rhs, rhsType, operandWant,
                         "right operand of '" + spelling + "'");
    if (!lhsOk || !rhsOk)
      return std::nullopt;
    // A float division by zero would be defined (inf or NaN), but a literal
    // zero divisor is a mistake either way.
    if ((expr.binaryOp == BinaryOp::Div || expr.binaryOp == BinaryOp::Rem) &&
        isLiteralZero(rhs)) {
      report(rhs.offset,
             std::string(expr.binaryOp == BinaryOp::Div ? "division"
                                                        : "remainder") +
                 " by zero");
      return std::nullopt;
    }
    if (isLogical(expr.binaryOp))
      return ExprType::Bool;
    if (isArithmetic(expr.binaryOp))
      return promote(*lhsType, *rhsType, ExprType::Int);
    return ExprType::Bool; // a comparison
  }

  std::string_view source;
  ExprContext context;
};

} // namespace

std::vector<ExprError> checkExpr(Expr &expr, std::string_view source,
                                 ExprContext context,
                                 std::optional<ExprType> expected) {
  Checker checker(source, context);
  std::optional<ExprType> type = checker.check(expr);
  if (expected) {
    Want wanted = *expected == ExprType::Int    ? Want::Int
                  : *expected == ExprType::Bool ? Want::Bool
                                                : Want::Float;
    checker.require(expr, type, wanted, checker.wholeRole());
  }
  return std::move(checker.errors);
}

} // namespace attnc::spec
