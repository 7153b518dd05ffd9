//===- TileDialect.h - the tile dialect -------------------------*- C++ -*-===//
//
// Include this to register or load the dialect:
//   registry.insert<mlir::tile::TileDialect>();
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEDIALECT_H
#define ATTNC_DIALECTS_TILE_IR_TILEDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Tile/IR/TileDialect.h.inc"

#endif // ATTNC_DIALECTS_TILE_IR_TILEDIALECT_H
