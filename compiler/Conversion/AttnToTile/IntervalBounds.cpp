//===- IntervalBounds.cpp - kv-tile ranges of row-interval masks ----------===//
//
// A mask of MaskKind::Intervals keeps, in row q, the keys of at most two
// intervals [lo(q), hi(q)] whose ends are monotone in q (or unbounded; see
// compiler/Analysis/RowIntervals.h). For q tile i, rows r ∈ [r0, r1] with
// r0 = i·M and r1 = min((i+1)·M, sq) − 1, and kv tiles of N keys:
//
//   Monotone ends take their extremes over the rows at r0 or r1: a
//   non-decreasing end e has min e = e(r0), max e = e(r1); a non-increasing
//   one the other way round; a constant one either.
//
//   Visited. The keys any row keeps lie in the hull [min lo, max hi],
//   clipped to the keys of the problem:
//       L = max(min_r lo(r), 0),  H = min(max_r hi(r), skv − 1)
//   (an unbounded end gives 0 / skv − 1). Kv tile j (keys [jN, jN+N−1])
//   meets [L, H] iff ⌊L/N⌋ <= j <= ⌊H/N⌋, so
//       begin = ⌊L/N⌋,  end = ⌊H/N⌋ + 1   if L <= H,  else begin = end = 0
//   (L may lie past the last tile when nothing is kept).
//   This is exact -- every visited tile holds a kept pair -- when the rows'
//   intervals overlap or touch from one row to the next (they do for every
//   built-in: a diagonal moves by one key per row, a chunk starts where the
//   previous one ended); otherwise it is a superset, still sound.
//
//   Full. Tile j is full iff every row keeps all of its keys and they are
//   all < skv: max_r lo(r) <= jN and (j+1)N − 1 <= min(min_r hi(r), skv − 1):
//       full_begin = ⌈max(max_r lo(r), 0)/N⌉,
//       full_end   = ⌊(min(min_r hi(r), skv − 1) + 1)/N⌋,
//   clamped into [begin, end] so that begin <= full_begin <= full_end <= end.
//
//   Two intervals. Each gives a range (begin, full_begin, full_end, end) as
//   above; which one lies lower depends on the q tile, so they are sorted at
//   run time by begin (on a tie the longer one first), and the upper range's
//   begin is raised to the lower one's end (its full run clamped along), so
//   that no tile is visited twice. Where the ranges overlap, a tile is full
//   if either interval calls it full: when the two full runs touch (or one is
//   empty), the lower range takes their union, clamped to its own tiles, as
//   its full run (a sink's full tiles under a window that starts mid-tile).
//   The yield lists the upper range first: the kernel visits kv tiles from
//   the top down. What stays partial although full: a tile covered only by
//   the two intervals together, or full in a run that does not touch the
//   lower range's own -- sound, and rare (the unit tests count them).
//
// Divisions of L, H and the full bounds are of non-negative values except
// full_end's (min hi may be below −1), hence floordivsi/ceildivsi. The ends
// stay far from overflow: IndexExprs are bounded by 2^60.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/AttnToTile/IndexExprBuilder.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"

using namespace mlir;
using mlir::attn::IndexExpr;
using mlir::attn::KeyInterval;
using mlir::attn::Monotonicity;

namespace attnc {
namespace {

/// The (begin, full_begin, full_end, end) of one kv range.
struct TileRange {
  Value begin, fullBegin, fullEnd, end;
};

class IntervalBoundsBuilder {
public:
  IntervalBoundsBuilder(I64Builder &m, Value qTile, Value sq, Value skv,
                        const target::TileConfig &config)
      : m(m), exprs(m, sq, skv), blockN(m.c(config.blockN)), zero(m.c(0)), one(m.c(1)) {
    Value blockM = m.c(config.blockM);
    firstRow = m.mul(qTile, blockM);
    lastRow = m.sub(m.min(m.add(firstRow, blockM), sq), one);
    lastKey = m.sub(skv, one);
  }

