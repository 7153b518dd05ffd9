//===- MaskAnalysis.h - What kind of mask an attn.attention has -*- C++ -*-===//
//
// Recognises the masks whose kv-tile ranges have a closed form, so that
// `--attn-to-tile` can visit only the tiles a q tile needs and run the tiles
// strictly inside the kept region without mask code:
//
//   Dense, Empty   the mask is a constant, or its row intervals are
//                  everything / nothing
//   Causal         exactly one attn.causal of the block's own indices (its
//                  bounds are KvBounds.cpp's hand-written causal formula)
//   Intervals      any other mask affine in (q, k): each row keeps at most
//                  kMaxRowIntervals intervals of keys with monotone ends
//                  (RowIntervalAnalysis.h)
//
// Anything else is `Generic`: correct, with the kv tiles classified at run
// time (tile.scan_kv_tiles) and every visited tile evaluating the predicate.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H
#define ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H

#include "compiler/Analysis/RowIntervals.h"
#include "dialects/Attn/IR/AttnOps.h"

namespace mlir::attn {

enum class MaskKind {
  Dense,     ///< keeps every pair
  Empty,     ///< keeps no pair
  Causal,    ///< exactly one attn.causal of the block's own indices
  Intervals, ///< affine: one or two key intervals per row
  Generic,   ///< anything else: kv tiles classified at run time
};

struct MaskClass {
  MaskKind kind = MaskKind::Generic;
  Alignment alignment = Alignment::bottom_right; ///< Causal only
  RowIntervals rows = RowIntervals::none();      ///< Intervals only
};

/// Classifies the mask region of `op` (best after canonicalization, which
/// folds constant sub-expressions).
MaskClass classifyMask(AttentionOp op);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H
