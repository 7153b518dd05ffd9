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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::target {

/// How the work of a q tile depends on its index, from the mask analysis.
enum class MaskShape {
  Dense,   ///< every q tile visits every kv tile: all work tiles cost the same
  Causal,  ///< a triangle: the last q tiles visit the most kv tiles
  Other,   ///< anything else: windows, grids, routed lists, run-time scans
};

/// How the CTAs of the warp-specialised kernel take their work tiles
/// (runtime/device/attn/device/sm90/scheduler.cuh; mirrors tile::Launch).
enum class Launch {
  Grid,       ///< one CTA per work tile
  Persistent, ///< one CTA per SM, tiles dealt in an order fixed in advance
  Dynamic,    ///< one CTA per SM, each taking its next tile from a counter
};

/// How the warp-specialised kernel writes O (sm90/epilogue.cuh; mirrors
/// tile::Epilogue).
enum class Epilogue {
  Direct, ///< stores from the accumulators
  Tma,    ///< through an O tile in shared memory and a TMA copy per warpgroup
};

/// "grid", "persistent", "dynamic": also tile::Launch's keywords, through
/// which the two enums convert.
const char *launchName(Launch launch);
/// The launch of that name, if any.
std::optional<Launch> lookupLaunch(std::string_view name);

/// What the heuristics need to know about a kernel.
struct TileProblem {
  int64_t headDim;
  int64_t elementBytes; ///< 2 for f16 and bf16
  MaskShape mask = MaskShape::Other;
  bool hasScore = false; ///< a score hook runs on every tile
  /// Routed attention's block (0: none): q and kv tiles must divide it.
  int64_t routingBlock = 0;
  /// A token grid tiled in N-d: q tiles are boxes of tokens, not rows.
  bool tilesGrid = false;
};

/// The tile shape and pipeline of one forward kernel (mirrors #tile.config).
///
/// Two kernel families: the mma.sync kernel (runtime/device/.../sm80, any
/// target) and, when `warpgroups > 0`, the warp-specialised wgmma + TMA kernel
/// (runtime/device/.../sm90, sm_90a only): one producer warpgroup and
/// `warpgroups` consumer warpgroups of 64 q rows each.
struct TileConfig {
  int64_t blockM;   ///< query rows per thread block
  int64_t blockN;   ///< keys per kv tile
  int64_t numWarps; ///< warps per block (the producer warpgroup's included)
  int64_t stages;   ///< K/V buffers: loads of later kv tiles overlap this one
  int64_t warpgroups = 0; ///< consumer warpgroups; 0: the mma.sync kernel
  Launch launch = Launch::Grid;
  Epilogue epilogue = Epilogue::Direct;

  bool warpSpecialized() const { return warpgroups > 0; }
  int64_t threads() const { return 32 * numWarps; }
  /// Dynamic shared memory the kernel is launched with.
  ///   mma.sync: a Q tile plus one K and one V tile.
  ///   wgmma: the TMA epilogue's O tiles (block_m rows in all), Q, `stages`
  ///   K and V tiles and the mbarriers, laid out as sm90/shared_storage.cuh's
  ///   ForwardSharedStorage (1024-aligned), plus 1024 bytes of slack to align
  ///   the dynamic buffer's start.
  int64_t smemBytes(const TileProblem &problem) const;
  /// f32 accumulator registers per thread of the mma.sync kernel: this
  /// thread's share of the warp's O rows [rows, headDim] and S rows
  /// [rows, blockN].
  int64_t accumulatorRegisters(const TileProblem &problem) const {
    const int64_t rowsPerWarp = blockM / numWarps;
    return rowsPerWarp * (problem.headDim + blockN) / 32;
  }
  /// "128x32, 4 warps, 2 stages" or
  /// "128x128, 2 consumer warpgroups, 2 stages, dynamic, TMA epilogue".
  std::string str() const;
};

/// The accumulator budget under which the sm_80 forward kernel compiles
/// without spills (255 registers, the rest for fragments, addresses and
/// softmax state); see docs/notes/kernel-tuning.md for the measurements.
constexpr int64_t kMaxAccumulatorRegisters = 160;

/// The forward-kernel config for `problem` on `target`.
///
/// sm_80, and sm_90a head dims other than 64, 128 and 256: the mma.sync kernel
/// with 128 query rows over 4 warps (32 rows each, so every K/V fragment read
/// from shared memory feeds two mmas), and the widest kv tile whose
/// accumulators fit the budget.
///
/// sm_90a: the warp-specialised kernel with the shapes measured best on an
/// H100 (docs/notes/sm90-kernel.md); persistent where every work tile costs
/// the same, dynamic where they differ; the TMA epilogue where its O tiles
/// fit beside the pipeline (d64, d128) and the q tiles are rows.
TileConfig chooseForwardConfig(const TileProblem &problem, const Target &target);

/// The box of a token grid (sizes first axis to last) that an N-d tile of
/// `tokens` tokens covers: from the last axis backwards, each takes the largest
/// divisor of the tokens still to place that fits the axis (the last at most
/// 16 wide, so that a box is squarish: 8x16 for 128 tokens); the first axis
/// takes the rest. The extents multiply to `tokens`.
std::vector<int64_t> gridTileBox(const std::vector<int64_t> &grid, int64_t tokens);

} // namespace attnc::target

#endif // ATTNC_COMPILER_TARGET_TILEHEURISTICS_H
