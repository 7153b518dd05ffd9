//===- AttnOps.h - attn dialect operations ----------------------*- C++ -*-===//
//
// mlir::attn::AttentionOp, CausalOp and YieldOp. Include this header to use
// the dialect; it pulls in the dialect and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_ATTN_IR_ATTNOPS_H
#define ATTNC_DIALECTS_ATTN_IR_ATTNOPS_H

#include "dialects/Attn/IR/AttnAttrs.h"
#include "dialects/Attn/IR/AttnDialect.h"
#include "dialects/Common/RoutingAttr.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.h.inc"

#endif // ATTNC_DIALECTS_ATTN_IR_ATTNOPS_H
