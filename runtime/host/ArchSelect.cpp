#include "ArchSelect.h"

#include <cctype>

namespace attn::runtime {

bool parseArch(const std::string &arch, ArchName &out) {
  constexpr const char *kPrefix = "sm_";
  if (arch.compare(0, 3, kPrefix) != 0)
    return false;
  size_t end = 3;
  while (end < arch.size() && std::isdigit(static_cast<unsigned char>(arch[end])))
    ++end;
  size_t digits = end - 3;
  if (digits < 2 || digits > 4)
    return false;
  // The last digit is the minor version, the others the major: sm_90 → 9.0, sm_120 → 12.0.
  out.major = std::stoi(arch.substr(3, digits - 1));
  out.minor = arch[end - 1] - '0';
  out.suffix = arch.substr(end);
  for (char c : out.suffix)
    if (!std::isalpha(static_cast<unsigned char>(c)))
      return false;
  return true;
}

const ManifestKernel *selectKernel(const std::vector<ManifestKernel> &kernels,
                                   const std::string &mode, int major, int minor) {
  const ManifestKernel *exact = nullptr;
  const ManifestKernel *sameMajor = nullptr;
  int sameMajorMinor = -1;
  const ManifestKernel *previousMajor = nullptr;
  int previousMinor = -1;
  for (const ManifestKernel &kernel : kernels) {
    ArchName arch;
    if (kernel.mode != mode || !parseArch(kernel.arch, arch))
      continue;
    if (!arch.suffix.empty()) {
      // "a" (and any other suffix) images use features of exactly one compute capability.
      if (arch.major == major && arch.minor == minor && exact == nullptr)
        exact = &kernel;
      continue;
    }
    if (arch.major == major && arch.minor <= minor && arch.minor > sameMajorMinor) {
      sameMajor = &kernel;
      sameMajorMinor = arch.minor;
    }
    if (major == 9 && arch.major == 8 && arch.minor > previousMinor) {
      previousMajor = &kernel;
      previousMinor = arch.minor;
    }
  }
  if (exact != nullptr)
    return exact;
  if (sameMajor != nullptr)
    return sameMajor;
  return previousMajor;
}

std::string listArchs(const std::vector<ManifestKernel> &kernels, const std::string &mode) {
  std::string out;
  for (const ManifestKernel &kernel : kernels) {
    if (kernel.mode != mode)
      continue;
    if (!out.empty())
      out += ", ";
    out += kernel.arch;
  }
  return out.empty() ? std::string("none") : out;
}

} // namespace attn::runtime
