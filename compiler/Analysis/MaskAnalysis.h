//===- MaskAnalysis.h - What kind of mask an attn.attention has -*- C++ -*-===//
//
// Recognises the masks whose kv-tile ranges have a closed form, so that
// `--attn-to-tile` can visit only the tiles a q tile needs and run the tiles
// strictly inside the kept region without mask code. Anything not recognised
// is `Generic`: correct, with every visited tile evaluating the predicate.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H
#define ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H

#include "dialects/Attn/IR/AttnOps.h"

namespace mlir::attn {

enum class MaskKind {
  Dense,   ///< keeps every pair
  Empty,   ///< keeps no pair
  Causal,  ///< exactly one attn.causal of the block's own indices
  Generic, ///< anything else: every tile in range is partial
};

struct MaskClass {
  MaskKind kind = MaskKind::Generic;
  Alignment alignment = Alignment::bottom_right; ///< Causal only
};

/// Classifies the mask region of `op` (best after canonicalization, which
/// folds constant sub-expressions).
MaskClass classifyMask(AttentionOp op);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_MASKANALYSIS_H
