//===- RowIntervals.h - The keys a mask keeps, row by row -------*- C++ -*-===//
//
// For masks affine in (q, k) -- causal, window, sink, chunk, prefix,
// block-diagonal and their combinations -- the keys that row q keeps are a
// union of a few intervals
//
//     keep(q, k)  <=>  k ∈ [lo_1(q), hi_1(q)] ∪ ... ∪ [lo_n(q), hi_n(q)]
//
// whose ends are IndexExprs: expressions of q, sq, skv with a proven
// direction of motion in q (IndexExpr.h), or unbounded. RowIntervals is such
// a union and the set algebra the mask's boolean operators map to:
//
//   a && b   [l1, h1] ∩ [l2, h2] = [max(l1, l2), min(h1, h2)], distributed
//            over the unions (n1·n2 intervals)
//   a || b   the two lists side by side
//   !a       ¬[l, h] = [-∞, l - 1] ∪ [h + 1, +∞], intersected over the list
//
// Each identity holds row by row for every q, also where an interval is
// empty (l > h): the max/min and the complement stay exact. The algebra only
// fails (nullopt) where an end would lose its proof of monotonicity (the max
// of a rising and a falling end) or the list would grow past
// kMaxWorkingIntervals. After each step the list is simplified with
// identities that hold for every q:
//
//   [l, h1] ∪ [l, h2] = [l, max(h1, h2)]     (one shared end, structurally)
//   [l1, h] ∪ [l2, h] = [min(l1, l2), h]
//   [-∞, +∞] ∪ ... = everything;  an interval with constant l > h is dropped
//
// so `causal || prefix(n)` is the single interval [-∞, max(q + skv - sq,
// n - 1)].
//
// The sets are exact on the keys of the problem (k >= 0), not beyond: a key
// block ⌊k / n⌋ is C division only for k >= 0. Users intersect with
// [0, skv).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_ROWINTERVALS_H
#define ATTNC_COMPILER_ANALYSIS_ROWINTERVALS_H

#include "compiler/Analysis/IndexExpr.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir::attn {

/// Keys lo(q) <= k <= hi(q) of row q; a missing end is unbounded.
struct KeyInterval {
  std::optional<IndexExpr> lo; ///< nullopt: -∞
  std::optional<IndexExpr> hi; ///< nullopt: +∞

  bool contains(int64_t q, int64_t k, int64_t sq, int64_t skv) const;
  bool operator==(const KeyInterval &other) const { return lo == other.lo && hi == other.hi; }
  std::string str() const;
};

/// The union of the intervals; no interval keeps nothing.
class RowIntervals {
public:
  /// Intervals a step of the algebra may hold before it gives up.
  static constexpr unsigned kMaxWorkingIntervals = 4;

  static RowIntervals all();
  static RowIntervals none();
  /// [lo, hi]; either end may be unbounded.
  static RowIntervals between(std::optional<IndexExpr> lo, std::optional<IndexExpr> hi);

  static std::optional<RowIntervals> intersect(const RowIntervals &a, const RowIntervals &b);
  static std::optional<RowIntervals> unite(const RowIntervals &a, const RowIntervals &b);
  static std::optional<RowIntervals> complement(const RowIntervals &a);

  llvm::ArrayRef<KeyInterval> intervals() const { return list; }
  bool keepsNothing() const { return list.empty(); }
  bool keepsEverything() const;
  bool contains(int64_t q, int64_t k, int64_t sq, int64_t skv) const;
  std::string str() const;

private:
  /// Applies the simplifications above; nullopt when too many intervals
  /// remain.
  static std::optional<RowIntervals> simplified(llvm::SmallVector<KeyInterval, 4> list);

  llvm::SmallVector<KeyInterval, 2> list;
};

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_ROWINTERVALS_H
