//===- SpecToAttn.cpp - Spec model → attn dialect -------------------------===//

#include "compiler/Conversion/SpecToAttn/SpecToAttn.h"

#include "compiler/Spec/Builtins.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using attnc::spec::BinaryOp;
using attnc::spec::Expr;
using attnc::spec::ExprKind;

namespace attnc {
namespace {

/// Lowers one type-checked expression tree into ops at the builder's point.
/// Every node becomes pure arith (or attn.causal), so the mask region can be
/// folded, analysed and emitted like any other IR.
class ExprLowering {
public:
  ExprLowering(OpBuilder &b, Location loc, attn::AttentionOp attention)
      : b(b), loc(loc), attention(attention) {}

  Value lower(const Expr &e) {
    switch (e.kind) {
    case ExprKind::IntLiteral:
      return constant(e.intValue, 64);
    case ExprKind::BoolLiteral:
      return constant(e.boolValue ? 1 : 0, 1);
    case ExprKind::Variable:
      return variable(e.var);
    case ExprKind::Unary: {
      Value x = lower(e.operand(0));
      if (e.unaryOp == spec::UnaryOp::Not)
        return arith::XOrIOp::create(b, loc, x, constant(1, 1));
      return arith::SubIOp::create(b, loc, constant(0, 64), x);
    }
    // Operands are lowered one statement at a time: the order of arguments
    // in a call is unspecified in C++, and the IR must not depend on it.
    case ExprKind::Binary: {
      Value lhs = lower(e.operand(0));
      Value rhs = lower(e.operand(1));
      return binary(e.binaryOp, lhs, rhs);
    }
    case ExprKind::Conditional: {
      Value condition = lower(e.operand(0));
      Value whenTrue = lower(e.operand(1));
      Value whenFalse = lower(e.operand(2));
      return arith::SelectOp::create(b, loc, condition, whenTrue, whenFalse);
    }
    case ExprKind::Call:
      return call(e);
    }
    llvm_unreachable("unknown expression kind");
  }

private:
  Value constant(int64_t value, unsigned width) {
    return arith::ConstantIntOp::create(b, loc, value, width);
  }

  Value variable(spec::Var var) {
    switch (var) {
    case spec::Var::B: return attention.getBatchArg();
    case spec::Var::H: return attention.getHeadArg();
    case spec::Var::Q: return attention.getQueryArg();
    case spec::Var::K: return attention.getKeyArg();
    case spec::Var::Sq: return attention.getQueryLenArg();
    case spec::Var::Skv: return attention.getKeyLenArg();
    }
    llvm_unreachable("unknown variable");
  }

  Value compare(arith::CmpIPredicate predicate, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  }

