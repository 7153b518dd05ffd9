//===- MaskAnalysis.cpp - What kind of mask an attn.attention has ---------===//

#include "compiler/Analysis/MaskAnalysis.h"

#include "compiler/Analysis/RowIntervalAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

namespace mlir::attn {

MaskClass classifyMask(AttentionOp op) {
  Value keep = op.getMaskYield();
  APInt value;
  if (matchPattern(keep, m_ConstantInt(&value)))
    return {value.isZero() ? MaskKind::Empty : MaskKind::Dense};
  if (auto causal = keep.getDefiningOp<CausalOp>()) {
    // Only the causal mask of this very pair: attn.causal of (q, k, sq, skv)
    // in that order. Anything else (k and q swapped, shifted indices) is a
    // different mask, left to the row intervals below.
    if (causal.getQuery() == op.getQueryArg() &&
        causal.getKey() == op.getKeyArg() &&
        causal.getQueryLen() == op.getQueryLenArg() &&
        causal.getKeyLen() == op.getKeyLenArg())
      return {MaskKind::Causal, causal.getAlignment()};
  }
  if (std::optional<RowIntervals> rows = deriveRowIntervals(op)) {
    if (rows->keepsNothing())
      return {MaskKind::Empty};
    if (rows->keepsEverything())
      return {MaskKind::Dense};
    return {MaskKind::Intervals, Alignment::bottom_right, std::move(*rows)};
  }
  return {MaskKind::Generic};
}

} // namespace mlir::attn
