//===- AttnOpt.cpp - mlir-opt for the attn and tile dialects --------------===//
//
// Parses, verifies, transforms and prints attn / tile IR:
//   attn-opt input.mlir --canonicalize
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::attn::AttnDialect, mlir::tile::TileDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect,
                  mlir::func::FuncDialect>();

  // Upstream transforms: canonicalize, cse, symbol-dce, ...
  mlir::registerTransformsPasses();

  // attnc's own passes: --attn-to-tile.
  attnc::registerConversionPasses();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "attnc optimizer driver (attn and tile dialects)\n",
      registry));
}
