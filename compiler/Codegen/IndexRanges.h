//===- IndexRanges.h - Which hook integers fit in 32 bits -------*- C++ -*-===//
//
// The spec language computes in 64-bit integers, but the values a mask or
// score hook forms from tokens, heads and lengths are small: the runtime
// refuses sequences longer than ATTN_MAX_SEQLEN (attn/abi.h), so every token
// index stays below 2^30 and heads and batch rows below 2^16. On the GPU a
// 64-bit add, compare or int-to-float conversion costs two to four 32-bit
// instructions, and hooks run on every element of a tile; so the scalar
// emitter computes each value in 32 bits where its range, derived here by
// interval arithmetic from the ranges of the hook's arguments, proves that
// nothing overflows.
//
// A range is exact arithmetic on int64 bounds; any bound that would leave
// int64 makes the range unknown (the full int64 range), as do runtime int
// parameters, which the caller may set to anything.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_INDEXRANGES_H
#define ATTNC_COMPILER_CODEGEN_INDEXRANGES_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <limits>

namespace attnc::codegen {

/// The closed range [lo, hi] of an integer value.
struct IntRange {
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();

  static IntRange unknown() { return {}; }
  static IntRange point(int64_t v) { return {v, v}; }
  bool fitsInt32() const {
    return lo >= std::numeric_limits<int32_t>::min() && hi <= std::numeric_limits<int32_t>::max();
  }
};

/// The range of a hook argument by the name the emitted hooks give it (b, h,
/// q, k, sq, skv, hq, q_tile), under the runtime's limits; unknown for others.
IntRange hookArgumentRange(llvm::StringRef name);

/// The range of every integer (i64) value of `block`: its arguments from
/// `argRanges` (unknown past its end), each op's result from its operands.
llvm::DenseMap<mlir::Value, IntRange> deriveIndexRanges(mlir::Block &block,
                                                        llvm::ArrayRef<IntRange> argRanges);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_INDEXRANGES_H
