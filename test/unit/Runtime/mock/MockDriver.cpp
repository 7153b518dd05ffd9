#include "MockDriver.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

namespace attn::test {
namespace {

MockDriverState state;
std::mutex mutex; // launches may come from several test threads

// Handles are fake: any distinct non-null values serve.
CUmodule const kModule = reinterpret_cast<CUmodule>(0x1000);

const MockAllocation *find(CUdeviceptr pointer) {
  for (int i = 0; i < state.allocationCount; ++i) {
    const MockAllocation &a = state.allocations[i];
    if (pointer >= a.begin && pointer < a.end)
      return &a;
  }
  return nullptr;
}

CUresult init(unsigned) { return CUDA_SUCCESS; }

CUresult ctxGetCurrent(CUcontext *context) {
  *context = state.context;
  return CUDA_SUCCESS;
}

CUresult ctxGetDevice(CUdevice *device) {
  if (state.context == nullptr)
    return CUDA_ERROR_INVALID_CONTEXT;
  *device = state.device;
  return CUDA_SUCCESS;
}

CUresult ctxGetId(CUcontext, unsigned long long *id) {
  *id = state.contextId;
  return CUDA_SUCCESS;
}

CUresult ctxPushCurrent(CUcontext) { return CUDA_SUCCESS; }
CUresult ctxPopCurrent(CUcontext *context) {
  *context = nullptr;
  return CUDA_SUCCESS;
}

CUresult deviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice) {
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = state.ccMajor;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = state.ccMinor;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = state.optinSmemBytes;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    ++state.smCountQueries;
    *value = state.smCount;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult moduleLoadData(CUmodule *module, const void *image) {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.loadResult != CUDA_SUCCESS)
    return state.loadResult;
  ++state.loads;
  state.loadedImage = image;
  *module = kModule;
  return CUDA_SUCCESS;
}

// The functions asked for, by name, for the life of the process (libraries stay loaded across
// tests): handle i + 1 is names[i].
char functionNames[32][128];
int functionCount = 0;

CUresult moduleGetFunction(CUfunction *function, CUmodule, const char *name) {
  std::lock_guard<std::mutex> lock(mutex);
  int i = 0;
  while (i < functionCount && std::strcmp(functionNames[i], name) != 0)
    ++i;
  if (i == functionCount) {
    if (functionCount == 32)
      return CUDA_ERROR_OUT_OF_MEMORY;
    std::strncpy(functionNames[functionCount++], name, sizeof functionNames[0] - 1);
  }
  *function = reinterpret_cast<CUfunction>(uintptr_t(i + 1));
  return CUDA_SUCCESS;
}

CUresult moduleUnload(CUmodule) {
  std::lock_guard<std::mutex> lock(mutex);
  ++state.unloads;
  return CUDA_SUCCESS;
}

CUresult funcSetAttribute(CUfunction, CUfunction_attribute attribute, int value) {
  if (attribute == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    state.dynamicSmemAttribute = value;
  return CUDA_SUCCESS;
}

CUresult launchKernel(CUfunction function, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                      unsigned by, unsigned bz, unsigned smem, CUstream stream, void **params,
                      void **extra) {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.launchResult != CUDA_SUCCESS)
    return state.launchResult;
  const uintptr_t handle = reinterpret_cast<uintptr_t>(function);
  if (extra != nullptr || params == nullptr || handle < 1 || handle > uintptr_t(functionCount))
    return CUDA_ERROR_INVALID_VALUE;
  const char *name = functionNames[handle - 1];
  std::strncpy(state.functionName, name, sizeof state.functionName - 1);
  if (state.launches < 4) {
    MockLaunch &logged = state.launchLog[state.launches];
    std::strncpy(logged.function, name, sizeof logged.function - 1);
    logged.grid[0] = gx, logged.grid[1] = gy, logged.grid[2] = gz;
    logged.block[0] = bx, logged.block[1] = by, logged.block[2] = bz;
    logged.event = state.events + 1;
    std::memcpy(&logged.params, params[0], sizeof(attn_forward_params));
  }
  ++state.launches;
  state.lastLaunchEvent = ++state.events;
  state.grid[0] = gx, state.grid[1] = gy, state.grid[2] = gz;
  state.block[0] = bx, state.block[1] = by, state.block[2] = bz;
  state.sharedBytes = smem;
  state.stream = stream;
  std::memcpy(&state.params, params[0], sizeof(attn_forward_params));
  // Plan kernels (attnc names them <kernel>_plan, <kernel>_kv_plan) take the parameters alone.
  const size_t length = std::strlen(name);
  const bool plan = length >= 5 && std::strcmp(name + length - 5, "_plan") == 0;
  if (state.kernelTakesTensorMaps && !plan)
    std::memcpy(&state.maps, params[1], sizeof(attn_forward_tensor_maps));
  return CUDA_SUCCESS;
}

// Records the call and marks the map with its call number (1, 2, ...) in its first word, so a
// test can tell which map reached which kernel parameter.
CUresult tensorMapEncodeTiled(CUtensorMap *map, CUtensorMapDataType dtype, cuuint32_t rank,
                              void *address, const cuuint64_t *dims, const cuuint64_t *strides,
                              const cuuint32_t *box, const cuuint32_t *elementStrides,
                              CUtensorMapInterleave, CUtensorMapSwizzle swizzle,
                              CUtensorMapL2promotion, CUtensorMapFloatOOBfill) {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.encodeResult != CUDA_SUCCESS)
    return state.encodeResult;
  if (rank < 1 || rank > 5 || elementStrides == nullptr)
    return CUDA_ERROR_INVALID_VALUE;
  MockTensorMapEncode &call = state.encoded[state.encodes % 4];
  call = MockTensorMapEncode{};
  call.dtype = dtype;
  call.rank = rank;
  call.address = address;
  for (cuuint32_t i = 0; i < rank; ++i) {
    call.dims[i] = dims[i];
    call.box[i] = box[i];
    if (i + 1 < rank)
      call.strides[i] = strides[i];
  }
  call.swizzle = swizzle;
  ++state.encodes;
  std::memset(map, 0, sizeof *map);
  std::memcpy(map, &state.encodes, sizeof state.encodes);
  return CUDA_SUCCESS;
}

