//===- SpecToAttn.cpp - Spec model → attn dialect -------------------------===//

#include "compiler/Conversion/SpecToAttn/SpecToAttn.h"

#include "compiler/Conversion/SpecToAttn/ExprLowering.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace attnc {
namespace {

Type elementType(MLIRContext &context, spec::ElementType type) {
  Builder b(&context);
  return type == spec::ElementType::BF16 ? Type(b.getBF16Type()) : Type(b.getF16Type());
}

/// Named locations, so that a diagnostic on an op says which expression of
/// the spec it comes from.
Location exprLoc(Location fileLoc, llvm::StringRef pointer) {
  return NameLoc::get(StringAttr::get(fileLoc.getContext(), pointer), fileLoc);
}

} // namespace

OwningOpRef<ModuleOp> buildAttnModule(MLIRContext &context, const spec::Spec &spec,
                                      llvm::StringRef fileName) {
  context.loadDialect<attn::AttnDialect, arith::ArithDialect, math::MathDialect>();
  Location loc = FileLineColLoc::get(&context, fileName, 1, 1);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b = OpBuilder::atBlockEnd(module->getBody());

  SmallVector<StringRef> modes;
  for (spec::Mode mode : spec.modes)
    if (mode == spec::Mode::Forward)
      modes.push_back("forward");
  auto attention = attn::AttentionOp::create(b, loc, spec.name, spec.headDim,
                                             elementType(context, spec.elementType), modes);

  // The mask: a bool expression over the indices.
  Location maskLoc = exprLoc(loc, "/mask");
  b.setInsertionPointToEnd(&attention.getMaskBlock());
  Value keep = ExprLowering(b, maskLoc, ExprBindings::forMask(attention)).lower(*spec.mask);
  attn::YieldOp::create(b, maskLoc, keep);

  // The score modification, if the spec has one (none is the identity): a
  // float or int expression, yielded as f32.
  if (spec.score) {
    Location scoreLoc = exprLoc(loc, "/score");
    b.setInsertionPointToEnd(&attention.addScoreBlock());
    Value score = ExprLowering(b, scoreLoc, ExprBindings::forScore(attention))
                      .lowerAsFloat(*spec.score);
    attn::YieldOp::create(b, scoreLoc, score);
  }

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace attnc
