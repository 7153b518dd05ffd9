// An opened attnc library: the dlopen handle, its descriptor, the parsed manifest, and the
// kernels loaded from it so far, one per CUDA context.
#ifndef ATTN_RUNTIME_LIBRARY_H
#define ATTN_RUNTIME_LIBRARY_H

#include <mutex>
#include <string>
#include <vector>

#include <cuda.h>

#include "Manifest.h"
#include "attn/attn.h"

namespace attn::runtime {

// A kernel made ready in one context: modules belong to a context, so a library used on two
// devices (or by two contexts of one device) holds one of these for each.
struct LoadedKernel {
  CUcontext context = nullptr;
  unsigned long long contextId = 0; // cuCtxGetId when the driver has it: handles can be reused
  const ManifestKernel *kernel = nullptr;
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  // The kernel's plan kernels (same module), where it has them (ManifestPlan).
  CUfunction summaryFunction = nullptr;
  CUfunction kvPlanFunction = nullptr;
  CUfunction packedHeadsFunction = nullptr; // the kernel over packed heads, if it has one
  int smCount = 0; // the device's multiprocessors, queried for persistent kernels only
};

// The image the descriptor holds for `arch`, or null.
const attn_kernel_image *findImage(const attn_library_descriptor &descriptor,
                                   const std::string &arch);

} // namespace attn::runtime

// The opaque handle of attn.h; defined at global scope because the C API declares it there.
struct attn_library {
  std::string path;
  void *handle = nullptr; // dlopen handle of lib<name>.so
  const attn_library_descriptor *descriptor = nullptr;
  attn::runtime::Manifest manifest;

  // Guards `loaded`: several threads may launch through one library, each loading lazily.
  std::mutex mutex;
  std::vector<attn::runtime::LoadedKernel> loaded;
};

namespace attn::runtime {

// attn_library_open: dlopen, descriptor, ABI version, manifest and images. No CUDA call.
attn_status openLibrary(const char *path, attn_library **out);

// attn_library_close: unloads the modules of every context still alive, then dlcloses.
void closeLibrary(attn_library *lib);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_LIBRARY_H
