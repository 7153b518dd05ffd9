//===- MaskLowering.cpp - attn mask region → tile.mask_fn -----------------===//
//
// The mask region is cloned op by op; structured attn ops are expanded into
// the arith they stand for, so that tile.mask_fn holds nothing but arith and
// the emitter needs to know no attn op.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AttnToTile/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

LogicalResult lowerMaskInto(attn::AttentionOp attention, tile::MaskFnOp maskFn) {
  Block &from = attention.getMaskBlock();
  Block *to = maskFn.getBody();
  IRMapping map;
  for (auto [source, target] : llvm::zip(from.getArguments(), to->getArguments()))
    map.map(source, target);

  OpBuilder b = OpBuilder::atBlockEnd(to);
  for (Operation &op : from) {
    if (auto causal = dyn_cast<attn::CausalOp>(op)) {
      map.map(causal.getKeep(), expandCausal(b, causal, map));
    } else if (auto yield = dyn_cast<attn::YieldOp>(op)) {
      tile::YieldOp::create(b, yield.getLoc(), map.lookup(yield.getValues()[0]));
    } else if (op.getDialect() && op.getDialect()->getNamespace() ==
                                      arith::ArithDialect::getDialectNamespace()) {
      b.clone(op, map);
    } else {
      return op.emitOpError("has no lowering into tile.mask_fn");
    }
  }
  return success();
}

} // namespace attnc
