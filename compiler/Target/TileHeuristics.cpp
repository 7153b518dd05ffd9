//===- TileHeuristics.cpp - Tile shapes per (problem, target) -------------===//

#include "compiler/Target/TileHeuristics.h"

namespace attnc::target {

std::string TileConfig::str() const {
  return std::to_string(blockM) + "x" + std::to_string(blockN) + ", " +
         std::to_string(numWarps) + " warps, " + std::to_string(stages) +
         " stages";
}

TileConfig chooseForwardConfig(const TileProblem &problem,
                               const Target &target) {
  TileConfig config{/*blockM=*/128, /*blockN=*/128, /*numWarps=*/4,
                    /*stages=*/2};
  while (config.blockN > 16 &&
         (config.accumulatorRegisters(problem) > kMaxAccumulatorRegisters ||
          config.smemBytes(problem) > target.maxSmemPerBlock))
    config.blockN /= 2;
  return config;
}

} // namespace attnc::target
