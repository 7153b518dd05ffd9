//===- ExprLowering.cpp - Spec expressions → arith / math / attn ops ------===//
//
// Literals, variables and operators. Every node becomes pure arith (or math,
// or attn.causal), so the regions can be folded, analysed and emitted like
// any other IR.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/SpecToAttn/ExprLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using attnc::spec::BinaryOp;
using attnc::spec::Expr;
using attnc::spec::ExprKind;
using attnc::spec::ExprType;

namespace attnc {

static llvm::StringRef toStringRef(std::string_view text) {
  return llvm::StringRef(text.data(), text.size());
}

//===----------------------------------------------------------------------===//
// ExprBindings
//===----------------------------------------------------------------------===//

ExprBindings ExprBindings::forMask(attn::AttentionOp attention) {
  ExprBindings vars;
  vars.b = attention.getBatchArg();
  vars.h = attention.getHeadArg();
  vars.q = attention.getQueryArg();
  vars.k = attention.getKeyArg();
  vars.sq = attention.getQueryLenArg();
  vars.skv = attention.getKeyLenArg();
  if (std::optional<ArrayRef<int64_t>> grid = attention.getGrid())
    vars.grid.assign(grid->begin(), grid->end());
  return vars;
}

ExprBindings ExprBindings::forScore(attn::AttentionOp attention) {
  ExprBindings vars;
  vars.s = attention.getScoreArg();
  vars.b = attention.getScoreBatchArg();
  vars.h = attention.getScoreHeadArg();
  vars.q = attention.getScoreQueryArg();
  vars.k = attention.getScoreKeyArg();
  vars.sq = attention.getScoreQueryLenArg();
  vars.skv = attention.getScoreKeyLenArg();
  vars.hq = attention.getScoreNumHeadsArg();
  if (std::optional<ArrayRef<int64_t>> grid = attention.getGrid())
    vars.grid.assign(grid->begin(), grid->end());
  return vars;
}

ExprBindings ExprBindings::forSink(attn::AttentionOp attention) {
  ExprBindings vars;
  vars.b = attention.getSinkBatchArg();
  vars.h = attention.getSinkHeadArg();
  vars.hq = attention.getSinkNumHeadsArg();
  return vars;
}

Value ExprBindings::get(spec::Var var) const {
  Value value;
  switch (var) {
  case spec::Var::B: value = b; break;
  case spec::Var::H: value = h; break;
  case spec::Var::Q: value = q; break;
  case spec::Var::K: value = k; break;
  case spec::Var::Sq: value = sq; break;
  case spec::Var::Skv: value = skv; break;
  case spec::Var::S: value = s; break;
  case spec::Var::Hq: value = hq; break;
  default: break; // grid coordinates: ExprLowering builds them
  }
  if (!value)
    llvm::report_fatal_error("variable '" + toStringRef(spec::varName(var)) +
                             "' is not bound in this region");
  return value;
}

//===----------------------------------------------------------------------===//
// ExprLowering
//===----------------------------------------------------------------------===//

Value ExprLowering::lower(const Expr &e) {
  switch (e.kind) {
  case ExprKind::IntLiteral:
    return intConstant(e.intValue, 64);
  case ExprKind::FloatLiteral:
    return floatConstant(e.floatValue);
  case ExprKind::BoolLiteral:
    return intConstant(e.boolValue ? 1 : 0, 1);
  case ExprKind::Variable:
    if (std::optional<size_t> fromEnd = spec::coordAxisFromEnd(e.var))
      return gridCoord(spec::isQueryCoord(e.var) ? vars.q : vars.k,
                       vars.grid.size() - 1 - *fromEnd);
    return vars.get(e.var);
  case ExprKind::Unary:
    return unary(e);
  case ExprKind::Binary:
    return binary(e);
  case ExprKind::Conditional:
    return conditional(e);
  case ExprKind::Call:
    return call(e);
  case ExprKind::Param:
    return attn::ParamOp::create(b, loc, resultType(e),
                                 static_cast<int64_t>(e.slot));
  case ExprKind::Index: {
    SmallVector<Value> indices;
    for (const auto &index : e.operands)
      indices.push_back(lower(*index));
    return attn::ReadOp::create(b, loc, resultType(e), indices,
                                static_cast<int64_t>(e.slot));
  }
  }
  llvm_unreachable("unknown expression kind");
}

Value ExprLowering::lowerAsFloat(const Expr &e) { return toFloat(lower(e)); }

/// i64 for an int node, f32 for a float one (params and tensor reads).
Type ExprLowering::resultType(const Expr &e) {
  return e.type == ExprType::Float ? Type(b.getF32Type()) : Type(b.getI64Type());
}

Value ExprLowering::intConstant(int64_t value, unsigned width) {
  return arith::ConstantIntOp::create(b, loc, value, width);
}

/// The f32 nearest to `value` (a finite double); one beyond the f32 range
/// becomes ±inf, as a float literal in C does.
Value ExprLowering::floatConstant(double value) {
  llvm::APFloat f32(value);
  bool losesInfo = false;
  f32.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), f32);
}

