//===- GridKvBox.h - The kv box shape of an N-d grid kernel -----*- C++ -*-===//
//
// On a token grid tiled in N-d, a kv tile is a box of the grid placed where a
// q tile's keys start (TileClassifier.h, planGridQTile). Which shape of box
// covers those keys in the fewest tiles depends on the mask: a 13x13
// neighborhood of an 8x16 q box spans 20x28 keys, six boxes of 8x16 but five
// of 4x32. The grid and the mask are known at compile time, so the compiler
// counts the tiles each shape would visit over all q tiles and takes the
// cheapest: an exact cost, not a model.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_GRIDKVBOX_H
#define ATTNC_COMPILER_ANALYSIS_GRIDKVBOX_H

#include "dialects/Attn/IR/AttnOps.h"

#include <cstdint>
#include <vector>

namespace mlir::attn {

/// The kv box of `tokens` tokens (extents per axis of `sizes`, multiplying to
/// `tokens`) whose boxes the q tiles of `qBox` visit fewest of for the mask of
/// `op` at batch row 0, head 0; `fallback` where no other shape visits fewer.
/// Shapes fit the grid, and on a 3-d grid a t slice is a multiple of 8 rows
/// (the kernel loads one t slice at a time on a 128-byte swizzle period).
std::vector<int64_t> chooseGridKvBox(AttentionOp op, const std::vector<int64_t> &sizes,
                                     const std::vector<int64_t> &qBox, int64_t tokens,
                                     const std::vector<int64_t> &fallback);

/// The q and kv boxes of a kernel of `blockM` x `blockN` tiles on the token
/// grid of `op` (which must have one): the q box by target::gridTileBox, the
/// kv box by chooseGridKvBox. AttnToTile and the tilemap both ask here.
struct GridBoxes {
  std::vector<int64_t> q, kv;
};
GridBoxes chooseGridBoxes(AttentionOp op, int64_t blockM, int64_t blockN);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_GRIDKVBOX_H
