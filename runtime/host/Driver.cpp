#include "Driver.h"

#include <dlfcn.h>

#include <atomic>
#include <mutex>

#include "Error.h"

namespace attn::runtime {

namespace {

// The soname of the driver: the unversioned libcuda.so exists only where a toolkit is installed.
constexpr const char *kDriverLibrary = "libcuda.so.1";
// Ask cuGetProcAddress for the entry points as CUDA 12.0 defined them: the `_v2` (and later)
// variants that cuda.h's macros name, the ones our DriverApi prototypes describe.
constexpr int kRequestedCudaVersion = 12000;

using GetProcAddressFn = CUresult (*)(const char *, void **, int, cuuint64_t,
                                      CUdriverProcAddressQueryResult *);

struct DriverState {
  std::once_flag once;
  std::atomic<bool> ready{false}; // set once the table below is complete and cuInit succeeded
  attn_status status = ATTN_ERROR_DEVICE;
  std::string message;
  DriverApi api;
};

DriverState &state() {
  // Never destroyed: launches may still run from other threads' destructors at exit.
  static DriverState *instance = new DriverState();
  return *instance;
}

template <typename Fn>
bool resolve(GetProcAddressFn getProc, const char *name, Fn &slot, std::string &missing) {
  void *fn = nullptr;
  CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  if (getProc(name, &fn, kRequestedCudaVersion, CU_GET_PROC_ADDRESS_DEFAULT, &found) !=
          CUDA_SUCCESS ||
      found != CU_GET_PROC_ADDRESS_SUCCESS || fn == nullptr) {
    if (!missing.empty())
      missing += ", ";
    missing += name;
    return false;
  }
  slot = reinterpret_cast<Fn>(fn);
  return true;
}

void open(DriverState &s) {
  void *handle = dlopen(kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char *why = dlerror();
    s.message = concat("cannot open the CUDA driver (", kDriverLibrary, "): ",
                       why ? why : "unknown error",
                       "; is an NVIDIA driver installed on this machine?");
    return;
  }
  // The handle is never closed: function pointers into the driver stay live for the process.
  auto getProc = reinterpret_cast<GetProcAddressFn>(dlsym(handle, "cuGetProcAddress_v2"));
  if (getProc == nullptr) {
    s.message = concat("the CUDA driver (", kDriverLibrary,
                       ") has no cuGetProcAddress_v2; a driver for CUDA 12.0 or newer is needed");
    return;
  }
  DriverApi &api = s.api;
  std::string missing;
  resolve(getProc, "cuInit", api.init, missing);
  resolve(getProc, "cuCtxGetCurrent", api.ctxGetCurrent, missing);
  resolve(getProc, "cuCtxGetDevice", api.ctxGetDevice, missing);
  resolve(getProc, "cuCtxPushCurrent", api.ctxPushCurrent, missing);
  resolve(getProc, "cuCtxPopCurrent", api.ctxPopCurrent, missing);
  resolve(getProc, "cuDeviceGetAttribute", api.deviceGetAttribute, missing);
  resolve(getProc, "cuModuleLoadData", api.moduleLoadData, missing);
  resolve(getProc, "cuModuleGetFunction", api.moduleGetFunction, missing);
  resolve(getProc, "cuModuleUnload", api.moduleUnload, missing);
  resolve(getProc, "cuFuncSetAttribute", api.funcSetAttribute, missing);
  resolve(getProc, "cuLaunchKernel", api.launchKernel, missing);
  resolve(getProc, "cuPointerGetAttribute", api.pointerGetAttribute, missing);
  resolve(getProc, "cuGetErrorName", api.getErrorName, missing);
  resolve(getProc, "cuGetErrorString", api.getErrorString, missing);
  resolve(getProc, "cuMemAllocAsync", api.memAllocAsync, missing);
  resolve(getProc, "cuMemFreeAsync", api.memFreeAsync, missing);
  resolve(getProc, "cuMemsetD32Async", api.memsetD32Async, missing);
  if (!missing.empty()) {
    s.message = concat("the CUDA driver lacks entry points: ", missing,
                       "; a driver for CUDA 12.0 or newer is needed");
    return;
  }
  std::string optional;
  resolve(getProc, "cuCtxGetId", api.ctxGetId, optional);
  resolve(getProc, "cuTensorMapEncodeTiled", api.tensorMapEncodeTiled, optional);

  CUresult result = api.init(0);
  if (result != CUDA_SUCCESS) {
    s.message = concat("cuInit failed: ", describeResult(api, result),
                       " (no usable GPU, or the driver does not match the kernel module)");
    return;
  }
  s.status = ATTN_OK;
  s.ready.store(true, std::memory_order_release);
}

} // namespace

attn_status loadDriver(const DriverApi **api) {
  DriverState &s = state();
  std::call_once(s.once, [&s] { open(s); });
  if (s.status != ATTN_OK)
    return fail(s.status, s.message);
  *api = &s.api;
  return ATTN_OK;
}

const DriverApi *loadedDriver() {
  DriverState &s = state();
  return s.ready.load(std::memory_order_acquire) ? &s.api : nullptr;
}

std::string describeResult(const DriverApi &api, CUresult result) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (api.getErrorName == nullptr || api.getErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (api.getErrorString == nullptr || api.getErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  return concat(name ? name : "CUDA error", " (", static_cast<int>(result), ")",
                text ? concat(": ", text) : std::string());
}

attn_status checkCuda(const DriverApi &api, CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return ATTN_OK;
  return fail(ATTN_ERROR_CUDA, concat(call, " failed: ", describeResult(api, result)));
}

} // namespace attn::runtime