Value ExprLowering::toFloat(Value value) {
  if (value.getType().isF32())
    return value;
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), value);
}

Value ExprLowering::unary(const Expr &e) {
  Value x = lower(e.operand(0));
  if (e.unaryOp == spec::UnaryOp::Not)
    return arith::XOrIOp::create(b, loc, x, intConstant(1, 1));
  if (e.type == ExprType::Float)
    return arith::NegFOp::create(b, loc, x);
  return arith::SubIOp::create(b, loc, intConstant(0, 64), x);
}

/// An arithmetic operator or a comparison works in float when either operand
/// is a float (its int operand converted), else in int; && and || on i1.
Value ExprLowering::binary(const Expr &e) {
  const Expr &lhs = e.operand(0);
  const Expr &rhs = e.operand(1);
  bool inFloat = lhs.type == ExprType::Float || rhs.type == ExprType::Float;
  if (!inFloat) {
    Value x = lower(lhs);
    Value y = lower(rhs);
    return intBinary(e.binaryOp, x, y);
  }
  Value x = lowerAsFloat(lhs);
  Value y = lowerAsFloat(rhs);
  return floatBinary(e.binaryOp, x, y);
}

Value ExprLowering::compare(arith::CmpIPredicate predicate, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, predicate, x, y);
}

Value ExprLowering::intBinary(BinaryOp op, Value x, Value y) {
  using P = arith::CmpIPredicate;
  switch (op) {
  case BinaryOp::Mul: return arith::MulIOp::create(b, loc, x, y);
  case BinaryOp::Div: return arith::DivSIOp::create(b, loc, x, y); // C: truncates
  case BinaryOp::Rem: return arith::RemSIOp::create(b, loc, x, y);
  case BinaryOp::Add: return arith::AddIOp::create(b, loc, x, y);
  case BinaryOp::Sub: return arith::SubIOp::create(b, loc, x, y);
  case BinaryOp::Lt: return compare(P::slt, x, y);
  case BinaryOp::Le: return compare(P::sle, x, y);
  case BinaryOp::Gt: return compare(P::sgt, x, y);
  case BinaryOp::Ge: return compare(P::sge, x, y);
  case BinaryOp::Eq: return compare(P::eq, x, y);
  case BinaryOp::Ne: return compare(P::ne, x, y);
  case BinaryOp::And: return arith::AndIOp::create(b, loc, x, y);
  case BinaryOp::Or: return arith::OrIOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown binary operator");
}

/// IEEE arithmetic on f32. Comparisons are ordered, as in C (false when an
/// operand is NaN), but != is unordered (true when an operand is NaN).
Value ExprLowering::floatBinary(BinaryOp op, Value x, Value y) {
  using P = arith::CmpFPredicate;
  auto compareF = [&](P predicate) -> Value {
    return arith::CmpFOp::create(b, loc, predicate, x, y);
  };
  switch (op) {
  case BinaryOp::Mul: return arith::MulFOp::create(b, loc, x, y);
  case BinaryOp::Div: return arith::DivFOp::create(b, loc, x, y);
  case BinaryOp::Add: return arith::AddFOp::create(b, loc, x, y);
  case BinaryOp::Sub: return arith::SubFOp::create(b, loc, x, y);
  case BinaryOp::Lt: return compareF(P::OLT);
  case BinaryOp::Le: return compareF(P::OLE);
  case BinaryOp::Gt: return compareF(P::OGT);
  case BinaryOp::Ge: return compareF(P::OGE);
  case BinaryOp::Eq: return compareF(P::OEQ);
  case BinaryOp::Ne: return compareF(P::UNE);
  case BinaryOp::Rem: // the type checker takes % on ints only
  case BinaryOp::And:
  case BinaryOp::Or:
    break;
  }
  llvm::report_fatal_error("binary operator '" +
                           toStringRef(spec::binaryOpSpelling(op)) +
                           "' has no float lowering");
}

/// c ? x : y as a select; a float conditional converts an int branch.
Value ExprLowering::conditional(const Expr &e) {
  Value condition = lower(e.operand(0));
  bool inFloat = e.type == ExprType::Float;
  Value whenTrue = inFloat ? lowerAsFloat(e.operand(1)) : lower(e.operand(1));
  Value whenFalse = inFloat ? lowerAsFloat(e.operand(2)) : lower(e.operand(2));
  return arith::SelectOp::create(b, loc, condition, whenTrue, whenFalse);
}

} // namespace attnc