CUresult pointerGetAttribute(void *data, CUpointer_attribute attribute, CUdeviceptr pointer) {
  const MockAllocation *a = find(pointer);
  if (a == nullptr)
    return CUDA_ERROR_INVALID_VALUE; // what the driver says of plain host memory
  switch (attribute) {
  case CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
    *static_cast<unsigned *>(data) = a->type;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL:
    *static_cast<int *>(data) = a->ordinal;
    return CUDA_SUCCESS;
  case CU_POINTER_ATTRIBUTE_IS_MANAGED:
    *static_cast<unsigned *>(data) = a->managed ? 1 : 0;
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult getErrorName(CUresult result, const char **name) {
  switch (result) {
  case CUDA_ERROR_INVALID_VALUE:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return CUDA_SUCCESS;
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
    *name = "CUDA_ERROR_NO_BINARY_FOR_GPU";
    return CUDA_SUCCESS;
  case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    return CUDA_SUCCESS;
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult getErrorString(CUresult, const char **text) {
  *text = "mock driver error";
  return CUDA_SUCCESS;
}

// Launch workspaces (plan summaries, a work counter): one arena, recorded in call order.
CUresult memAllocAsync(CUdeviceptr *memory, size_t bytes, CUstream) {
  static char arena[1 << 12];
  std::lock_guard<std::mutex> lock(mutex);
  if (bytes > sizeof arena)
    return CUDA_ERROR_INVALID_VALUE;
  *memory = reinterpret_cast<CUdeviceptr>(arena);
  ++state.allocs;
  state.lastAllocEvent = ++state.events;
  state.allocBytes = bytes;
  state.allocated = *memory;
  return CUDA_SUCCESS;
}

CUresult memFreeAsync(CUdeviceptr memory, CUstream) {
  std::lock_guard<std::mutex> lock(mutex);
  ++state.frees;
  state.lastFreeEvent = ++state.events;
  state.freed = memory;
  return CUDA_SUCCESS;
}

CUresult memsetD32Async(CUdeviceptr memory, unsigned value, size_t words, CUstream stream) {
  std::lock_guard<std::mutex> lock(mutex);
  if (state.memsetResult != CUDA_SUCCESS)
    return state.memsetResult;
  ++state.memsets;
  state.lastMemsetEvent = ++state.events;
  state.memsetAddress = memory;
  state.memsetValue = value;
  state.memsetWords = words;
  state.memsetStream = stream;
  return CUDA_SUCCESS;
}

struct Entry {
  const char *name;
  void *function;
};

const Entry kEntries[] = {
    {"cuInit", reinterpret_cast<void *>(&init)},
    {"cuCtxGetCurrent", reinterpret_cast<void *>(&ctxGetCurrent)},
    {"cuCtxGetDevice", reinterpret_cast<void *>(&ctxGetDevice)},
    {"cuCtxGetId", reinterpret_cast<void *>(&ctxGetId)},
    {"cuCtxPushCurrent", reinterpret_cast<void *>(&ctxPushCurrent)},
    {"cuCtxPopCurrent", reinterpret_cast<void *>(&ctxPopCurrent)},
    {"cuDeviceGetAttribute", reinterpret_cast<void *>(&deviceGetAttribute)},
    {"cuModuleLoadData", reinterpret_cast<void *>(&moduleLoadData)},
    {"cuModuleGetFunction", reinterpret_cast<void *>(&moduleGetFunction)},
    {"cuModuleUnload", reinterpret_cast<void *>(&moduleUnload)},
    {"cuFuncSetAttribute", reinterpret_cast<void *>(&funcSetAttribute)},
    {"cuLaunchKernel", reinterpret_cast<void *>(&launchKernel)},
    {"cuPointerGetAttribute", reinterpret_cast<void *>(&pointerGetAttribute)},
    {"cuGetErrorName", reinterpret_cast<void *>(&getErrorName)},
    {"cuGetErrorString", reinterpret_cast<void *>(&getErrorString)},
    {"cuMemAllocAsync", reinterpret_cast<void *>(&memAllocAsync)},
    {"cuMemFreeAsync", reinterpret_cast<void *>(&memFreeAsync)},
    {"cuMemsetD32Async", reinterpret_cast<void *>(&memsetD32Async)},
    {"cuTensorMapEncodeTiled", reinterpret_cast<void *>(&tensorMapEncodeTiled)},
};

} // namespace

extern "C" __attribute__((visibility("default"))) MockDriverState *attn_mock_driver_state() {
  return &state;
}

// For callers without the C++ struct (a Python smoke test of the binding through ctypes): a
// current context on device 0 of compute capability 9.0, and addresses [1 GiB, 64 GiB) as its
// device memory.
extern "C" __attribute__((visibility("default"))) MockDriverState *attn_mock_driver_setup_default() {
  state = MockDriverState{};
  state.context = reinterpret_cast<CUcontext>(0xC0);
  state.allocations[0] = MockAllocation{uintptr_t(1) << 30, uintptr_t(64) << 30,
                                        CU_MEMORYTYPE_DEVICE, 0, false};
  state.allocationCount = 1;
  return &state;
}

extern "C" __attribute__((visibility("default"))) const attn_forward_params *
attn_mock_driver_last_params() {
  return &state.params;
}

extern "C" __attribute__((visibility("default"))) int attn_mock_driver_launch_count() {
  return state.launches;
}

// The real driver versions its entry points; the runtime asks for CUDA 12.0's.
extern "C" __attribute__((visibility("default"))) CUresult
cuGetProcAddress_v2(const char *symbol, void **function, int cudaVersion, cuuint64_t,
                    CUdriverProcAddressQueryResult *found) {
  *function = nullptr;
  if (found)
    *found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  if (cudaVersion < 12000)
    return CUDA_ERROR_NOT_FOUND;
  for (const Entry &entry : kEntries) {
    if (std::strcmp(entry.name, symbol) == 0) {
      *function = entry.function;
      if (found)
        *found = CU_GET_PROC_ADDRESS_SUCCESS;
      return CUDA_SUCCESS;
    }
  }
  return CUDA_ERROR_NOT_FOUND;
}

} // namespace attn::test
