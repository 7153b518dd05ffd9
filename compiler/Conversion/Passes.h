//===- Passes.h - attnc conversion passes -----------------------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_PASSES_H
#define ATTNC_COMPILER_CONVERSION_PASSES_H

#include "dialects/Tile/IR/TileDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace attnc {

#define GEN_PASS_DECL
#include "compiler/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_PASSES_H
