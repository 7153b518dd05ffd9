//===- Tilemap.cpp - attnc --emit=tilemap: the tiles a kernel visits ------===//

#include "compiler/Driver/Tilemap.h"

#include "compiler/Analysis/GridKvBox.h"
#include "compiler/Analysis/TileClassifier.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"
#include "compiler/Target/TileHeuristics.h"

#include <nlohmann/json.hpp>

#include <functional>

namespace attnc {

namespace {

using nlohmann::ordered_json;

/// What a tilemap prints, whatever the tiling: sizes and tile extents per
/// axis, and for each q tile its coordinates and the kv tiles it visits.
struct TilemapView {
  std::vector<int64_t> gridQ, gridKv, tileQ, tileKv;
  int64_t qTiles = 0;
  std::function<std::vector<int64_t>(int64_t)> qCoords, kvCoords;
  std::function<std::vector<mlir::attn::KvTileVisit>(int64_t)> plan;
  /// How a kv visit names its tile: "tile" (tile coordinates c, covering [c·t, (c+1)·t)) or
  /// "origin" (the grid coordinates where a box placed anywhere starts).
  const char *kvKey = "tile";
};

/// The header on the first line, then one q tile per line: readable, and
/// still one JSON document.
std::string writeTilemap(mlir::attn::AttentionOp attention, const TilemapView &view) {
  std::string text = "{";
  auto field = [&](const char *key, const std::vector<int64_t> &values) {
    text += ordered_json(key).dump() + ":" + ordered_json(values).dump() + ",";
  };
  field("grid_q", view.gridQ);
  field("grid_kv", view.gridKv);
  field("tile_q", view.tileQ);
  field("tile_kv", view.tileKv);
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
  // Routed attention narrows the map per call to the tiles of the listed blocks.
  if (std::optional<mlir::RoutingInfo> routing = attention.getRoutingInfo())
    text += "\"routing\":" +
            ordered_json("the kernel visits, of these tiles, only those of the kv blocks of " +
                         std::to_string(routing->block) +
                         " keys that the runtime list names for each q tile's block")
                .dump() +
            ",";
  text += "\"q_tiles\":[";
  for (int64_t qTile = 0; qTile < view.qTiles; ++qTile) {
    ordered_json kv = ordered_json::array();
    for (const mlir::attn::KvTileVisit &visit : view.plan(qTile))
      kv.push_back({{view.kvKey, view.kvCoords(visit.tile)},
                    {"class", mlir::attn::stringifyTileClass(visit.tileClass).str()}});
    ordered_json row = {{"tile", view.qCoords(qTile)}, {"kv", std::move(kv)}};
    text += (qTile ? ",\n" : "\n") + row.dump();
  }
  text += "\n]}\n";
  return text;
}

} // namespace

std::string buildTilemap(mlir::attn::AttentionOp attention, const TilemapProblem &problem,
                         const target::Target &target) {
  const target::TileConfig config =
      target::chooseForwardConfig(forwardTileProblem(attention), target);
  mlir::attn::TileClassifier classifier(attention);
  TilemapView view;
  // A grid that the kernel tiles in N-d (AttnToTile asks the same function): tiles are boxes.
  if (std::optional<mlir::attn::GridBoxes> boxes =
          mlir::attn::chooseGridTiling(attention, config)) {
    mlir::attn::GridTiling tiling;
    tiling.b = problem.batch;
    tiling.h = problem.head;
    tiling.sizes.assign(attention.getGrid()->begin(), attention.getGrid()->end());
    tiling.qBox = boxes->q;
    tiling.kvBox = boxes->kv;
    view = {tiling.sizes,
            tiling.sizes,
            tiling.qBox,
            tiling.kvBox,
            tiling.qTileCount(),
            [=](int64_t t) { return tiling.qTileCoords(t); },
            [=](int64_t t) { return tiling.tokenCoords(t); },
            [=, &classifier](int64_t t) { return planGridQTile(classifier, tiling, t); },
            /*kvKey=*/"origin"};
    return writeTilemap(attention, view);
  }
  // Runs of consecutive tokens.
  const mlir::attn::TileGrid grid{problem.batch, problem.head, problem.sq,
                                  problem.skv,   config.blockM, config.blockN};
  auto index = [](int64_t t) { return std::vector<int64_t>{t}; };
  view = {{problem.sq},
          {problem.skv},
          {config.blockM},
          {config.blockN},
          (problem.sq + config.blockM - 1) / config.blockM,
          index,
          index,
          [&](int64_t t) { return planQTile(classifier, grid, t); }};
  return writeTilemap(attention, view);
}

} // namespace attnc
