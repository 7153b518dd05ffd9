//===- TileHeuristics.h - Tile shapes per (problem, target) -----*- C++ -*-===//
//
// Pure functions: the same problem and target always give the same config, and
// nothing here reads global state. `--attn-to-tile` asks them for the config
// of every kernel it builds; unit tests pin their answers and invariants.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_TARGET_TILEHEURISTICS_H
#define ATTNC_COMPILER_TARGET_TILEHEURISTICS_H

#include "compiler/Target/Target.h"

#include <cstdint>
#include <string>

namespace attnc::target {

/// What the heuristics need to know about a kernel.
struct TileProblem {
  int64_t headDim;
  int64_t elementBytes; ///< 2 for f16 and bf16
};

/// The tile shape and pipeline of one forward kernel (mirrors #tile.config).
struct TileConfig {
  int64_t blockM;   ///< query rows per thread block
  int64_t blockN;   ///< keys per kv tile
  int64_t numWarps; ///< warps per block, each owning blockM / numWarps rows
  int64_t stages;   ///< kv tiles in flight (load of tile j-1 overlaps tile j)

  int64_t threads() const { return 32 * numWarps; }
  /// Q tile plus one K and one V tile.
  int64_t smemBytes(const TileProblem &problem) const {
    return (blockM + 2 * blockN) * problem.headDim * problem.elementBytes;
  }
  /// f32 accumulator registers per thread: this thread's share of the warp's
  /// O rows [rows, headDim] and S rows [rows, blockN].
  int64_t accumulatorRegisters(const TileProblem &problem) const {
    const int64_t rowsPerWarp = blockM / numWarps;
    return rowsPerWarp * (problem.headDim + blockN) / 32;
  }
  std::string str() const; ///< "128x32, 4 warps, 2 stages"
};

/// The accumulator budget under which the sm_80 forward kernel compiles
/// without spills (255 registers, the rest for fragments, addresses and
/// softmax state); see docs/notes/kernel-tuning.md for the measurements.
constexpr int64_t kMaxAccumulatorRegisters = 160;

/// The forward-kernel config for `problem` on `target`: 128 query rows over 4
/// warps (32 rows each, so every K/V fragment read from shared memory feeds
/// two mmas), and the widest kv tile whose accumulators fit the budget.
TileConfig chooseForwardConfig(const TileProblem &problem, const Target &target);

} // namespace attnc::target

#endif // ATTNC_COMPILER_TARGET_TILEHEURISTICS_H
