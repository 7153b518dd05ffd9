// The extern "C" entry points of libattnrt.so: thin wrappers that keep C++ exceptions (in
// practice std::bad_alloc) from crossing the C boundary.
#include <new>

#include "Error.h"
#include "Launch.h"
#include "Library.h"
#include "Validate.h"
#include "ValidateExtras.h"
#include "attn/attn.h"

#define ATTN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using namespace attn::runtime;

constexpr const char *kForwardMode = "forward";

template <typename Body> attn_status guarded(attn_status onError, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return fail(onError, "out of host memory");
  } catch (...) {
    return fail(onError, "internal error: unexpected C++ exception in libattnrt");
  }
}

bool hasMode(const Manifest &manifest, const char *mode) {
  for (const ManifestKernel &kernel : manifest.kernels)
    if (kernel.mode == mode)
      return true;
  return false;
}

} // namespace

ATTN_EXPORT attn_status attn_library_open(const char *path, attn_library **out) {
  return guarded(ATTN_ERROR_LOAD, [&] { return openLibrary(path, out); });
}

ATTN_EXPORT void attn_library_close(attn_library *lib) { closeLibrary(lib); }

ATTN_EXPORT const char *attn_library_manifest(const attn_library *lib) {
  return lib != nullptr ? lib->descriptor->manifest_json : "";
}

ATTN_EXPORT attn_status attn_library_get_info(const attn_library *lib, attn_library_info *info) {
  if (lib == nullptr)
    return fail(ATTN_ERROR_INVALID_ARGUMENT, "lib: null");
  if (info == nullptr)
    return fail(ATTN_ERROR_INVALID_ARGUMENT, "info: null");
  info->name = lib->manifest.name.c_str();
  info->dtype = lib->manifest.dtype;
  info->head_dim = lib->manifest.headDim;
  info->mask = lib->manifest.mask.c_str();
  info->score = lib->manifest.score.c_str();
  return ATTN_OK;
}

ATTN_EXPORT attn_status attn_forward_ex(attn_library *lib, const attn_tensor *q,
                                        const attn_tensor *k, const attn_tensor *v,
                                        const attn_tensor *o, const attn_tensor *lse, float scale,
                                        const attn_forward_extras *extras, void *stream) {
  return guarded(ATTN_ERROR_INVALID_ARGUMENT, [&] {
    if (lib == nullptr)
      return fail(ATTN_ERROR_INVALID_ARGUMENT, "lib: null");
    // Everything checkable without the driver comes first, so that argument errors read the same
    // with or without a GPU, and nothing reaches a launch unchecked.
    attn_forward_params params;
    if (attn_status status = validateForward(lib->manifest, q, k, v, o, lse, scale, params);
        status != ATTN_OK)
      return status;
    if (attn_status status = validateExtras(lib->manifest, extras, params); status != ATTN_OK)
      return status;
    if (!hasMode(lib->manifest, kForwardMode))
      return fail(ATTN_ERROR_NO_KERNEL, lib->path + ": the library has no forward kernel");
    return launchForward(*lib, params, stream);
  });
}

ATTN_EXPORT attn_status attn_forward(attn_library *lib, const attn_tensor *q, const attn_tensor *k,
                                     const attn_tensor *v, const attn_tensor *o,
                                     const attn_tensor *lse, float scale, void *stream) {
  return attn_forward_ex(lib, q, k, v, o, lse, scale, /*extras=*/nullptr, stream);
}

ATTN_EXPORT const char *attn_last_error(void) { return lastError(); }

ATTN_EXPORT const char *attn_status_name(attn_status status) {
  switch (status) {
  case ATTN_OK:
    return "ATTN_OK";
  case ATTN_ERROR_INVALID_ARGUMENT:
    return "ATTN_ERROR_INVALID_ARGUMENT";
  case ATTN_ERROR_LOAD:
    return "ATTN_ERROR_LOAD";
  case ATTN_ERROR_ABI_MISMATCH:
    return "ATTN_ERROR_ABI_MISMATCH";
  case ATTN_ERROR_NO_KERNEL:
    return "ATTN_ERROR_NO_KERNEL";
  case ATTN_ERROR_DEVICE:
    return "ATTN_ERROR_DEVICE";
  case ATTN_ERROR_CUDA:
    return "ATTN_ERROR_CUDA";
  }
  return "ATTN_ERROR_UNKNOWN";
}
