//===- ExprLowering.h - Spec expressions → IR ------------------*- C++ -*-===//
//
// A type-checked expression tree (compiler/Spec/Expr.h) becomes pure ops at a
// builder's insertion point, in the region that the variables are bound to:
//
//   int   → i64, arith.*i ops (C semantics: `/` truncates)
//   bool  → i1, arith.cmpi / andi / ori / xori / select, attn.causal
//   float → f32, arith.*f ops and math ops; an int operand of a float
//           operation is converted first (arith.sitofp)
//
// Operands are lowered one statement at a time, left to right: the order of
// arguments in a C++ call is unspecified, and the IR must not depend on it.
// Calls of built-ins are lowered in BuiltinLowering.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CONVERSION_SPECTOATTN_EXPRLOWERING_H
#define ATTNC_COMPILER_CONVERSION_SPECTOATTN_EXPRLOWERING_H

#include "compiler/Spec/Expr.h"
#include "dialects/Attn/IR/AttnOps.h"

#include "mlir/IR/Builders.h"

#include <vector>

namespace attnc {

/// What the variables of an expression stand for: the block arguments of the
/// region being built. The score-only variables s and hq are null in a mask;
/// a sink binds only b, h and hq.
struct ExprBindings {
  mlir::Value b, h, q, k, sq, skv;
  mlir::Value s, hq;
  /// The token grid of the attention op (empty without one): the grid
  /// coordinates of q and k are attn.grid_coord ops on it.
  std::vector<int64_t> grid;

  /// The arguments of the mask block of `attention`.
  static ExprBindings forMask(mlir::attn::AttentionOp attention);
  /// The arguments of the score block of `attention` (which must have one).
  static ExprBindings forScore(mlir::attn::AttentionOp attention);
  /// The arguments of the sink block of `attention` (b, h, hq; which must
  /// have one).
  static ExprBindings forSink(mlir::attn::AttentionOp attention);

  /// The value of `var`; fails hard for a variable the region does not bind
  /// (the type checker keeps s and hq out of masks).
  mlir::Value get(spec::Var var) const;
};

class ExprLowering {
public:
  ExprLowering(mlir::OpBuilder &b, mlir::Location loc, const ExprBindings &vars)
      : b(b), loc(loc), vars(vars) {}

  /// The value of `e`: i64 for an int node, i1 for a bool one, f32 for a
  /// float one.
  mlir::Value lower(const spec::Expr &e);

  /// lower(e), converted to f32 if `e` is an int.
  mlir::Value lowerAsFloat(const spec::Expr &e);

private:
  // Leaves (ExprLowering.cpp).
  mlir::Type resultType(const spec::Expr &e);
  mlir::Value intConstant(int64_t value, unsigned width);
  mlir::Value floatConstant(double value);
  /// An i64 converted to f32 (signed); an f32 as it is.
  mlir::Value toFloat(mlir::Value value);

  // Operators (ExprLowering.cpp).
  mlir::Value unary(const spec::Expr &e);
  mlir::Value binary(const spec::Expr &e);
  mlir::Value intBinary(spec::BinaryOp op, mlir::Value x, mlir::Value y);
  mlir::Value floatBinary(spec::BinaryOp op, mlir::Value x, mlir::Value y);
  mlir::Value conditional(const spec::Expr &e);
  mlir::Value compare(mlir::arith::CmpIPredicate predicate, mlir::Value x,
                      mlir::Value y);

  // Built-ins (BuiltinLowering.cpp).
  mlir::Value call(const spec::Expr &e);
  mlir::Value intCall(llvm::StringRef name, llvm::ArrayRef<mlir::Value> args,
                      const spec::Expr &e);
  mlir::Value floatCall(llvm::StringRef name, llvm::ArrayRef<mlir::Value> args);
  mlir::Value causal(mlir::attn::Alignment alignment);
  mlir::Value diagonal();
  mlir::Value window(mlir::Value left, mlir::Value right);
  mlir::Value positiveSize(const spec::Expr &operand, mlir::Value size);
  mlir::Value sameBlock(mlir::Value x, mlir::Value y, mlir::Value size);
  mlir::Value radial(mlir::Value frame, mlir::Value width);
  // Token grids (BuiltinLowering.cpp).
  mlir::Value gridCoord(mlir::Value index, size_t axis);
  mlir::Value gridCall(llvm::StringRef name, llvm::ArrayRef<mlir::Value> args,
                       const spec::Expr &e);
  mlir::Value neighborhoodAxis(size_t axis, mlir::Value kernel, mlir::Value dilation,
                               bool unitDilation, bool causal);
  mlir::Value swinAxis(size_t axis, mlir::Value window, mlir::Value shift);

  mlir::OpBuilder &b;
  mlir::Location loc;
  ExprBindings vars;
};

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_SPECTOATTN_EXPRLOWERING_H
