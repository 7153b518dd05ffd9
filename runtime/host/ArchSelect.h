// Which of a library's kernels runs on a device of a given compute capability.
#ifndef ATTN_RUNTIME_ARCHSELECT_H
#define ATTN_RUNTIME_ARCHSELECT_H

#include <string>
#include <vector>

#include "Manifest.h"

namespace attn::runtime {

// An arch string split up: "sm_90a" is {9, 0, "a"}, "sm_100" is {10, 0, ""}.
struct ArchName {
  int major = 0;
  int minor = 0;
  std::string suffix;
};

// Parses "sm_<major><minor><suffix>"; false if `arch` is not of that form.
bool parseArch(const std::string &arch, ArchName &out);

// The kernel of `mode` to run on a device of compute capability `major`.`minor`, or null.
// Preference, best first:
//   1. an arch-specific image for exactly this device ("sm_90a" on 9.0): it may use wgmma/TMA;
//   2. a plain image of the same major version and the highest minor <= the device's ("sm_80" on
//      8.6): cubins run on later minor versions of their major;
//   3. on a 9.x device, a plain 8.x image: it runs if the image carries PTX the driver can JIT; a
//      bare sm_80 cubin does not load on 9.0, which the launcher reports as "no kernel".
const ManifestKernel *selectKernel(const std::vector<ManifestKernel> &kernels,
                                   const std::string &mode, int major, int minor);

// "sm_80, sm_90a": the archs of the kernels of `mode`, for error messages.
std::string listArchs(const std::vector<ManifestKernel> &kernels, const std::string &mode);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_ARCHSELECT_H
