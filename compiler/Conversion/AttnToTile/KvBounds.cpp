//===- KvBounds.cpp - Closed-form kv-tile ranges of a q tile --------------===//
//
// For q tile i (rows [i·M, min((i+1)·M, sq))) and kv tiles of N keys, the
// recognised masks give, with d = skv − sq (bottom_right) or 0 (top_left):
//
//   dense:  full = [0, ⌊skv/N⌋),  end = ⌈skv/N⌉
//   empty:  nothing
//   causal: row r keeps keys k <= r + d, so the tile keeps keys below
//           hi = min(skv, min((i+1)·M, sq) + d)       → end = max(0, ⌈hi/N⌉)
//           and kv tile j is full when its last key (j+1)·N − 1 is at most
//           the first row's diagonal i·M + d and below skv
//           → full_end = clamp(min(⌊(i·M + d + 1)/N⌋, ⌊skv/N⌋), 0, end)
//   intervals: any other mask affine in (q, k) -- window, sink, chunk,
//           prefix, block-diagonal, their combinations -- keeps one or two
//           intervals of keys per row with monotone ends; the ranges follow
//           from the ends at the tile's first and last rows
//           (IntervalBounds.cpp), one kv range per interval
//   other:  no closed form: tile.scan_kv_tiles classifies every kv tile at
//           run time with the mask's interval image
//
// Causal keeps its own formula rather than the intervals' (they agree): it
// is the most common mask and its bounds are the ones reviewed and measured.
//
// Divisions round toward −inf/+inf (arith.floordivsi / ceildivsi): i·M + d is
// negative for the top rows when sq > skv.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AttnToTile/I64Builder.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"

using namespace mlir;

namespace attnc {

unsigned numKvRanges(const attn::MaskClass &mask) {
  return mask.kind == attn::MaskKind::Intervals ? mask.rows.intervals().size() : 1;
}

void buildKvBounds(tile::KvBoundsOp bounds, const attn::MaskClass &mask,
                   const target::TileConfig &config) {
  OpBuilder builder = OpBuilder::atBlockEnd(bounds.getBody());
  I64Builder m{builder, bounds.getLoc()};
  Value qTile = bounds.getQueryTileArg();
  Value sq = bounds.getQueryLenArg();
  Value skv = bounds.getKeyLenArg();
  if (mask.kind == attn::MaskKind::Generic) {
    auto scan = tile::ScanKvTilesOp::create(builder, bounds.getLoc(), qTile, sq, skv);
    tile::YieldOp::create(builder, bounds.getLoc(), scan.getResults());
    return;
  }
  if (mask.kind == attn::MaskKind::Intervals) {
    tile::YieldOp::create(builder, bounds.getLoc(),
                          buildIntervalKvBounds(builder, bounds.getLoc(), qTile, sq, skv,
                                                mask.rows, config));
    return;
  }
  Value zero = m.c(0);
  Value blockM = m.c(config.blockM);
  Value blockN = m.c(config.blockN);

  Value fullEnd, end;
  switch (mask.kind) {
  case attn::MaskKind::Dense:
    fullEnd = m.floorDiv(skv, blockN);
    end = m.ceilDiv(skv, blockN);
    break;
  case attn::MaskKind::Empty:
    fullEnd = end = zero;
    break;
  case attn::MaskKind::Causal: {
    Value offset = mask.alignment == attn::Alignment::bottom_right ? m.sub(skv, sq) : zero;
    Value firstRow = m.mul(qTile, blockM);
    Value rowsEnd = m.min(m.add(firstRow, blockM), sq);
    Value keysEnd = m.min(skv, m.add(rowsEnd, offset));
    end = m.max(zero, m.ceilDiv(keysEnd, blockN));
    Value firstDiagonal = m.add(firstRow, offset);
    Value full = m.min(m.floorDiv(m.add(firstDiagonal, m.c(1)), blockN),
                       m.floorDiv(skv, blockN));
    fullEnd = m.min(end, m.max(zero, full));
    break;
  }
  case attn::MaskKind::Intervals:
  case attn::MaskKind::Generic:
    llvm_unreachable("handled above");
  }
  tile::YieldOp::create(builder, bounds.getLoc(),
                        ValueRange{zero, zero, fullEnd, end});
}

} // namespace attnc