  /// The kv range of the keys of one interval, for the rows of the q tile.
  TileRange range(const KeyInterval &interval) {
    Value minLo = interval.lo ? at(*interval.lo, /*largest=*/false) : zero;
    Value maxLo = interval.lo ? at(*interval.lo, /*largest=*/true) : zero;
    Value maxHi = interval.hi ? at(*interval.hi, /*largest=*/true) : lastKey;
    Value minHi = interval.hi ? at(*interval.hi, /*largest=*/false) : lastKey;

    // Visited: the hull [L, H] of the rows' keys.
    Value lowKey = interval.lo ? m.max(minLo, zero) : zero;
    Value highKey = interval.hi ? m.min(maxHi, lastKey) : lastKey;
    TileRange r;
    Value someKey = m.sle(lowKey, highKey);
    r.begin = m.select(someKey, m.floorDiv(lowKey, blockN), zero);
    r.end = m.select(someKey, m.add(m.floorDiv(highKey, blockN), one), zero);

    // Full: the keys every row keeps.
    Value fullLow = interval.lo ? m.max(maxLo, zero) : zero;
    Value fullHigh = interval.hi ? m.min(minHi, lastKey) : lastKey;
    r.fullBegin = m.clamp(m.ceilDiv(fullLow, blockN), r.begin, r.end);
    r.fullEnd = m.clamp(m.floorDiv(m.add(fullHigh, one), blockN), r.fullBegin, r.end);
    return r;
  }

  /// Two ranges sorted by begin, the upper one first, the upper one's begin
  /// raised to the lower one's end.
  std::pair<TileRange, TileRange> sorted(const TileRange &a, const TileRange &b) {
    Value aLower = m.orI(m.slt(a.begin, b.begin),
                         m.andI(m.eq(a.begin, b.begin), m.sge(a.end, b.end)));
    auto pick = [&](Value whenA, Value whenB) { return m.select(aLower, whenA, whenB); };
    TileRange low{pick(a.begin, b.begin), pick(a.fullBegin, b.fullBegin),
                  pick(a.fullEnd, b.fullEnd), pick(a.end, b.end)};
    TileRange high{pick(b.begin, a.begin), pick(b.fullBegin, a.fullBegin),
                   pick(b.fullEnd, a.fullEnd), pick(b.end, a.end)};
    // The lower range runs every tile that either interval calls full, where
    // the two full runs make one run.
    Value lowNone = m.sge(low.fullBegin, low.fullEnd);
    Value highNone = m.sge(high.fullBegin, high.fullEnd);
    Value touch = m.andI(m.sle(high.fullBegin, low.fullEnd), m.sle(low.fullBegin, high.fullEnd));
    Value joined = m.orI(m.orI(lowNone, highNone), touch);
    Value unionBegin = m.select(lowNone, high.fullBegin,
                                m.select(highNone, low.fullBegin,
                                         m.min(low.fullBegin, high.fullBegin)));
    Value unionEnd = m.select(lowNone, high.fullEnd,
                              m.select(highNone, low.fullEnd, m.max(low.fullEnd, high.fullEnd)));
    Value fullBegin = m.clamp(unionBegin, low.begin, low.end);
    Value fullEnd = m.clamp(unionEnd, fullBegin, low.end);
    low.fullBegin = m.select(joined, fullBegin, low.fullBegin);
    low.fullEnd = m.select(joined, fullEnd, low.fullEnd);
    high.begin = m.max(high.begin, low.end);
    high.end = m.max(high.end, high.begin);
    high.fullBegin = m.clamp(high.fullBegin, high.begin, high.end);
    high.fullEnd = m.clamp(high.fullEnd, high.fullBegin, high.end);
    return {high, low};
  }

private:
  /// The least (or largest) value of `e` over the rows of the tile: at the
  /// first or the last row, by its direction.
  Value at(const IndexExpr &e, bool largest) {
    bool rising = e.monotonicity() != Monotonicity::NonIncreasing;
    return exprs.at(e, rising == largest ? lastRow : firstRow);
  }

  I64Builder &m;
  IndexExprBuilder exprs;
  Value blockN, zero, one;
  Value firstRow, lastRow, lastKey;
};

} // namespace

SmallVector<Value, 8> buildIntervalKvBounds(OpBuilder &builder, Location loc, Value qTile,
                                            Value sq, Value skv,
                                            const attn::RowIntervals &rows,
                                            const target::TileConfig &config) {
  I64Builder m{builder, loc};
  IntervalBoundsBuilder bounds(m, qTile, sq, skv, config);
  ArrayRef<KeyInterval> intervals = rows.intervals();
  assert(!intervals.empty() && intervals.size() <= attn::kMaxRowIntervals &&
         "MaskKind::Intervals has one or two intervals");
  if (intervals.size() == 1) {
    TileRange r = bounds.range(intervals[0]);
    return {r.begin, r.fullBegin, r.fullEnd, r.end};
  }
  auto [high, low] = bounds.sorted(bounds.range(intervals[0]), bounds.range(intervals[1]));
  return {high.begin, high.fullBegin, high.fullEnd, high.end,
          low.begin,  low.fullBegin,  low.fullEnd,  low.end};
}

} // namespace attnc
