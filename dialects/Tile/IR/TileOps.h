//===- TileOps.h - tile dialect operations ----------------------*- C++ -*-===//
//
// mlir::tile::KernelOp, MaskFnOp, ScoreFnOp, SinkFnOp, KvBoundsOp, KvLoopOp, YieldOp
// and the step ops (LoadQOp, LoadOp, WaitOp, MmaQkOp, ApplyScoreOp,
// ApplyMaskOp, OnlineSoftmaxOp, MmaPvOp, EpilogueOp). Include this header to use the dialect; it pulls in
// the dialect and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEOPS_H
#define ATTNC_DIALECTS_TILE_IR_TILEOPS_H

#include "dialects/Tile/IR/TileAttrs.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "dialects/Common/RoutingAttr.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.h.inc"

#endif // ATTNC_DIALECTS_TILE_IR_TILEOPS_H
