//===- RowIntervalAnalysis.h - A mask region as row intervals ---*- C++ -*-===//
//
// Reads the mask region of an attn.attention symbolically and, where the
// mask is affine in (q, k), returns the keys each row keeps as RowIntervals:
// at most kMaxRowIntervals intervals with monotone ends. Every value of the
// region it meets is one of
//
//   an index    an IndexExpr of q, sq, skv (IndexExpr.h)
//   a key       s·k + e with s = ±1 and e an index (k, k - diag, diag - k)
//   a key block ⌊(k + e) / n⌋ for a literal n > 0 (chunk, block_diagonal)
//   a key set   RowIntervals (every i1)
//
// and each op maps these to these by an identity:
//
//   addi/subi/muli/divisions/minsi/maxsi of indices   IndexExpr builders
//   k ± e, e - k, (s·k + e1) - (s·k + e2)             key / index forms
//   key cmp index (either order), for slt sle sgt sge eq ne:
//     s·k + e cmp x    solved for k:  k cmp x - e  (s = 1),  k cmp' e - x (s = -1,
//                      cmp' the mirrored predicate)
//     k < x → [-∞, x-1], k <= x → [-∞, x], k > x → [x+1, +∞], k >= x → [x, +∞],
//     k == x → [x, x], k != x → ¬[x, x]
//     ⌊(k + e)/n⌋ == x  → k ∈ [x·n - e, x·n - e + n - 1]; <, <=, >, >=, !=
//                      likewise from x·n <= k + e <= x·n + n - 1
//   attn.causal        key <= query + (skv - sq)  (bottom_right) / key <= query
//   andi / ori / xori-with-true / select on i1   ∩ / ∪ / ¬ / (c ∩ x) ∪ (¬c ∩ y)
//   constant true / false                         everything / nothing
//
// Anything else -- b or h, a comparison of two indices, unsigned compares,
// a product of k, a select of integers, more than two intervals -- makes the
// whole mask unanalysable (nullopt), and the caller keeps the run-time scan.
// Because every step is an identity, the result equals the mask on every
// (q, k) with k >= 0: it keeps no dropped pair and drops no kept one.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_ROWINTERVALANALYSIS_H
#define ATTNC_COMPILER_ANALYSIS_ROWINTERVALANALYSIS_H

#include "compiler/Analysis/RowIntervals.h"
#include "dialects/Attn/IR/AttnOps.h"

namespace mlir::attn {

/// Ranges a kernel visits per q tile; more intervals keep the run-time scan.
constexpr unsigned kMaxRowIntervals = 2;

/// The row intervals of the mask of `op`, or nullopt where the mask is not
/// of that form. Best after canonicalization (folded constants).
std::optional<RowIntervals> deriveRowIntervals(AttentionOp op);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_ROWINTERVALANALYSIS_H
