//===- Tilemap.h - attnc --emit=tilemap: the tiles a kernel visits -*- C++ -*-===//
//
// For one problem shape, which kv tiles each q tile visits and which of them
// are full (run without mask code), as decided at compile time by the tile
// classifier (compiler/Analysis/TileClassifier.h) from the spec's attn mask:
// what the kernel should visit at best. One line per q tile:
//
//   {"grid_q":[300],"grid_kv":[300],"tile_q":[128],"tile_kv":[32],"q_tiles":[
//   {"tile":[0],"kv":[{"tile":[0],"class":"partial"},...]},
//   ...
//   ]}
//
// Grids are of tokens (1-D for now): the tile at coordinate c covers
// [c·t, (c+1)·t), clipped at the end of the grid. kv tiles are listed in
// ascending order, empty ones left out; a kv tile cut by the end of the keys
// is partial. Tile sizes are those chooseForwardConfig picks for the arch.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_DRIVER_TILEMAP_H
#define ATTNC_COMPILER_DRIVER_TILEMAP_H

#include "compiler/Target/Target.h"
#include "dialects/Attn/IR/AttnOps.h"

#include <cstdint>
#include <string>

namespace attnc {

/// The problem a tilemap is drawn for.
struct TilemapProblem {
  int64_t sq = 0;
  int64_t skv = 0;
  int64_t batch = 0;
  int64_t head = 0;
};

/// The tilemap JSON (above) of `attention` for `problem` on `target`.
std::string buildTilemap(mlir::attn::AttentionOp attention, const TilemapProblem &problem,
                         const target::Target &target);

} // namespace attnc

#endif // ATTNC_COMPILER_DRIVER_TILEMAP_H
