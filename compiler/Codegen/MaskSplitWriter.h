//===- MaskSplitWriter.h - tile.mask_fn with its reads hoisted --*- C++ -*-===//
//
// A mask that reads runtime tensors (document ids: ids[b, q] == ids[b, k])
// would load two elements per score if a kernel evaluated mask_fn per pair.
// Most of its reads depend on the row alone or on the key alone, so the
// emitted file also carries the mask in three parts:
//
//   MaskRow mask_row(p, b, h, q, sq, skv)   the reads whose indices are free of k
//   MaskKey mask_key(p, b, h, k, sq, skv)   the reads whose indices are free of q
//   bool mask_pair(p, b, h, q, k, sq, skv, row, key)
//                                           mask_fn, reading those from row and key
//
// A kernel reads each row's part once per work tile and each key's part once
// per key of a partial tile (sm90/mainloop.cuh). Reads whose indices take both
// q and k stay in mask_pair. A mask that reads nothing has empty parts and
// mask_pair is mask_fn.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_MASKSPLITWRITER_H
#define ATTNC_COMPILER_CODEGEN_MASKSPLITWRITER_H

#include "dialects/Tile/IR/TileOps.h"
#include "llvm/Support/raw_ostream.h"

namespace attnc::codegen {

/// Writes MaskRow, mask_row, MaskKey, mask_key and mask_pair for the kernel's
/// tile.mask_fn, whose arguments are (b, h, q, k, sq, skv).
mlir::LogicalResult writeMaskSplit(mlir::tile::KernelOp kernel, llvm::raw_ostream &os);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_MASKSPLITWRITER_H
