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
                                     const std::vector<int64_t> &fallback) {
  TileClassifier classifier(op);
  GridTiling tiling;
  tiling.sizes = sizes;
  tiling.qBox = qBox;
  tiling.kvBox = fallback;
  std::vector<int64_t> best = fallback;
  int64_t bestVisits = countGridKvVisits(classifier, tiling);
  forEachBoxShape(sizes, tokens, [&](const std::vector<int64_t> &box) {
    if (sizes.size() == 3 && box[1] * box[2] % 8 != 0)
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

GridBoxes chooseGridBoxes(AttentionOp op, int64_t blockM, int64_t blockN) {
  const std::vector<int64_t> sizes(op.getGrid()->begin(), op.getGrid()->end());
  GridBoxes boxes;
  boxes.q = attnc::target::gridTileBox(sizes, blockM);
  boxes.kv = chooseGridKvBox(op, sizes, boxes.q, blockN, attnc::target::gridTileBox(sizes, blockN));
  return boxes;
}

} // namespace mlir::attn
