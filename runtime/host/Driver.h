// The CUDA driver API, opened at run time.
//
// libattnrt.so links neither libcuda nor libcudart: a program that uses it must start, open
// libraries and validate arguments on a machine with no GPU. The driver is dlopen'ed at the first
// call that needs it and every entry point is resolved through cuGetProcAddress, which hands out
// the variant matching the CUDA version we were written against (the `_v2` functions), whatever
// the names exported by that driver.
#ifndef ATTN_RUNTIME_DRIVER_H
#define ATTN_RUNTIME_DRIVER_H

#include <string>

#include <cuda.h>

#include "attn/attn.h"

namespace attn::runtime {

// Entry points resolved from the driver. `decltype(&cuX)` takes the prototype from cuda.h (after
// its `_v2` renaming macros) without referencing the symbol, so nothing is linked.
struct DriverApi {
  decltype(&::cuInit) init = nullptr;
  decltype(&::cuCtxGetCurrent) ctxGetCurrent = nullptr;
  decltype(&::cuCtxGetDevice) ctxGetDevice = nullptr;
  decltype(&::cuCtxPushCurrent) ctxPushCurrent = nullptr;
  decltype(&::cuCtxPopCurrent) ctxPopCurrent = nullptr;
  decltype(&::cuDeviceGetAttribute) deviceGetAttribute = nullptr;
  decltype(&::cuModuleLoadData) moduleLoadData = nullptr;
  decltype(&::cuModuleGetFunction) moduleGetFunction = nullptr;
  decltype(&::cuModuleUnload) moduleUnload = nullptr;
  decltype(&::cuFuncSetAttribute) funcSetAttribute = nullptr;
  decltype(&::cuLaunchKernel) launchKernel = nullptr;
  decltype(&::cuPointerGetAttribute) pointerGetAttribute = nullptr;
  decltype(&::cuGetErrorName) getErrorName = nullptr;
  decltype(&::cuGetErrorString) getErrorString = nullptr;
  // Stream-ordered workspace of a launch (LaunchWorkspace.h): plan summaries, a work counter.
  decltype(&::cuMemAllocAsync) memAllocAsync = nullptr;
  decltype(&::cuMemFreeAsync) memFreeAsync = nullptr;
  decltype(&::cuMemsetD32Async) memsetD32Async = nullptr;
  // Optional (CUDA >= 12.0): tells a context apart from a later one that reuses its handle.
  decltype(&::cuCtxGetId) ctxGetId = nullptr;
  // Optional until a kernel needs it: the TMA tensor maps of warp-specialised (sm_90a) kernels.
  decltype(&::cuTensorMapEncodeTiled) tensorMapEncodeTiled = nullptr;
};

// Opens the driver, resolves the table and calls cuInit(0), once per process. On success sets
// `*api`; on failure returns ATTN_ERROR_DEVICE with the reason (the same one on every later call).
attn_status loadDriver(const DriverApi **api);

// The driver table if an earlier loadDriver() succeeded, else null; never opens the driver
// (closing a library that never launched must not start CUDA).
const DriverApi *loadedDriver();

// "CUDA_ERROR_INVALID_VALUE (1): invalid argument" for `result`.
std::string describeResult(const DriverApi &api, CUresult result);

// ATTN_OK for CUDA_SUCCESS; otherwise records "<call> failed: <describeResult>" and returns
// ATTN_ERROR_CUDA.
attn_status checkCuda(const DriverApi &api, CUresult result, const char *call);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_DRIVER_H
