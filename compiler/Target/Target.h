//===- Target.h - The GPU targets attnc compiles for ------------*- C++ -*-===//
//
// One entry per target: the nvcc arch string, the SM version the runtime
// matches against the device, and the limits the tile heuristics respect.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_TARGET_TARGET_H
#define ATTNC_COMPILER_TARGET_TARGET_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::target {

struct Target {
  std::string_view name;        ///< "sm_80", "sm_90a": the nvcc code name
  std::string_view computeName; ///< "compute_80", "compute_90a"
  int sm;                       ///< compute capability × 10, as in tile configs
  int maxSmemPerBlock;          ///< opt-in dynamic shared memory limit, bytes
  int maxRegistersPerThread;
};

/// Every supported target, oldest first.
const std::vector<Target> &allTargets();

/// Looks up "sm_80" or "sm_90a" (also "80", "90a").
std::optional<Target> lookupTarget(std::string_view name);

/// "sm_80, sm_90a": for error messages.
std::string targetNames();

} // namespace attnc::target

#endif // ATTNC_COMPILER_TARGET_TARGET_H
