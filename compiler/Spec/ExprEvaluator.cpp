//===- ExprEvaluator.cpp - Reference evaluation of mask expressions -------===//
//
// The evaluator is the executable definition of the language: unit tests
// compare parsed expressions and hand-written formulas against it, and later
// the generated kernels' masks against it. It favours obvious correctness
// over speed, and says "undefined" (nullopt) instead of guessing.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/Expr.h"

#include <limits>

namespace attnc::spec {

namespace {

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

} // namespace

std::optional<int64_t> evaluate(const Expr &expr, const Env &env) {
  switch (expr.kind) {
  case ExprKind::IntLiteral:
    return expr.intValue;
  case ExprKind::BoolLiteral:
    return expr.boolValue ? 1 : 0;
  case ExprKind::Variable:
    return env.get(expr.var);
  case ExprKind::Unary: {
    std::optional<int64_t> operand = evaluate(expr.operand(0), env);
    if (!operand)
      return std::nullopt;
    if (expr.unaryOp == UnaryOp::Not)
      return *operand ? 0 : 1;
    if (*operand == std::numeric_limits<int64_t>::min())
      return std::nullopt;
    return -*operand;
  }
  case ExprKind::Binary: {
    std::optional<int64_t> lhs = evaluate(expr.operand(0), env);
    if (!lhs)
      return std::nullopt;
    if (expr.binaryOp == BinaryOp::And && !*lhs)
      return 0;
    if (expr.binaryOp == BinaryOp::Or && *lhs)
      return 1;
    std::optional<int64_t> rhs = evaluate(expr.operand(1), env);
    if (!rhs)
      return std::nullopt;
    if (expr.binaryOp == BinaryOp::And || expr.binaryOp == BinaryOp::Or)
      return *rhs ? 1 : 0;
    return evaluateBinary(expr.binaryOp, *lhs, *rhs);
  }
  case ExprKind::Conditional: {
    std::optional<int64_t> condition = evaluate(expr.operand(0), env);
    if (!condition)
      return std::nullopt;
    return evaluate(expr.operand(*condition ? 1 : 2), env);
  }
  case ExprKind::Call: {
    std::vector<int64_t> args;
    for (const auto &operand : expr.operands) {
      std::optional<int64_t> arg = evaluate(*operand, env);
      if (!arg)
        return std::nullopt;
      args.push_back(*arg);
    }
    return expr.callee->evaluate(args, env);
  }
  }
  return std::nullopt;
}

std::optional<bool> evaluateMask(const Expr &expr, const Env &env) {
  std::optional<int64_t> value = evaluate(expr, env);
  if (!value)
    return std::nullopt;
  return *value != 0;
}

} // namespace attnc::spec
