//===- RowKeys.cpp - The keys of a query row, for partial tiles -----------===//
//
// tile.row_keys: for a mask affine in (q, k), the keys row q keeps, as the
// mask analysis found them (compiler/Analysis/RowIntervals.h), clamped to the
// keys of the problem:
//
//   causal    [0, q + d]  (d = skv − sq bottom-right, 0 top-left)
//   intervals [lo_i(q), hi_i(q)] per interval, an unbounded end at 0 / skv − 1
//
//   lo' = clamp(lo, 0, skv),  hi' = clamp(hi, −1, skv − 1)
//
// The clamps keep the set the same on keys 0 <= k < skv (which is all a
// kernel asks about, the k < skv bound included) and bring the ends into 32
// bits. The kernel computes a row's ends once per tile and compares each
// element's key against them instead of evaluating the mask.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AttnToTile/IndexExprBuilder.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"

using namespace mlir;

namespace attnc {

bool hasRowKeys(const attn::MaskClass &mask) {
  return mask.kind == attn::MaskKind::Causal || mask.kind == attn::MaskKind::Intervals;
}

void buildRowKeys(tile::RowKeysOp rowKeys, const attn::MaskClass &mask) {
  assert(hasRowKeys(mask) && "only causal and interval masks have row keys");
  OpBuilder builder = OpBuilder::atBlockEnd(rowKeys.getBody());
  I64Builder m{builder, rowKeys.getLoc()};
  Value q = rowKeys.getQueryArg();
  Value sq = rowKeys.getQueryLenArg();
  Value skv = rowKeys.getKeyLenArg();
  Value zero = m.c(0);
  Value lastKey = m.sub(skv, m.c(1));
  auto lowEnd = [&](std::optional<Value> lo) { return lo ? m.clamp(*lo, zero, skv) : zero; };
  auto highEnd = [&](std::optional<Value> hi) {
    return hi ? m.clamp(*hi, m.c(-1), lastKey) : lastKey;
  };

  SmallVector<Value, 4> ends;
  if (mask.kind == attn::MaskKind::Causal) {
    Value diagonal =
        mask.alignment == attn::Alignment::bottom_right ? m.add(q, m.sub(skv, sq)) : q;
    ends = {zero, highEnd(diagonal)};
  } else {
    IndexExprBuilder exprs(m, sq, skv);
    for (const attn::KeyInterval &interval : mask.rows.intervals()) {
      auto end = [&](const std::optional<attn::IndexExpr> &e) -> std::optional<Value> {
        return e ? std::optional<Value>(exprs.at(*e, q)) : std::nullopt;
      };
      ends.push_back(lowEnd(end(interval.lo)));
      ends.push_back(highEnd(end(interval.hi)));
    }
  }
  tile::YieldOp::create(builder, rowKeys.getLoc(), ends);
}

} // namespace attnc
