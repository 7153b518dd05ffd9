//===- BuiltinLowering.cpp - Calls of spec built-ins → ops ----------------===//
//
// The built-ins of compiler/Spec/Builtins.h, each written as the ops of its
// definition there:
//
//   masks   causal → attn.causal (recognised by --attn-to-tile); window, sink,
//           prefix, chunk, block_diagonal, strided → arith on indices;
//           radial → arith and math.ctlz (its floor(log2))
//   int     min, max → arith.minsi / maxsi; abs → select of the negation
//   float   min, max → arith.minimumf / maximumf; abs → math.absf;
//           tanh, exp, exp2, log → math.tanh / exp / exp2 / log;
//           sigmoid(x) → 1 / (1 + exp(-x)); softcap(x, c) → c * tanh(x / c)
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/SpecToAttn/ExprLowering.h"

#include "compiler/Spec/Builtins.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using attnc::spec::Expr;
using attnc::spec::ExprKind;
using attnc::spec::ExprType;
using attnc::spec::ParamKind;

namespace attnc {

Value ExprLowering::call(const Expr &e) {
  const spec::Builtin &callee = *e.callee;
  llvm::StringRef name(callee.name.data(), callee.name.size());
  if (name == "none")
    return intConstant(1, 1);
  if (name == "causal")
    return causal(attn::Alignment::bottom_right);
  if (name == "causal_top_left")
    return causal(attn::Alignment::top_left);

  // Arguments in order; a float parameter, or an overload that resolved to
  // float (min(s, 0)), converts an int argument.
  bool inFloat = e.type == ExprType::Float;
  SmallVector<Value> args;
  for (auto [param, operand] : llvm::zip_equal(callee.params, e.operands)) {
    bool toFloat = param == ParamKind::Float ||
                   (param == ParamKind::Numeric && inFloat);
    args.push_back(toFloat ? lowerAsFloat(*operand) : lower(*operand));
  }
  return inFloat ? floatCall(name, args) : intCall(name, args, e);
}

Value ExprLowering::intCall(llvm::StringRef name, ArrayRef<Value> args,
                            const Expr &e) {
  if (name == "min")
    return arith::MinSIOp::create(b, loc, args[0], args[1]);
  if (name == "max")
    return arith::MaxSIOp::create(b, loc, args[0], args[1]);
  if (name == "abs") {
    Value negative = compare(arith::CmpIPredicate::slt, args[0], intConstant(0, 64));
    Value negated = arith::SubIOp::create(b, loc, intConstant(0, 64), args[0]);
    return arith::SelectOp::create(b, loc, negative, negated, args[0]);
  }
  if (e.callee->gridRank > 0)
    return gridCall(name, args, e);
  if (name == "window")
    return window(/*left=*/args[0], /*right=*/args[1]);
  if (name == "sink" || name == "prefix")
    return compare(arith::CmpIPredicate::slt, vars.k, args[0]);
  if (name == "chunk") {
    // Same chunk as the diagonal key: floor(diag / n) == floor(k / n).
    Value size = positiveSize(e.operand(0), args[0]);
    Value diag = diagonal();
    return sameBlock(diag, vars.k, size);
  }
  if (name == "block_diagonal") {
    // Same block, counted from the first query and key: floor(q / n) == floor(k / n).
    Value size = positiveSize(e.operand(0), args[0]);
    return sameBlock(vars.q, vars.k, size);
  }
  if (name == "strided") {
    // The key's block is one of this head's: floor(k / size) % n == h % n (k, h >= 0).
    Value stride = positiveSize(e.operand(0), args[0]);
    Value size = positiveSize(e.operand(1), args[1]);
    Value block = arith::FloorDivSIOp::create(b, loc, vars.k, size);
    Value keyShard = arith::RemSIOp::create(b, loc, block, stride);
    Value headShard = arith::RemSIOp::create(b, loc, vars.h, stride);
    return compare(arith::CmpIPredicate::eq, keyShard, headShard);
  }
  if (name == "radial")
    return radial(positiveSize(e.operand(0), args[0]), positiveSize(e.operand(1), args[1]));
  llvm::report_fatal_error("built-in '" + name + "' has no lowering to the attn dialect");
}

Value ExprLowering::floatCall(llvm::StringRef name, ArrayRef<Value> args) {
  if (name == "min")
    return arith::MinimumFOp::create(b, loc, args[0], args[1]);
  if (name == "max")
    return arith::MaximumFOp::create(b, loc, args[0], args[1]);
  if (name == "abs")
    return math::AbsFOp::create(b, loc, args[0]);
  if (name == "tanh")
    return math::TanhOp::create(b, loc, args[0]);
  if (name == "exp")
    return math::ExpOp::create(b, loc, args[0]);
  if (name == "exp2")
    return math::Exp2Op::create(b, loc, args[0]);
  if (name == "log")
    return math::LogOp::create(b, loc, args[0]);
  if (name == "sigmoid") {
    // 1 / (1 + exp(-x)): exp(-x) overflows to inf for x < -88, and 1 / inf
    // is the exact limit 0; no NaN arises for any x but NaN.
    Value negated = arith::NegFOp::create(b, loc, args[0]);
    Value exp = math::ExpOp::create(b, loc, negated);
    Value one = floatConstant(1.0);
    Value denominator = arith::AddFOp::create(b, loc, one, exp);
    return arith::DivFOp::create(b, loc, one, denominator);
  }
  if (name == "softcap") {
    // c * tanh(x / c): about x for |x| << c, tends to ±c (the checker
    // rejects a literal c <= 0).
    Value x = args[0], cap = args[1];
    Value scaled = arith::DivFOp::create(b, loc, x, cap);
    Value squashed = math::TanhOp::create(b, loc, scaled);
    return arith::MulFOp::create(b, loc, cap, squashed);
  }
  llvm::report_fatal_error("built-in '" + name + "' has no float lowering");
}

//===----------------------------------------------------------------------===//
// Structured masks
//===----------------------------------------------------------------------===//

Value ExprLowering::causal(attn::Alignment alignment) {
  auto op = attn::CausalOp::create(b, loc, b.getI1Type(), vars.q, vars.k, vars.sq,
                                   vars.skv,
                                   attn::AlignmentAttr::get(b.getContext(), alignment));
  return op.getKeep();
}

/// The key on the query's diagonal, bottom-right aligned like attn.causal:
/// q + (skv - sq). Negative for the first queries when sq > skv.
Value ExprLowering::diagonal() {
  Value offset = arith::SubIOp::create(b, loc, vars.skv, vars.sq);
  return arith::AddIOp::create(b, loc, vars.q, offset);
}

/// window(left, right): diag - left <= k && k <= diag + right, compared as
/// distances from the diagonal (diag - k <= left && k - diag <= right) so
/// that no bound overflows, whatever the literals: window(9223372036854775807, 0)
/// is causal.
Value ExprLowering::window(Value left, Value right) {
  Value diag = diagonal();
  Value behind = arith::SubIOp::create(b, loc, diag, vars.k);
  Value ahead = arith::SubIOp::create(b, loc, vars.k, diag);
  Value nearLeft = compare(arith::CmpIPredicate::sle, behind, left);
  Value nearRight = compare(arith::CmpIPredicate::sle, ahead, right);
  return arith::AndIOp::create(b, loc, nearLeft, nearRight);
}

/// The block size of chunk(n) / block_diagonal(n) (and strided's stride and
/// block size). A literal one is
/// positive (the checker rejects others); any other is clamped to at least 1
/// because a size that is not positive is undefined, and the straight-line
/// code computes the division even where `&&` or `?:` discards it, so it
/// must not divide by zero.
Value ExprLowering::positiveSize(const Expr &operand, Value size) {
  if (operand.kind == ExprKind::IntLiteral)
    return size;
  return arith::MaxSIOp::create(b, loc, size, intConstant(1, 64));
}

/// floor(x / size) == floor(y / size): x and y fall in the same block.
Value ExprLowering::sameBlock(Value x, Value y, Value size) {
  Value xBlock = arith::FloorDivSIOp::create(b, loc, x, size);
  Value yBlock = arith::FloorDivSIOp::create(b, loc, y, size);
  return compare(arith::CmpIPredicate::eq, xBlock, yBlock);
}

/// radial(frame, width) for q, k >= 0 (Builtins.cpp has the definition):
/// with d the frame distance and p = 2^floor(log2(max(d, 1))), written with
/// math.ctlz and arith.shli,
///   |q % frame - k % frame| <= (width - 1) >> log2(p)       (the band, * p < width)
///   && (p <= width || d % ceil(p / width) == 0)             (every n-th frame)
/// Nothing overflows: p <= d, and the band is compared after dividing. The
/// band divides by a shift: the mask runs per element on partial tiles, where
/// a division by a value that is not a constant costs some twenty instructions.
Value ExprLowering::radial(Value frame, Value width) {
  auto distance = [&](Value x, Value y) {
    Value difference = arith::SubIOp::create(b, loc, x, y);
    Value negated = arith::SubIOp::create(b, loc, intConstant(0, 64), difference);
    return arith::MaxSIOp::create(b, loc, difference, negated);
  };
  // One statement per op: the order of function arguments' evaluation is
  // unspecified, and the IR should not depend on the compiler.
  Value one = intConstant(1, 64);
  Value queryFrame = arith::FloorDivSIOp::create(b, loc, vars.q, frame);
  Value keyFrame = arith::FloorDivSIOp::create(b, loc, vars.k, frame);
  Value frames = distance(queryFrame, keyFrame);
  Value queryPlace = arith::RemSIOp::create(b, loc, vars.q, frame);
  Value keyPlace = arith::RemSIOp::create(b, loc, vars.k, frame);
  Value offset = distance(queryPlace, keyPlace);
  Value atLeastOne = arith::MaxSIOp::create(b, loc, frames, one);
  Value zeros = math::CountLeadingZerosOp::create(b, loc, atLeastOne);
  Value log2 = arith::SubIOp::create(b, loc, intConstant(63, 64), zeros);
  Value power = arith::ShLIOp::create(b, loc, one, log2);
  Value widthBelow = arith::SubIOp::create(b, loc, width, one);
  Value bandLimit = arith::ShRSIOp::create(b, loc, widthBelow, log2); // (width - 1) / p
  Value inBand = compare(arith::CmpIPredicate::sle, offset, bandLimit);
  Value wide = compare(arith::CmpIPredicate::sle, power, width);
  Value step = arith::CeilDivSIOp::create(b, loc, power, width);
  Value frameOffStep = arith::RemSIOp::create(b, loc, frames, step);
  Value onStep = compare(arith::CmpIPredicate::eq, frameOffStep, intConstant(0, 64));
  Value wideOrOnStep = arith::OrIOp::create(b, loc, wide, onStep);
  return arith::AndIOp::create(b, loc, inBand, wideOrOnStep);
}

//===----------------------------------------------------------------------===//
// Token grids
//===----------------------------------------------------------------------===//

Value ExprLowering::gridCoord(Value index, size_t axis) {
  return attn::GridCoordOp::create(b, loc, b.getI64Type(), index, b.getI64IntegerAttr(axis),
                                   b.getI64IntegerAttr(spec::gridStride(vars.grid, axis)),
                                   b.getI64IntegerAttr(vars.grid[axis]));
}

/// The grid built-ins: a predicate along one axis, or along every axis and
/// all of them (Builtins.cpp has the definitions).
Value ExprLowering::gridCall(llvm::StringRef name, ArrayRef<Value> args, const Expr &e) {
  const size_t rank = vars.grid.size();
  auto literalOne = [&](size_t i) {
    return e.operands.size() > i && e.operand(i).kind == ExprKind::IntLiteral &&
           e.operand(i).intValue == 1;
  };
  if (name == "neighborhood" || name == "swin") {
    Value keep;
    for (size_t axis = 0; axis < rank; ++axis) {
      Value kept = name == "swin"
                       ? swinAxis(axis, args[0], args[1])
                       : neighborhoodAxis(axis, args[0],
                                          args.size() > 1 ? args[1] : intConstant(1, 64),
                                          args.size() == 1 || literalOne(1), /*causal=*/false);
      keep = keep ? arith::AndIOp::create(b, loc, keep, kept).getResult() : kept;
    }
    return keep;
  }
  // neighborhood_x / _y / _t and their causal forms: x is the last axis.
  const size_t fromEnd = name.ends_with("_x") ? 0 : name.ends_with("_y") ? 1 : 2;
  const size_t axis = rank - 1 - fromEnd;
  return neighborhoodAxis(axis, args[0], args[1], literalOne(1),
                          /*causal=*/name.starts_with("causal_"));
}

/// NATTEN along one axis, inside the query's residue class of the dilation
/// (skipped for a literal dilation of 1): the window of `kernel` positions
/// around the query, shifted inward at the borders, or for `causal` the
/// `kernel` positions ending at the query.
Value ExprLowering::neighborhoodAxis(size_t axis, Value kernel, Value dilation,
                                     bool unitDilation, bool causal) {
  Value c = gridCoord(vars.q, axis), ck = gridCoord(vars.k, axis);
  Value zero = intConstant(0, 64);
  Value same, i = c, j = ck, positions = intConstant(vars.grid[axis], 64);
  if (!unitDilation) {
    // The straight-line code divides even where the result is discarded.
    Value d = arith::MaxSIOp::create(b, loc, dilation, intConstant(1, 64));
    Value residue = arith::RemSIOp::create(b, loc, c, d);
    Value keyResidue = arith::RemSIOp::create(b, loc, ck, d);
    same = compare(arith::CmpIPredicate::eq, keyResidue, residue);
    i = arith::DivSIOp::create(b, loc, c, d);
    j = arith::DivSIOp::create(b, loc, ck, d);
    // (n - residue + d - 1) / d positions in the class.
    Value left = arith::SubIOp::create(b, loc, positions, residue);
    Value up = arith::AddIOp::create(b, loc, left,
                                     arith::SubIOp::create(b, loc, d, intConstant(1, 64)));
    positions = arith::DivSIOp::create(b, loc, up, d);
  }
  Value keep;
  if (causal) {
    Value behind = arith::SubIOp::create(b, loc, i, j);
    keep = arith::AndIOp::create(b, loc, compare(arith::CmpIPredicate::sge, behind, zero),
                                 compare(arith::CmpIPredicate::slt, behind, kernel));
  } else {
    Value half = arith::DivSIOp::create(b, loc, kernel, intConstant(2, 64));
    Value centred = arith::SubIOp::create(b, loc, i, half);
    Value last = arith::SubIOp::create(b, loc, positions, kernel);
    Value start = arith::MaxSIOp::create(
        b, loc, zero, arith::MinSIOp::create(b, loc, centred, last));
    Value offset = arith::SubIOp::create(b, loc, j, start);
    keep = arith::AndIOp::create(b, loc, compare(arith::CmpIPredicate::sge, offset, zero),
                                 compare(arith::CmpIPredicate::slt, offset, kernel));
  }
  return same ? arith::AndIOp::create(b, loc, same, keep).getResult() : keep;
}

/// floor((c - shift) / window) == floor((c' - shift) / window).
Value ExprLowering::swinAxis(size_t axis, Value window, Value shift) {
  Value c = arith::SubIOp::create(b, loc, gridCoord(vars.q, axis), shift);
  Value ck = arith::SubIOp::create(b, loc, gridCoord(vars.k, axis), shift);
  Value size = arith::MaxSIOp::create(b, loc, window, intConstant(1, 64));
  return sameBlock(c, ck, size);
}

} // namespace attnc
