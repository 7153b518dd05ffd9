//===- HookLowering.cpp - attn regions → tile hook functions --------------===//
//
// The mask region becomes tile.mask_fn, the score region tile.score_fn and
// the sink region tile.sink_fn. All are cloned op by op the same way: structured attn ops are expanded into
// the arith they stand for, runtime data reads (attn.param, attn.read) into
// their tile twins, attn.grid_coord into tile.grid_coord, and attn.yield becomes tile.yield, so that the
// hooks hold nothing but arith (and math, in scores) and the emitter needs
// to know no attn op.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AttnToTile/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace attnc {

/// keep iff k <= q + (skv - sq) (bottom_right) or k <= q (top_left).
static Value expandCausal(OpBuilder &b, attn::CausalOp causal,
                          IRMapping &map) {
  Location loc = causal.getLoc();
  Value q = map.lookup(causal.getQuery());
  Value k = map.lookup(causal.getKey());
  Value diagonal = q;
  if (causal.getAlignment() == attn::Alignment::bottom_right) {
    Value offset = arith::SubIOp::create(b, loc, map.lookup(causal.getKeyLen()),
                                         map.lookup(causal.getQueryLen()));
    diagonal = arith::AddIOp::create(b, loc, q, offset);
  }
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, k, diagonal);
}

/// attn.param → tile.param: int and float parameters are numbered separately
/// in the kernel parameters (int_params, float_params).
static Value expandParam(OpBuilder &b, attn::AttentionOp attention,
                         attn::ParamOp param) {
  Type type = param.getValue().getType();
  int64_t index = 0;
  for (int64_t slot = 0; slot < param.getSlot(); ++slot) {
    auto decl = cast<DictionaryAttr>((*attention.getParams())[slot]);
    index += decl.getAs<TypeAttr>("type").getValue() == type;
  }
  return tile::ParamOp::create(b, param.getLoc(), type, index);
}

/// attn.read → tile.read, which carries the element type it loads.
static Value expandRead(OpBuilder &b, attn::AttentionOp attention,
                        attn::ReadOp read, IRMapping &map) {
  auto decl = cast<DictionaryAttr>((*attention.getTensors())[read.getSlot()]);
  SmallVector<Value> indices;
  for (Value index : read.getIndices())
    indices.push_back(map.lookup(index));
  return tile::ReadOp::create(b, read.getLoc(), read.getValue().getType(),
                              indices, read.getSlotAttr(),
                              decl.getAs<TypeAttr>("dtype"), decl.getAs<ArrayAttr>("shape"));
}

/// Appends to `to` (whose arguments stand for those of `from`, in order) the
/// ops of `from`: arith (and math where `allowMath`) cloned, attn ops
/// expanded, attn.yield as tile.yield. `hook` names the target op in
/// diagnostics. Masks stay integer arith (and math.ctlz, radial's log2),
/// which the interval emitter of tile.scan_kv_tiles understands; scores are
/// f32 and may call all of math.
static LogicalResult lowerRegionInto(attn::AttentionOp attention, Block &from,
                                     Block &to, StringRef hook, bool allowMath) {
  auto isCloned = [&](Operation &op) {
    Dialect *dialect = op.getDialect();
    return isa_and_present<arith::ArithDialect>(dialect) || isa<math::CountLeadingZerosOp>(op) ||
           (allowMath && isa_and_present<math::MathDialect>(dialect));
  };
  IRMapping map;
  for (auto [source, target] : llvm::zip_equal(from.getArguments(), to.getArguments()))
    map.map(source, target);

  OpBuilder b = OpBuilder::atBlockEnd(&to);
  for (Operation &op : from) {
    if (auto causal = dyn_cast<attn::CausalOp>(op)) {
      map.map(causal.getKeep(), expandCausal(b, causal, map));
    } else if (auto param = dyn_cast<attn::ParamOp>(op)) {
      map.map(param.getValue(), expandParam(b, attention, param));
    } else if (auto read = dyn_cast<attn::ReadOp>(op)) {
      map.map(read.getValue(), expandRead(b, attention, read, map));
    } else if (auto coord = dyn_cast<attn::GridCoordOp>(op)) {
      map.map(coord.getCoord(),
              tile::GridCoordOp::create(b, coord.getLoc(), b.getI64Type(),
                                        map.lookup(coord.getIndex()), coord.getAxisAttr(),
                                        coord.getStrideAttr(), coord.getSizeAttr()));
    } else if (auto yield = dyn_cast<attn::YieldOp>(op)) {
      tile::YieldOp::create(b, yield.getLoc(), map.lookup(yield.getValues()[0]));
    } else if (isCloned(op)) {
      b.clone(op, map);
    } else {
      return op.emitOpError("has no lowering into ") << hook;
    }
  }
  return success();
}

LogicalResult lowerMaskInto(attn::AttentionOp attention, tile::MaskFnOp maskFn) {
  return lowerRegionInto(attention, attention.getMaskBlock(), *maskFn.getBody(), "tile.mask_fn",
                         /*allowMath=*/false);
}

LogicalResult lowerScoreInto(attn::AttentionOp attention, tile::ScoreFnOp scoreFn) {
  return lowerRegionInto(attention, attention.getScoreBlock(), *scoreFn.getBody(), "tile.score_fn",
                         /*allowMath=*/true);
}

LogicalResult lowerSinkInto(attn::AttentionOp attention, tile::SinkFnOp sinkFn) {
  return lowerRegionInto(attention, attention.getSinkBlock(), *sinkFn.getBody(), "tile.sink_fn",
                         /*allowMath=*/true);
}

} // namespace attnc
