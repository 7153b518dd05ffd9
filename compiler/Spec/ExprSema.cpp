//===- ExprSema.cpp - Static checks of expressions ------------------------===//

#include "compiler/Spec/ExprSema.h"

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/Suggest.h"

#include <algorithm>
#include <limits>

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

/// A closed int64 interval; the ends saturate at the int64 limits, which
/// stand for "unbounded".
struct Range {
  int64_t lo, hi;
};

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t saturate(__int128 v) {
  return v < kMin ? kMin : v > kMax ? kMax : static_cast<int64_t>(v);
}

/// An enclosure of the values an int expression can take for any valid
/// indices, lengths, parameters and tensor contents: what proves an index
/// into a fixed dimension in bounds. Coarse where precision is not needed.
Range rangeOf(const Expr &expr) {
  constexpr Range kAny{kMin, kMax};
  switch (expr.kind) {
  case ExprKind::IntLiteral:
    return {expr.intValue, expr.intValue};
  case ExprKind::Variable:
    return {0, std::numeric_limits<int32_t>::max()}; // sizes fit in int32
  case ExprKind::Index:
    return {std::numeric_limits<int32_t>::min(),
            std::numeric_limits<int32_t>::max()};
  case ExprKind::Unary: {
    Range r = rangeOf(expr.operand(0));
    return {saturate(-__int128(r.hi)), saturate(-__int128(r.lo))};
  }
  case ExprKind::Binary: {
    Range a = rangeOf(expr.operand(0)), b = rangeOf(expr.operand(1));
    switch (expr.binaryOp) {
    case BinaryOp::Add:
      return {saturate(__int128(a.lo) + b.lo), saturate(__int128(a.hi) + b.hi)};
    case BinaryOp::Sub:
      return {saturate(__int128(a.lo) - b.hi), saturate(__int128(a.hi) - b.lo)};
    case BinaryOp::Mul: {
      __int128 c[] = {__int128(a.lo) * b.lo, __int128(a.lo) * b.hi,
                      __int128(a.hi) * b.lo, __int128(a.hi) * b.hi};
      return {saturate(*std::min_element(c, c + 4)),
              saturate(*std::max_element(c, c + 4))};
    }
    case BinaryOp::Div: // truncating, by a positive constant: monotone
      if (b.lo == b.hi && b.lo > 0)
        return {a.lo / b.lo, a.hi / b.lo};
      return kAny;
    case BinaryOp::Rem: // C: the sign of the dividend, |r| < |divisor|
      if (b.lo == b.hi && b.lo > 0)
        return {a.lo >= 0 ? 0 : 1 - b.lo, a.hi <= 0 ? 0 : b.lo - 1};
      return kAny;
    default:
      return kAny;
    }
  }
  case ExprKind::Conditional: {
    Range a = rangeOf(expr.operand(1)), b = rangeOf(expr.operand(2));
    return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
  }
  case ExprKind::Call: {
    std::string_view name = expr.callee->name;
    if (name == "min" || name == "max") {
      Range a = rangeOf(expr.operand(0)), b = rangeOf(expr.operand(1));
      return name == "min" ? Range{std::min(a.lo, b.lo), std::min(a.hi, b.hi)}
                           : Range{std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
    }
    if (name == "abs") {
      Range a = rangeOf(expr.operand(0));
      int64_t hi = saturate(std::max(-__int128(a.lo), __int128(a.hi)));
      return {a.lo >= 0 ? a.lo : a.hi <= 0 ? saturate(-__int128(a.hi)) : 0,
              hi};
    }
    return kAny;
  }
  default:
    return kAny;
  }
}

class Checker {
public:
  Checker(std::string_view source, ExprContext context, const Decls &decls)
      : source(source), context(context), decls(decls) {}

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

  /// `what` needs a grid of at least `rank` axes; reports it if the spec has none.
  bool requireGrid(const Expr &expr, const std::string &what, size_t rank) {
    if (decls.grid.size() >= rank)
      return true;
    report(expr.offset,
           what + " and needs a \"grid\" with at least " + axes(rank) +
               "; the spec declares " +
               (decls.grid.empty() ? std::string("no grid")
                                   : "a grid of " + axes(decls.grid.size())));
    return false;
  }

  static std::string axes(size_t n) {
    return std::to_string(n) + (n == 1 ? " axis" : " axes");
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
      if (std::optional<size_t> fromEnd = coordAxisFromEnd(expr.var)) {
        if (!requireGrid(expr, quote(varName(expr.var)) + " is a grid coordinate",
                         *fromEnd + 1))
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
    case ExprKind::Param: {
      ExprType type = decls.params[expr.slot].type;
      if (type == ExprType::Float && context == ExprContext::Mask) {
        reportUnavailable(expr, "float parameter " + text(expr));
        return std::nullopt;
      }
      return type;
    }
    case ExprKind::Index:
      return checkIndex(expr);
    }
    return std::nullopt;
  }

  std::optional<ExprType> checkIndex(Expr &expr) {
    const TensorDecl &tensor = decls.tensors[expr.slot];
    if (expr.operands.size() != tensor.dims.size()) {
      report(expr.offset, quote(tensor.name) + " has " +
                              std::to_string(tensor.dims.size()) +
                              " dimensions, but " + text(expr) + " gives " +
                              std::to_string(expr.operands.size()) +
                              " indices");
      return std::nullopt;
    }
    bool ok = true;
    for (size_t i = 0; i < expr.operands.size(); ++i) {
      Expr &index = *expr.operands[i];
      if (!require(index, check(index), Want::Int,
                   "index " + std::to_string(i) + " of " + quote(tensor.name))) {
        ok = false;
        continue;
      }
      ok &= checkInBounds(index, tensor.dims[i], tensor.name, i);
    }
    if (!ok)
      return std::nullopt;
    if (tensor.dtype == DataType::I32)
      return ExprType::Int;
    if (context == ExprContext::Mask) {
      reportUnavailable(expr, "a read of the float tensor " + quote(tensor.name));
      return std::nullopt;
    }
    return ExprType::Float;
  }

  bool checkInBounds(const Expr &index, const Dim &dim, const std::string &name,
                     size_t position) {
    std::string where = "index " + std::to_string(position) + " of " +
                        quote(name) + " (dimension " + quote(dimName(dim)) +
                        ")";
    if (std::optional<Var> var = dimVariable(dim.kind)) {
      bool matches = index.kind == ExprKind::Variable &&
                     (index.var == *var ||
                      (dim.kind == DimKind::KeyLen && index.var == Var::Q));
      if (!matches)
        report(index.offset, where + " must be '" + std::string(varName(*var)) +
                                 "', the variable that ranges over it; got " +
                                 text(index));
      return matches;
    }
    if (dim.kind == DimKind::QueryBlocks) {
      report(index.offset, where + " is a block dimension, read only by "
                                   "\"routing\"; expressions cannot index it");
      return false;
    }
    Range range = rangeOf(index);
    if (range.lo >= 0 && range.hi < dim.size)
      return true;
    report(index.offset, where + " must be provably in [0, " +
                             std::to_string(dim.size) + "), but " +
                             text(index) + " may be outside it; clamp it "
                             "with min(max(..., 0), " +
                             std::to_string(dim.size - 1) + ")");
    return false;
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
    if (callee.gridRank > 0 &&
        !requireGrid(expr, quote(callee.name) + " works on a token grid", callee.gridRank))
      return std::nullopt;
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
  const Decls &decls;
};

} // namespace

std::vector<ExprError> checkExpr(Expr &expr, std::string_view source,
                                 ExprContext context,
                                 std::optional<ExprType> expected,
                                 const Decls &decls) {
  Checker checker(source, context, decls);
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

namespace attnc::spec {

bool readsQueryInKeyDim(const Expr &expr, const Decls &decls) {
  if (expr.kind == ExprKind::Index) {
    const TensorDecl &tensor = decls.tensors[expr.slot];
    for (size_t i = 0; i < expr.operands.size(); ++i)
      if (tensor.dims[i].kind == DimKind::KeyLen &&
          expr.operand(i).kind == ExprKind::Variable &&
          expr.operand(i).var == Var::Q)
        return true;
  }
  for (const auto &operand : expr.operands)
    if (readsQueryInKeyDim(*operand, decls))
      return true;
  return false;
}

} // namespace attnc::spec
