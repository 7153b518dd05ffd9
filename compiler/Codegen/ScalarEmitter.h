//===- ScalarEmitter.h - arith blocks → C++ statements ----------*- C++ -*-===//
//
// The variant hooks (tile.mask_fn, tile.kv_bounds, tile.score_fn) are blocks of
// scalar arith (and math, for scores) on i64, i1 and f32. Each op becomes one
// `const` C++ statement, so the emitted hook reads like the IR it came from and
// compiles for host and device alike.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_SCALAREMITTER_H
#define ATTNC_COMPILER_CODEGEN_SCALAREMITTER_H

#include "mlir/IR/Block.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace attnc::codegen {

/// How tile.scan_kv_tiles combines its per-thread partial results on the
/// device. Both forms also compile for the host, as one loop.
enum class KvScan {
  Block, ///< the whole CTA (attn/device/scan.h; __syncthreads): mma.sync kernels
  Warp,  ///< one warp, shuffles only (attn/device/sm90/kv_scan.cuh): warp-
         ///< specialised kernels, whose warpgroups run different code
};

/// Score hooks whose key is k = k0 + c, the column c a small constant the
/// kernel knows at compile time (the fragment's column): each integer value
/// affine in k with coefficient ±1 (q - k, its negation) also gets its part at
/// k0, computed once per row and tile, and converting it (or its absolute
/// value) to f32 becomes float(part) ± float(c), one add per element instead
/// of the integer arithmetic and the conversion. Exact while the values stay
/// within ±2^24; beyond, the result may differ from float(v) by one rounding.
struct KeySplit {
  unsigned keyArg;       ///< the block argument k
  std::string rowKey;    ///< the C++ name of k0
  std::string column;    ///< the C++ name of c
};

/// The values of `block` computed from `value` (itself included).
llvm::DenseSet<mlir::Value> valuesComputedFrom(mlir::Block &block, mlir::Value value);

/// How emitScalarBlock departs from emitting the whole block.
struct ScalarBlockOptions {
  KvScan scan = KvScan::Block; ///< the tile.scan_kv_tiles primitive
  /// A tile.grid_coord of argument i reads `gridPointNames[i]` (an
  /// attn::device::GridPoint, attn/device/grid.h) where that name is given:
  /// the coordinates the caller already has, instead of dividing the token.
  llvm::ArrayRef<std::string> gridPointNames;
  /// With a split, the key argument's name must be a variable holding k0 + c.
  const KeySplit *split = nullptr;
  /// Values the caller already holds, by C++ name, each in the type the
  /// emitter would declare it (`resultTypes` of the block that computed it):
  /// their ops, and the ops only they need, are not emitted.
  llvm::DenseMap<mlir::Value, std::string> given;
  /// The values to compute; empty: the terminator's operands.
  llvm::SmallVector<mlir::Value> results;
  /// Out, where given: the C++ type of each result's variable.
  llvm::SmallVector<std::string> *resultTypes = nullptr;
};

/// Emits the ops of `block` that its results need (all but the terminator) as
/// statements, the block arguments named `argNames`, each line prefixed by
/// `indent`. Returns the C++ names of the results, or failure after emitting
/// an error on an op it cannot express.
mlir::FailureOr<llvm::SmallVector<std::string>>
emitScalarBlock(mlir::Block &block, llvm::ArrayRef<std::string> argNames,
                llvm::raw_ostream &os, llvm::StringRef indent,
                const ScalarBlockOptions &options = ScalarBlockOptions());

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_SCALAREMITTER_H
