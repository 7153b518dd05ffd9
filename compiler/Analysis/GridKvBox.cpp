//===- GridKvBox.cpp - The kv box shape of an N-d grid kernel -------------===//

#include "compiler/Analysis/GridKvBox.h"

#include "compiler/Analysis/TileClassifier.h"
#include "compiler/Target/TileHeuristics.h"

#include <functional>

namespace mlir::attn {

namespace {

/// f(box) for every box of `tokens` tokens that fits the grid `sizes`.
void forEachBoxShape(const std::vector<int64_t> &sizes, int64_t tokens,
                     const std::function<void(const std::vector<int64_t> &)> &f) {
  std::vector<int64_t> box(sizes.size());
  std::function<void(size_t, int64_t)> place = [&](size_t axis, int64_t rest) {
    if (axis + 1 == sizes.size()) {
      if (rest <= sizes[axis]) {
        box[axis] = rest;
        f(box);
      }
      return;
    }
    for (int64_t extent = 1; extent <= std::min(rest, sizes[axis]); ++extent)
      if (rest % extent == 0) {
        box[axis] = extent;
        place(axis + 1, rest / extent);
      }
  };
  place(0, tokens);
}

} // namespace

std::vector<int64_t> chooseGridKvBox(AttentionOp op, const std::vector<int64_t> &sizes,
                                     const std::vector<int64_t> &qBox, int64_t tokens,
                                     const std::vector<int64_t> &fallback,
                                     bool wholeSlices) {
  TileClassifier classifier(op);
  GridTiling tiling;
  tiling.sizes = sizes;
  tiling.qBox = qBox;
  tiling.kvBox = fallback;
  std::vector<int64_t> best = fallback;
  int64_t bestVisits = countGridKvVisits(classifier, tiling);
  forEachBoxShape(sizes, tokens, [&](const std::vector<int64_t> &box) {
    if (wholeSlices && sizes.size() == 3 && box[1] * box[2] % 8 != 0)
      return;
    tiling.kvBox = box;
    const int64_t visits = countGridKvVisits(classifier, tiling);
    if (visits < bestVisits) {
      best = box;
      bestVisits = visits;
    }
  });
  return best;
}

bool tilesGridInNd(AttentionOp op) {
  std::optional<ArrayRef<int64_t>> grid = op.getGrid();
  return grid && grid->size() >= 2;
}

std::optional<GridBoxes> chooseGridTiling(AttentionOp op,
                                          const attnc::target::TileConfig &config) {
  if (!tilesGridInNd(op))
    return std::nullopt;
  std::optional<ArrayRef<int64_t>> grid = op.getGrid();
  const std::vector<int64_t> sizes(grid->begin(), grid->end());
  GridBoxes boxes;
  boxes.q = attnc::target::gridTileBox(sizes, config.blockM);
  boxes.kv = chooseGridKvBox(op, sizes, boxes.q, config.blockN,
                             attnc::target::gridTileBox(sizes, config.blockN),
                             /*wholeSlices=*/config.warpSpecialized());
  return boxes;
}

} // namespace mlir::attn
