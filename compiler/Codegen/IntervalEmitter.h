//===- IntervalEmitter.h - arith blocks → interval C++ ----------*- C++ -*-===//
//
// The interval image of a mask hook: each i64 value becomes an
// attn::device::Interval of everything it can be over a box of indices, each
// i1 an attn::device::Tri ("may be false", "may be true"). Emitted next to the
// scalar hook, it lets the kernel classify a whole tile as empty, full or
// partial (runtime/device/attn/device/interval.h has the op semantics).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_INTERVALEMITTER_H
#define ATTNC_COMPILER_CODEGEN_INTERVALEMITTER_H

#include "mlir/IR/Block.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::tile {
class ReadOp;
}

namespace attnc::codegen {

/// The sequence length (as C++ over the kernel parameters: "p.seqlen_q" or
/// "p.seqlen_k") of an i32 tensor read that the plan summarises: shape
/// ["b", "sq" | "skv"] or ["sq" | "skv"]. Empty for any other read.
std::string summarizedLength(mlir::tile::ReadOp read);

/// As emitScalarBlock, over intervals: the block arguments are Interval values
/// named `argNames`; returns the C++ names of the yielded values. A
/// tile.grid_coord of argument i reads `gridBoxNames[i]` (an
/// attn::device::GridBox, attn/device/grid.h) where that name is given, and
/// is the image of the division and remainder otherwise.
mlir::FailureOr<llvm::SmallVector<std::string>>
emitIntervalBlock(mlir::Block &block, llvm::ArrayRef<std::string> argNames,
                  llvm::raw_ostream &os, llvm::StringRef indent,
                  llvm::ArrayRef<std::string> gridBoxNames = {});

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_INTERVALEMITTER_H
