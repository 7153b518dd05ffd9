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

Type dataType(MLIRContext &context, spec::DataType type) {
  Builder b(&context);
  switch (type) {
  case spec::DataType::I32: return b.getI32Type();
  case spec::DataType::F32: return b.getF32Type();
  case spec::DataType::F16: return b.getF16Type();
  case spec::DataType::BF16: return b.getBF16Type();
  }
  llvm_unreachable("unknown data type");
}

/// The `tensors` and `params` attributes of attn.attention (AttnOps.td).
void setDecls(attn::AttentionOp attention, const spec::Decls &decls) {
  MLIRContext &context = *attention.getContext();
  Builder b(&context);
  if (!decls.tensors.empty()) {
    SmallVector<Attribute> tensors;
    for (const spec::TensorDecl &tensor : decls.tensors) {
      SmallVector<Attribute> shape;
      for (const spec::Dim &dim : tensor.dims)
        shape.push_back(dim.kind == spec::DimKind::Fixed
                            ? Attribute(b.getI64IntegerAttr(dim.size))
                            : Attribute(b.getStringAttr(spec::dimName(dim))));
      tensors.push_back(b.getDictionaryAttr({
          b.getNamedAttr("name", b.getStringAttr(tensor.name)),
          b.getNamedAttr("dtype", TypeAttr::get(dataType(context, tensor.dtype))),
          b.getNamedAttr("shape", b.getArrayAttr(shape)),
      }));
    }
    attention.setTensorsAttr(b.getArrayAttr(tensors));
  }
  if (!decls.params.empty()) {
    SmallVector<Attribute> params;
    for (const spec::ParamDecl &param : decls.params) {
      Type type = param.type == spec::ExprType::Float ? Type(b.getF32Type())
                                                      : Type(b.getI64Type());
      params.push_back(b.getDictionaryAttr({
          b.getNamedAttr("name", b.getStringAttr(param.name)),
          b.getNamedAttr("type", TypeAttr::get(type)),
      }));
    }
    attention.setParamsAttr(b.getArrayAttr(params));
  }
  if (!decls.grid.empty())
    attention.setGridAttr(b.getDenseI64ArrayAttr(decls.grid));
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
  setDecls(attention, spec.decls);
  if (spec.routing) {
    const std::vector<spec::Dim> &dims = spec.decls.tensors[spec.routing->slot].dims;
    auto has = [&](spec::DimKind kind) {
      return llvm::any_of(dims, [&](const spec::Dim &d) { return d.kind == kind; });
    };
    attention.setRoutingAttr(buildRoutingAttr(
        b, {int64_t(spec.routing->slot), spec.routing->block, dims.back().size,
            has(spec::DimKind::Batch), has(spec::DimKind::QueryHeads)}));
  }

  // The mask: a bool expression over the indices.
  Location maskLoc = exprLoc(loc, "/mask");
  b.setInsertionPointToEnd(&attention.getMaskBlock());
  Value keep = ExprLowering(b, maskLoc, ExprBindings::forMask(attention)).lower(*spec.mask);
  attn::YieldOp::create(b, maskLoc, keep);

  // The score modification, if the spec has one (none is the identity): a
  // float or int expression, yielded as f32.
  // A float expression into the end of `block` (added just before, so that
  // its bindings exist), yielded as f32.
  auto lowerFloatRegion = [&](Block &block, const ExprBindings &vars, const spec::Expr &expr,
                              llvm::StringRef pointer) {
    Location exprLocation = exprLoc(loc, pointer);
    b.setInsertionPointToEnd(&block);
    Value value = ExprLowering(b, exprLocation, vars).lowerAsFloat(expr);
    attn::YieldOp::create(b, exprLocation, value);
  };
  if (spec.score) {
    Block &block = attention.addScoreBlock();
    lowerFloatRegion(block, ExprBindings::forScore(attention), *spec.score, "/score");
  }

  // The sink logit, if the spec has one: a float expression over b, h, hq.
  if (spec.sink) {
    Block &block = attention.addSinkBlock();
    lowerFloatRegion(block, ExprBindings::forSink(attention), *spec.sink, "/sink");
  }

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace attnc
