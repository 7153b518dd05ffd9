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

#include "compiler/Target/TileHeuristics.h"
#include "dialects/Attn/IR/AttnOps.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::attn {

/// The kv box of `tokens` tokens (extents per axis of `sizes`, multiplying to
/// `tokens`) whose boxes the q tiles of `qBox` visit fewest of for the mask of
/// `op` at batch row 0, head 0; `fallback` where no other shape visits fewer.
/// Shapes fit the grid. With `wholeSlices`, on a 3-d grid a t slice is a
/// multiple of 8 rows (the sm_90a kernel loads one t slice at a time with TMA,
/// on a 128-byte swizzle period; sm_80 gathers rows one by one and needs no
/// such rule).
std::vector<int64_t> chooseGridKvBox(AttentionOp op, const std::vector<int64_t> &sizes,
                                     const std::vector<int64_t> &qBox, int64_t tokens,
                                     const std::vector<int64_t> &fallback,
                                     bool wholeSlices = true);

/// The q and kv boxes of a kernel that tiles the token grid of `op` in N-d.
struct GridBoxes {
  std::vector<int64_t> q, kv;
};

/// Whether the kernels of `op` tile its token grid in N-d: every kernel family
/// does on a grid of 2 or 3 axes (a grid of one axis is its token sequence).
bool tilesGridInNd(AttentionOp op);

/// Whether a kernel of `config` tiles the token grid of `op` in N-d, and with
/// which boxes: every kernel family does on a grid of 2 or 3 axes (a grid of
/// one axis is its token sequence), with a q box of block_m tokens by
/// target::gridTileBox and a kv box of block_n tokens by chooseGridKvBox.
/// None: the kernel tiles the token sequence. AttnToTile and the tilemap
/// both ask here, so the kernel and the tilemap always agree.
std::optional<GridBoxes> chooseGridTiling(AttentionOp op, const attnc::target::TileConfig &config);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_GRIDKVBOX_H