  Value binary(BinaryOp op, Value x, Value y) {
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

  Value causal(attn::Alignment alignment) {
    auto op = attn::CausalOp::create(
        b, loc, b.getI1Type(), attention.getQueryArg(), attention.getKeyArg(),
        attention.getQueryLenArg(), attention.getKeyLenArg(),
        attn::AlignmentAttr::get(b.getContext(), alignment));
    return op.getKeep();
  }

  /// The key on the query's diagonal, bottom-right aligned like attn.causal:
  /// q + (skv - sq). Negative for the first queries when sq > skv.
  Value diagonal() {
    Value offset = arith::SubIOp::create(b, loc, attention.getKeyLenArg(),
                                         attention.getQueryLenArg());
    return arith::AddIOp::create(b, loc, attention.getQueryArg(), offset);
  }

  /// window(left, right): diag - left <= k && k <= diag + right, compared as
  /// distances from the diagonal (diag - k <= left && k - diag <= right) so
  /// that no bound overflows, whatever the literals: window(9223372036854775807, 0)
  /// is causal.
  Value window(Value left, Value right) {
    Value key = attention.getKeyArg();
    Value diag = diagonal();
    Value behind = arith::SubIOp::create(b, loc, diag, key);
    Value ahead = arith::SubIOp::create(b, loc, key, diag);
    Value nearLeft = compare(arith::CmpIPredicate::sle, behind, left);
    Value nearRight = compare(arith::CmpIPredicate::sle, ahead, right);
    return arith::AndIOp::create(b, loc, nearLeft, nearRight);
  }

  /// The block size of chunk(n) / block_diagonal(n). A literal one is
  /// positive (the checker rejects others); any other is clamped to at least 1
  /// because a size that is not positive is undefined, and the straight-line
  /// code computes the division even where `&&` or `?:` discards it, so it
  /// must not divide by zero.
  Value positiveSize(const Expr &operand, Value size) {
    if (operand.kind == ExprKind::IntLiteral)
      return size;
    return arith::MaxSIOp::create(b, loc, size, constant(1, 64));
  }

  /// floor(x / size) == floor(y / size): x and y fall in the same block.
  Value sameBlock(Value x, Value y, Value size) {
    Value xBlock = arith::FloorDivSIOp::create(b, loc, x, size);
    Value yBlock = arith::FloorDivSIOp::create(b, loc, y, size);
    return compare(arith::CmpIPredicate::eq, xBlock, yBlock);
  }

  Value call(const Expr &e) {
    llvm::StringRef name(e.callee->name.data(), e.callee->name.size());
    if (name == "none")
      return constant(1, 1);
    if (name == "causal")
      return causal(attn::Alignment::bottom_right);
    if (name == "causal_top_left")
      return causal(attn::Alignment::top_left);
    SmallVector<Value> args;
    for (const auto &operand : e.operands)
      args.push_back(lower(*operand));
    if (name == "min")
      return arith::MinSIOp::create(b, loc, args[0], args[1]);
    if (name == "max")
      return arith::MaxSIOp::create(b, loc, args[0], args[1]);
    if (name == "abs") {
      Value negative = compare(arith::CmpIPredicate::slt, args[0], constant(0, 64));
      Value negated = arith::SubIOp::create(b, loc, constant(0, 64), args[0]);
      return arith::SelectOp::create(b, loc, negative, negated, args[0]);
    }
    if (name == "window")
      return window(/*left=*/args[0], /*right=*/args[1]);
    if (name == "sink" || name == "prefix")
      return compare(arith::CmpIPredicate::slt, attention.getKeyArg(), args[0]);
    if (name == "chunk") {
      // Same chunk as the diagonal key: floor(diag / n) == floor(k / n).
      Value size = positiveSize(e.operand(0), args[0]);
      Value diag = diagonal();
      return sameBlock(diag, attention.getKeyArg(), size);
    }
    if (name == "block_diagonal") {
      // Same block, counted from the first query and key: floor(q / n) == floor(k / n).
      Value size = positiveSize(e.operand(0), args[0]);
      return sameBlock(attention.getQueryArg(), attention.getKeyArg(), size);
    }
    llvm::report_fatal_error("built-in '" + name + "' has no lowering to the attn dialect");
  }

  OpBuilder &b;
  Location loc;
  attn::AttentionOp attention;
};

Type elementType(MLIRContext &context, spec::ElementType type) {
  Builder b(&context);
  return type == spec::ElementType::BF16 ? Type(b.getBF16Type()) : Type(b.getF16Type());
}

} // namespace

OwningOpRef<ModuleOp> buildAttnModule(MLIRContext &context, const spec::Spec &spec,
                                      llvm::StringRef fileName) {
  context.loadDialect<attn::AttnDialect, arith::ArithDialect>();
  Location loc = FileLineColLoc::get(&context, fileName, 1, 1);
  Location maskLoc = NameLoc::get(StringAttr::get(&context, "/mask"), loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b = OpBuilder::atBlockEnd(module->getBody());

  SmallVector<StringRef> modes;
  for (spec::Mode mode : spec.modes)
    if (mode == spec::Mode::Forward)
      modes.push_back("forward");
  auto attention = attn::AttentionOp::create(b, loc, spec.name, spec.headDim,
                                             elementType(context, spec.elementType), modes);
  b.setInsertionPointToEnd(&attention.getMaskBlock());
  ExprLowering lowering(b, maskLoc, attention);
  Value keep = lowering.lower(*spec.mask);
  attn::YieldOp::create(b, maskLoc, keep);

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace attnc
