//===- Lowering.h - Pieces of the attn → tile lowering ----------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H
#define ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H

#include "compiler/Analysis/MaskAnalysis.h"
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

/// What the tile heuristics need to know of `attention`: head dim, element
/// size, the shape of its mask's work and whether it has a score hook.
target::TileProblem forwardTileProblem(mlir::attn::AttentionOp attention);

/// Fills the (empty) body of `bounds` with the closed-form kv-tile range of a
/// q tile for `mask` under `config`.
void buildKvBounds(mlir::tile::KvBoundsOp bounds, mlir::attn::MaskClass mask,
                   const target::TileConfig &config);

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_ATTNTOTILE_LOWERING_H
