//===- TileHeuristics.cpp - Tile shapes per (problem, target) -------------===//

#include "compiler/Target/TileHeuristics.h"

#include <algorithm>

namespace attnc::target {
namespace {

/// q rows per consumer warpgroup: the M of one wgmma.
constexpr int64_t kWarpgroupRows = 64;
constexpr int64_t kWarpsPerWarpgroup = 4;
/// sm90/shared_storage.cuh aligns every tile, and so the storage, to 1024
/// bytes (the 128B swizzle's repeat); one mbarrier is 8 bytes.
constexpr int64_t kSmemAlign = 1024;
constexpr int64_t kMbarrierBytes = 8;
/// The work-tile mailbox: two mbarriers and a 64-bit tile number.
constexpr int64_t kWorkTileMailboxBytes = 3 * 8;

int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// The mma.sync kernel: widest kv tile (from 128 down) that fits, with 128
/// query rows per block, else 64 (d256: the O accumulators of 32 rows per
/// warp alone would take 256 registers).
TileConfig chooseMmaSyncConfig(const TileProblem &problem, const Target &target) {
  auto fits = [&](const TileConfig &config) {
    return config.accumulatorRegisters(problem) <= kMaxAccumulatorRegisters &&
           config.smemBytes(problem) <= target.maxSmemPerBlock;
  };
  TileConfig config;
  for (int64_t blockM : {128, 64}) {
    config = TileConfig{blockM, /*blockN=*/128, /*numWarps=*/4, /*stages=*/2};
    while (config.blockN > 16 && !fits(config))
      config.blockN /= 2;
    if (fits(config))
      return config;
  }
  return config;
}

TileConfig warpSpecialized(int64_t blockM, int64_t blockN, int64_t stages, Launch launch) {
  const int64_t warpgroups = blockM / kWarpgroupRows;
  return TileConfig{blockM,
                    blockN,
                    kWarpsPerWarpgroup * (1 + warpgroups),
                    stages,
                    warpgroups,
                    launch};
}

/// Persistent (one CTA per SM) saves each CTA's prologue and first Q load
/// (+10 % dense). Where every work tile costs the same the order can be fixed
/// in advance; where they differ (causal: a static split left SMs idle at the
/// end, slower than a plain grid) the CTAs take the next tile from a counter
/// when they are free, longest first.
Launch launchFor(MaskShape mask) {
  switch (mask) {
  case MaskShape::Dense:
    return Launch::Persistent;
  case MaskShape::Causal:
  case MaskShape::Other:
    return Launch::Dynamic;
  }
  return Launch::Grid;
}

/// The wgmma kernel, by head dim (measurements: docs/notes/sm90-kernel.md).
///   d64:  128x128, 3 stages; dense masks go faster with 192-key tiles (fewer
///         softmax passes per FLOP) and causal ones with three consumer
///         warpgroups (192 rows). Both were measured without a score hook,
///         which needs registers the wider tiles do not leave.
///   d128: 128x128, 2 stages (128x176 and 3 stages measured slower).
///   d256: 128x80, 2 stages: what fits 227 KiB (64 KiB Q + 4 x 40 KiB K/V);
///         128x64 for a routed kernel whose blocks 80 does not divide.
TileConfig chooseWarpSpecializedConfig(const TileProblem &problem) {
  const bool dense = problem.mask == MaskShape::Dense;
  const bool causal = problem.mask == MaskShape::Causal;
  const Launch launch = launchFor(problem.mask);
  if (problem.headDim == 64) {
    if (dense && !problem.hasScore)
      return warpSpecialized(128, 192, /*stages=*/3, launch);
    if (causal && !problem.hasScore)
      return warpSpecialized(192, 128, /*stages=*/3, launch);
    return warpSpecialized(128, 128, /*stages=*/3, launch);
  }
  if (problem.headDim == 128)
    return warpSpecialized(128, 128, /*stages=*/2, launch);
  // 64-key tiles where 80 would straddle the routing blocks.
  const bool splitsBlocks = problem.routingBlock % 80 != 0;
  return warpSpecialized(128, splitsBlocks ? 64 : 80, /*stages=*/2, launch);
}

} // namespace

int64_t TileConfig::smemBytes(const TileProblem &problem) const {
  const int64_t rowBytes = problem.headDim * problem.elementBytes;
  if (!warpSpecialized())
    return (blockM + 2 * blockN) * rowBytes;
  // The O tiles of a TMA epilogue, Q, the K and V rings, then a full and an
  // empty barrier per stage of each ring (Q's ring has one stage), and the
  // work-tile mailbox.
  const int64_t oTiles = epilogue == Epilogue::Tma ? blockM : 0;
  const int64_t tiles = (oTiles + blockM + 2 * stages * blockN) * rowBytes;
  const int64_t barriers = 2 * (1 + 2 * stages) * kMbarrierBytes;
  return roundUp(tiles + barriers + kWorkTileMailboxBytes, kSmemAlign) + kSmemAlign;
}

std::string TileConfig::str() const {
  std::string shape = std::to_string(blockM) + "x" + std::to_string(blockN) + ", ";
  std::string pipeline = ", " + std::to_string(stages) + " stages";
  if (!warpSpecialized())
    return shape + std::to_string(numWarps) + " warps" + pipeline;
  return shape + std::to_string(warpgroups) + " consumer warpgroups" + pipeline + ", " +
         launchName(launch) + (epilogue == Epilogue::Tma ? ", TMA epilogue" : "");
}

std::optional<Launch> lookupLaunch(std::string_view name) {
  for (Launch launch : {Launch::Grid, Launch::Persistent, Launch::Dynamic})
    if (name == launchName(launch))
      return launch;
  return std::nullopt;
}

const char *launchName(Launch launch) {
  switch (launch) {
  case Launch::Grid:
    return "grid";
  case Launch::Persistent:
    return "persistent";
  case Launch::Dynamic:
    return "dynamic";
  }
  return "grid";
}

TileConfig chooseForwardConfig(const TileProblem &problem,
                               const Target &target) {
  const bool wgmmaHeadDim =
      problem.headDim == 64 || problem.headDim == 128 || problem.headDim == 256;
  if (target.sm >= 90 && wgmmaHeadDim && problem.elementBytes == 2) {
    TileConfig config = chooseWarpSpecializedConfig(problem);
    if (config.smemBytes(problem) <= target.maxSmemPerBlock) {
      // Direct stores cost the short rows of sparse masks 5-8 % (bench/README.md).
      TileConfig staged = config;
      staged.epilogue = Epilogue::Tma;
      if (!problem.tilesGrid && staged.smemBytes(problem) <= target.maxSmemPerBlock)
        return staged;
      return config;
    }
  }
  return chooseMmaSyncConfig(problem, target);
}

std::vector<int64_t> gridTileBox(const std::vector<int64_t> &grid, int64_t tokens) {
  constexpr int64_t kMaxRowExtent = 16;
  std::vector<int64_t> box(grid.size(), 1);
  int64_t rest = tokens;
  for (size_t a = grid.size(); a-- > 1;) {
    const int64_t limit = std::min(grid[a], a + 1 == grid.size() ? kMaxRowExtent : rest);
    int64_t extent = 1;
    for (int64_t e = 1; e <= limit; ++e)
      if (rest % e == 0)
        extent = e;
    box[a] = extent;
    rest /= extent;
  }
  box[0] = rest;
  return box;
}

} // namespace attnc::target
