#include "Library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "Driver.h"
#include "Error.h"

namespace attn::runtime {

const attn_kernel_image *findImage(const attn_library_descriptor &descriptor,
                                   const std::string &arch) {
  for (uint32_t i = 0; i < descriptor.num_images; ++i) {
    const attn_kernel_image &image = descriptor.images[i];
    if (image.arch != nullptr && arch == image.arch)
      return &image;
  }
  return nullptr;
}

namespace {

// Closes the dlopen handle unless released: open() has many ways out.
struct HandleGuard {
  void *handle;
  ~HandleGuard() {
    if (handle != nullptr)
      dlclose(handle);
  }
};

attn_status checkImages(const char *path, const attn_library_descriptor &descriptor) {
  if (descriptor.num_images > 0 && descriptor.images == nullptr)
    return fail(ATTN_ERROR_LOAD, concat(path, ": the descriptor lists ", descriptor.num_images,
                                        " images but its image array is null"));
  for (uint32_t i = 0; i < descriptor.num_images; ++i) {
    const attn_kernel_image &image = descriptor.images[i];
    if (image.arch == nullptr || image.data == nullptr || image.size == 0)
      return fail(ATTN_ERROR_LOAD,
                  concat(path, ": image ", i, " has a null arch, null data or zero size"));
  }
  return ATTN_OK;
}

attn_status checkManifest(const char *path, const attn_library_descriptor &descriptor,
                          const Manifest &manifest) {
  if (manifest.abiVersion != descriptor.abi_version)
    return fail(ATTN_ERROR_LOAD,
                concat(path, ": manifest abi_version is ", manifest.abiVersion,
                       " but the descriptor says ", descriptor.abi_version));
  for (size_t i = 0; i < manifest.kernels.size(); ++i) {
    const ManifestKernel &kernel = manifest.kernels[i];
    if (findImage(descriptor, kernel.arch) == nullptr)
      return fail(ATTN_ERROR_LOAD, concat(path, ": manifest kernels[", i, "].arch: \"", kernel.arch,
                                          "\" has no image in the library"));
  }
  return ATTN_OK;
}

} // namespace

attn_status openLibrary(const char *path, attn_library **out) {
  if (out == nullptr)
    return fail(ATTN_ERROR_INVALID_ARGUMENT, "out: null");
  *out = nullptr;
  if (path == nullptr || *path == '\0')
    return fail(ATTN_ERROR_INVALID_ARGUMENT, "path: null or empty");

  // dlopen reads a name without a slash as "search the library path", never the working
  // directory; a file of that name right here is what the caller means.
  std::string file = path;
  if (file.find('/') == std::string::npos && access(path, F_OK) == 0)
    file = "./" + file;
  // RTLD_LOCAL: each library exports the same symbol name; RTLD_NOW: fail here, not at a launch.
  HandleGuard guard{dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)};
  if (guard.handle == nullptr) {
    const char *why = dlerror();
    return fail(ATTN_ERROR_LOAD, concat("cannot open ", path, ": ", why ? why : "unknown error"));
  }
  dlerror(); // clear, so that a null from dlsym is told apart from an error
  auto describe =
      reinterpret_cast<attn_library_descriptor_fn>(dlsym(guard.handle, ATTN_LIBRARY_SYMBOL));
  if (describe == nullptr)
    return fail(ATTN_ERROR_LOAD, concat(path, ": not an attnc library (no ", ATTN_LIBRARY_SYMBOL,
                                        " symbol)"));
  const attn_library_descriptor *descriptor = describe();
  if (descriptor == nullptr)
    return fail(ATTN_ERROR_LOAD, concat(path, ": ", ATTN_LIBRARY_SYMBOL, "() returned null"));
  if (descriptor->abi_version != ATTN_ABI_VERSION)
    return fail(ATTN_ERROR_ABI_MISMATCH,
                concat(path, ": built for library ABI version ", descriptor->abi_version,
                       ", this runtime implements version ", ATTN_ABI_VERSION,
                       "; rebuild the library with a matching attnc"));
  if (attn_status status = checkImages(path, *descriptor); status != ATTN_OK)
    return status;

  auto lib = std::make_unique<attn_library>();
  std::string error;
  if (!parseManifest(descriptor->manifest_json, lib->manifest, error))
    return fail(ATTN_ERROR_LOAD, concat(path, ": malformed manifest: ", error));
  if (attn_status status = checkManifest(path, *descriptor, lib->manifest); status != ATTN_OK)
    return status;

  lib->path = path;
  lib->descriptor = descriptor;
  lib->handle = guard.handle;
  guard.handle = nullptr;
  *out = lib.release();
  return ATTN_OK;
}

void closeLibrary(attn_library *lib) {
  if (lib == nullptr)
    return;
  // Modules exist only if a launch opened the driver. Each is unloaded inside its own context;
  // a context already destroyed took its modules with it and the push fails: nothing to do then.
  if (const DriverApi *api = loadedDriver()) {
    for (const LoadedKernel &loaded : lib->loaded) {
      if (api->ctxPushCurrent(loaded.context) != CUDA_SUCCESS)
        continue;
      // A handle reused by a newer context (same pointer, other id) does not own this module.
      unsigned long long id = 0;
      bool sameContext = api->ctxGetId == nullptr ||
                         (api->ctxGetId(loaded.context, &id) == CUDA_SUCCESS &&
                          id == loaded.contextId);
      if (sameContext)
        api->moduleUnload(loaded.module);
      CUcontext popped = nullptr;
      api->ctxPopCurrent(&popped);
    }
  }
  lib->loaded.clear();
  if (lib->handle != nullptr)
    dlclose(lib->handle);
  delete lib;
}

} // namespace attn::runtime
