//===- ExprEvaluator.cpp - Reference evaluation of expressions ------------===//
//
// The evaluator is the executable definition of the language: unit tests
// compare parsed expressions and hand-written formulas against it, and later
// the generated kernels' masks and scores against it. It favours obvious
// correctness over speed, and says "undefined" (nullopt) instead of guessing.
//
// Int and bool nodes are computed in int64, float nodes in double; an int
// operand of a float node is converted where it is used. Float arithmetic is
// IEEE and never undefined, so only an int sub-expression can make a score
// undefined.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/Expr.h"

#include <limits>

namespace attnc::spec {

namespace {

std::optional<int64_t> evaluateInt(const Expr &expr, const Env &env);

/// The value of a numeric node as a double: a float node's own value, an int
/// node's converted.
std::optional<double> evaluateFloat(const Expr &expr, const Env &env);

std::optional<double> evaluateFloatBinary(BinaryOp op, double lhs, double rhs) {
  switch (op) {
  case BinaryOp::Mul:
    return lhs * rhs;
  case BinaryOp::Div:
    return lhs / rhs;
  case BinaryOp::Add:
    return lhs + rhs;
  case BinaryOp::Sub:
    return lhs - rhs;
  // Comparisons give 0/1; any comparison with NaN is false but '!='.
  case BinaryOp::Lt:
    return lhs < rhs;
  case BinaryOp::Le:
    return lhs <= rhs;
  case BinaryOp::Gt:
    return lhs > rhs;
  case BinaryOp::Ge:
    return lhs >= rhs;
  case BinaryOp::Eq:
    return lhs == rhs;
  case BinaryOp::Ne:
    return lhs != rhs;
  case BinaryOp::Rem:
  case BinaryOp::And:
  case BinaryOp::Or:
    break; // the checker allows no float operands here
  }
  return std::nullopt;
}

/// Whether a binary node computes in float: a float result, or a comparison
/// with a float operand.
bool hasFloatOperands(const Expr &expr) {
  return expr.operand(0).type == ExprType::Float ||
         expr.operand(1).type == ExprType::Float;
}

std::optional<int64_t> evaluateBinary(BinaryOp op, int64_t lhs, int64_t rhs) {
  int64_t result = 0;
  switch (op) {
  case BinaryOp::Mul:
    return __builtin_mul_overflow(lhs, rhs, &result) ? std::nullopt
                                                     : std::optional(result);
  case BinaryOp::Add:
    return __builtin_add_overflow(lhs, rhs, &result) ? std::nullopt
                                                     : std::optional(result);
  case BinaryOp::Sub:
    return __builtin_sub_overflow(lhs, rhs, &result) ? std::nullopt
                                                     : std::optional(result);
  case BinaryOp::Div:
  case BinaryOp::Rem:
    // C semantics: the quotient truncates toward zero and the remainder has
    // the sign of the dividend. INT64_MIN / -1 overflows.
    if (rhs == 0 || (lhs == std::numeric_limits<int64_t>::min() && rhs == -1))
      return std::nullopt;
    return op == BinaryOp::Div ? lhs / rhs : lhs % rhs;
  case BinaryOp::Lt:
    return lhs < rhs;
  case BinaryOp::Le:
    return lhs <= rhs;
  case BinaryOp::Gt:
    return lhs > rhs;
  case BinaryOp::Ge:
    return lhs >= rhs;
  case BinaryOp::Eq:
    return lhs == rhs;
  case BinaryOp::Ne:
    return lhs != rhs;
  case BinaryOp::And:
  case BinaryOp::Or:
    break; // short-circuit, handled by the caller
  }
  return std::nullopt;
}

/// The value of a Param or Index node, from the call's bindings.
std::optional<double> evaluateRuntime(const Expr &expr, const Env &env) {
  if (!env.bindings)
    return std::nullopt;
  if (expr.kind == ExprKind::Param)
    return env.bindings->params.at(expr.slot);
  std::vector<int64_t> index;
  for (const auto &operand : expr.operands) {
    std::optional<int64_t> value = evaluateInt(*operand, env);
    if (!value)
      return std::nullopt;
    index.push_back(*value);
  }
  return env.bindings->read(expr.slot, index);
}

std::optional<int64_t> evaluateInt(const Expr &expr, const Env &env) {
  switch (expr.kind) {
  case ExprKind::Param:
  case ExprKind::Index: {
    if (expr.type == ExprType::Float)
      return std::nullopt; // a float node: evaluateFloat()
    std::optional<double> value = evaluateRuntime(expr, env);
    if (!value)
      return std::nullopt;
    return static_cast<int64_t>(*value);
  }
  case ExprKind::IntLiteral:
    return expr.intValue;
  case ExprKind::FloatLiteral:
    return std::nullopt; // a float node: evaluateFloat()
  case ExprKind::BoolLiteral:
    return expr.boolValue ? 1 : 0;
  case ExprKind::Variable:
    if (expr.var == Var::S)
      return std::nullopt; // a float node: evaluateFloat()
    return env.get(expr.var);
  case ExprKind::Unary: {
    std::optional<int64_t> operand = evaluateInt(expr.operand(0), env);
    if (!operand)
      return std::nullopt;
    if (expr.unaryOp == UnaryOp::Not)
      return *operand ? 0 : 1;
    if (*operand == std::numeric_limits<int64_t>::min())
      return std::nullopt;
    return -*operand;
  }
  case ExprKind::Binary: {
    if (hasFloatOperands(expr)) {
      // A comparison of floats (the only int or bool node that has them).
      std::optional<double> lhs = evaluateFloat(expr.operand(0), env);
      if (!lhs)
        return std::nullopt;
      std::optional<double> rhs = evaluateFloat(expr.operand(1), env);
      if (!rhs)
        return std::nullopt;
      std::optional<double> result =
          evaluateFloatBinary(expr.binaryOp, *lhs, *rhs);
      if (!result)
        return std::nullopt;
      return static_cast<int64_t>(*result);
    }
    std::optional<int64_t> lhs = evaluateInt(expr.operand(0), env);
    if (!lhs)
      return std::nullopt;
    if (expr.binaryOp == BinaryOp::And && !*lhs)
      return 0;
    if (expr.binaryOp == BinaryOp::Or && *lhs)
      return 1;
    std::optional<int64_t> rhs = evaluateInt(expr.operand(1), env);
    if (!rhs)
      return std::nullopt;
    if (expr.binaryOp == BinaryOp::And || expr.binaryOp == BinaryOp::Or)
      return *rhs ? 1 : 0;
    return evaluateBinary(expr.binaryOp, *lhs, *rhs);
  }
  case ExprKind::Conditional: {
    std::optional<int64_t> condition = evaluateInt(expr.operand(0), env);
    if (!condition)
      return std::nullopt;
    return evaluateInt(expr.operand(*condition ? 1 : 2), env);
  }
  case ExprKind::Call: {
    if (!expr.callee->evaluate)
      return std::nullopt; // a float-only built-in: evaluateFloat()
    std::vector<int64_t> args;
    for (const auto &operand : expr.operands) {
      std::optional<int64_t> arg = evaluateInt(*operand, env);
      if (!arg)
        return std::nullopt;
      args.push_back(*arg);
    }
    return expr.callee->evaluate(args, env);
  }
  }
  return std::nullopt;
}

std::optional<double> evaluateFloat(const Expr &expr, const Env &env) {
  if (expr.type != ExprType::Float) {
    std::optional<int64_t> value = evaluateInt(expr, env);
    if (!value)
      return std::nullopt;
    return static_cast<double>(*value);
  }
  switch (expr.kind) {
  case ExprKind::Param:
  case ExprKind::Index:
    return evaluateRuntime(expr, env);
  case ExprKind::FloatLiteral:
    return expr.floatValue;
  case ExprKind::Variable:
    return env.s; // the only float variable
  case ExprKind::Unary: {
    std::optional<double> operand = evaluateFloat(expr.operand(0), env);
    if (!operand)
      return std::nullopt;
    return -*operand;
  }
  case ExprKind::Binary: {
    std::optional<double> lhs = evaluateFloat(expr.operand(0), env);
    if (!lhs)
      return std::nullopt;
    std::optional<double> rhs = evaluateFloat(expr.operand(1), env);
    if (!rhs)
      return std::nullopt;
    return evaluateFloatBinary(expr.binaryOp, *lhs, *rhs);
  }
  case ExprKind::Conditional: {
    std::optional<int64_t> condition = evaluateInt(expr.operand(0), env);
    if (!condition)
      return std::nullopt;
    return evaluateFloat(expr.operand(*condition ? 1 : 2), env);
  }
  case ExprKind::Call: {
    std::vector<double> args;
    for (const auto &operand : expr.operands) {
      std::optional<double> arg = evaluateFloat(*operand, env);
      if (!arg)
        return std::nullopt;
      args.push_back(*arg);
    }
    return expr.callee->evaluateFloat(args, env);
  }
  case ExprKind::IntLiteral:
  case ExprKind::BoolLiteral:
    break; // never float
  }
  return std::nullopt;
}

} // namespace

std::optional<int64_t> evaluate(const Expr &expr, const Env &env) {
  if (expr.type == ExprType::Float)
    return std::nullopt;
  return evaluateInt(expr, env);
}

std::optional<bool> evaluateMask(const Expr &expr, const Env &env) {
  std::optional<int64_t> value = evaluate(expr, env);
  if (!value)
    return std::nullopt;
  return *value != 0;
}

std::optional<double> evaluateScore(const Expr &expr, const Env &env) {
  return evaluateFloat(expr, env);
}

} // namespace attnc::spec
