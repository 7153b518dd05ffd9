//===- Lowering.h - Pieces of the attn → tile lowering ----------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H
#define ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H

#include "compiler/Analysis/MaskAnalysis.h"
#include "compiler/Analysis/RowIntervalAnalysis.h"
#include "compiler/Target/TileHeuristics.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Tile/IR/TileOps.h"

namespace attnc {

/// Fills the (empty) body of `maskFn` with the mask of `attention`, attn ops
/// expanded to arith. Fails on an op it cannot express in arith.
mlir::LogicalResult lowerMaskInto(mlir::attn::AttentionOp attention,
                                  mlir::tile::MaskFnOp maskFn);

/// Fills the (empty) body of `scoreFn` with the score region of `attention`
/// (which must have one) the same way; math ops are kept too.
mlir::LogicalResult lowerScoreInto(mlir::attn::AttentionOp attention,
                                   mlir::tile::ScoreFnOp scoreFn);

/// Fills the (empty) body of `sinkFn` with the sink region of `attention`
/// (which must have one) the same way; math ops are kept too.
mlir::LogicalResult lowerSinkInto(mlir::attn::AttentionOp attention,
                                  mlir::tile::SinkFnOp sinkFn);

/// What the tile heuristics need to know of `attention`: head dim, element
/// size, the shape of its mask's work and whether it has a score hook.
target::TileProblem forwardTileProblem(mlir::attn::AttentionOp attention);

/// Fills the (empty) body of `bounds` with the kv-tile range(s) of a q tile
/// for `mask` under `config`: closed forms where the mask analysis found one,
/// tile.scan_kv_tiles otherwise.
void buildKvBounds(mlir::tile::KvBoundsOp bounds, const mlir::attn::MaskClass &mask,
                   const target::TileConfig &config);

/// The closed-form kv-tile ranges of a q tile for a mask of
/// MaskKind::Intervals (IntervalBounds.cpp): (begin, full_begin, full_end,
/// end) per range, the upper range first; one range per row interval.
llvm::SmallVector<mlir::Value, 8>
buildIntervalKvBounds(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value qTile,
                      mlir::Value sq, mlir::Value skv, const mlir::attn::RowIntervals &rows,
                      const target::TileConfig &config);

/// Whether `buildRowKeys` has a form for `mask`: causal and interval masks,
/// whose rows keep one or two intervals of keys.
bool hasRowKeys(const mlir::attn::MaskClass &mask);

/// Fills the (empty) body of `rowKeys` with the keys a row keeps under
/// `mask` (RowKeys.cpp); `hasRowKeys(mask)` must hold.
void buildRowKeys(mlir::tile::RowKeysOp rowKeys, const mlir::attn::MaskClass &mask);

/// How many kv ranges `buildKvBounds` yields for `mask`: 2 for masks whose
/// rows keep two intervals of keys, else 1.
unsigned numKvRanges(const mlir::attn::MaskClass &mask);

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H
