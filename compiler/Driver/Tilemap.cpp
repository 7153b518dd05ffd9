//===- Tilemap.cpp - attnc --emit=tilemap: the tiles a kernel visits ------===//

#include "compiler/Driver/Tilemap.h"

#include "compiler/Analysis/TileClassifier.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"
#include "compiler/Target/TileHeuristics.h"

#include <nlohmann/json.hpp>

namespace attnc {

/// The tilemap of a grid tiled in N-d: per-axis lists, tiles as coordinates.
static std::string buildGridTilemap(mlir::attn::AttentionOp attention,
                                    const mlir::attn::GridTiling &tiling) {
  using nlohmann::ordered_json;
  std::string text = "{";
  auto field = [&](const char *key, const std::vector<int64_t> &values) {
    text += ordered_json(key).dump() + ":" + ordered_json(values).dump() + ",";
  };
  field("grid_q", tiling.sizes);
  field("grid_kv", tiling.sizes);
  field("tile_q", tiling.qBox);
  field("tile_kv", tiling.kvBox);
  text += "\"q_tiles\":[";
  mlir::attn::TileClassifier classifier(attention);
  for (int64_t qTile = 0; qTile < tiling.tileCount(tiling.qBox); ++qTile) {
    ordered_json kv = ordered_json::array();
    for (const mlir::attn::KvTileVisit &visit : planGridQTile(classifier, tiling, qTile))
      kv.push_back({{"tile", tiling.tileCoords(visit.tile, tiling.kvBox)},
                    {"class", mlir::attn::stringifyTileClass(visit.tileClass).str()}});
    ordered_json row = {{"tile", tiling.tileCoords(qTile, tiling.qBox)}, {"kv", std::move(kv)}};
    text += (qTile ? ",\n" : "\n") + row.dump();
  }
  text += "\n]}\n";
  return text;
}

std::string buildTilemap(mlir::attn::AttentionOp attention, const TilemapProblem &problem,
                         const target::Target &target) {
  using nlohmann::ordered_json;
  const target::TileConfig config =
      target::chooseForwardConfig(forwardTileProblem(attention), target);
  const mlir::attn::TileGrid grid{problem.batch, problem.head, problem.sq,
                                  problem.skv,   config.blockM, config.blockN};
  // A grid of 2 or 3 axes that the kernel tiles in N-d (AttnToTile's rule).
  std::optional<llvm::ArrayRef<int64_t>> tokenGrid = attention.getGrid();
  if (tokenGrid && tokenGrid->size() >= 2 && config.warpSpecialized()) {
    mlir::attn::GridTiling tiling;
    tiling.b = problem.batch;
    tiling.h = problem.head;
    tiling.sizes.assign(tokenGrid->begin(), tokenGrid->end());
    tiling.qBox = target::gridTileBox(tiling.sizes, config.blockM);
    tiling.kvBox = target::gridTileBox(tiling.sizes, config.blockN);
    return buildGridTilemap(attention, tiling);
  }

  // The header on the first line, then one q tile per line: readable, and
  // still one JSON document.
  std::string text = "{";
  auto field = [&](const char *key, int64_t value) {
    text += ordered_json(key).dump() + ":" + ordered_json::array({value}).dump() + ",";
  };
  field("grid_q", problem.sq);
  field("grid_kv", problem.skv);
  field("tile_q", config.blockM);
  field("tile_kv", config.blockN);
  // A mask over runtime data (tensors, parameters) is classified for every possible value of
  // it: sound, and exact where the data cannot matter; the kernel narrows it per call.
  bool readsData = false;
  attention.getMask().walk([&](mlir::Operation *op) {
    readsData |= mlir::isa<mlir::attn::ReadOp, mlir::attn::ParamOp>(op);
  });
  if (readsData)
    text += "\"runtime_data\":" +
            ordered_json("the mask reads runtime tensors or parameters: these classes hold for "
                         "any values of them, and the kernel's plan narrows them per call")
                .dump() +
            ",";
  text += "\"q_tiles\":[";

  mlir::attn::TileClassifier classifier(attention);
  for (int64_t qTile = 0; qTile * config.blockM < problem.sq; ++qTile) {
    ordered_json kv = ordered_json::array();
    for (const mlir::attn::KvTileVisit &visit : planQTile(classifier, grid, qTile))
      kv.push_back({{"tile", ordered_json::array({visit.tile})},
                    {"class", mlir::attn::stringifyTileClass(visit.tileClass).str()}});
    ordered_json row = {{"tile", ordered_json::array({qTile})}, {"kv", std::move(kv)}};
    text += (qTile ? ",\n" : "\n") + row.dump();
  }
  text += "\n]}\n";
  return text;
}

} // namespace attnc
