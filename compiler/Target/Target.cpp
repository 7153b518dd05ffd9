//===- Target.cpp - The GPU targets attnc compiles for --------------------===//

#include "compiler/Target/Target.h"

namespace attnc::target {

const std::vector<Target> &allTargets() {
  // Shared-memory limits are the per-block opt-in maxima: A100 163 KiB,
  // H100 227 KiB.
  static const std::vector<Target> targets = {
      {"sm_80", "compute_80", 80, 163 * 1024, 255},
      {"sm_90a", "compute_90a", 90, 227 * 1024, 255},
  };
  return targets;
}

std::optional<Target> lookupTarget(std::string_view name) {
  if (name.rfind("sm_", 0) == 0)
    name.remove_prefix(3);
  for (const Target &target : allTargets())
    if (target.name.substr(3) == name)
      return target;
  return std::nullopt;
}

std::string targetNames() {
  std::string names;
  for (const Target &target : allTargets()) {
    if (!names.empty())
      names += ", ";
    names += target.name;
  }
  return names;
}

} // namespace attnc::target
