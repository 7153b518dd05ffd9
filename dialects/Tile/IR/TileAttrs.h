//===- TileAttrs.h - tile dialect attributes and enums ----------*- C++ -*-===//
//
// `mlir::tile::ConfigAttr` and the enums `KvSpan`, `KvOperand`, `TileWhich`
// with their attributes `KvSpanAttr`, `KvOperandAttr`, `TileWhichAttr`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEATTRS_H
#define ATTNC_DIALECTS_TILE_IR_TILEATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#include "dialects/Tile/IR/TileEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.h.inc"

#endif // ATTNC_DIALECTS_TILE_IR_TILEATTRS_H
