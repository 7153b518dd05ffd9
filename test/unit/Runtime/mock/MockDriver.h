// A fake CUDA driver (libcuda.so.1) for testing the runtime's driver half without a GPU.
//
// It exports cuGetProcAddress_v2, through which the runtime finds every entry point, and
// attn_mock_driver_state(), through which a test sets the device up and reads back what the
// runtime asked for (the module it loaded, the launch it made, the parameters it passed).
#ifndef ATTN_TEST_MOCK_DRIVER_H
#define ATTN_TEST_MOCK_DRIVER_H

#include <cuda.h>

#include "attn/abi.h"
#include "attn/device/sm90/tensor_maps.h"

namespace attn::test {

// A range of addresses the fake driver knows, as cuMemAlloc or cuMemHostAlloc would have made.
struct MockAllocation {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  CUmemorytype type = CU_MEMORYTYPE_DEVICE;
  int ordinal = 0;
  bool managed = false;
};

// One cuTensorMapEncodeTiled call, as the runtime made it.
struct MockTensorMapEncode {
  CUtensorMapDataType dtype = CU_TENSOR_MAP_DATA_TYPE_UINT8;
  unsigned rank = 0;
  const void *address = nullptr;
  cuuint64_t dims[5] = {};
  cuuint64_t strides[4] = {}; // bytes, dims 1..rank-1
  cuuint32_t box[5] = {};
  CUtensorMapSwizzle swizzle = CU_TENSOR_MAP_SWIZZLE_NONE;
};

// One cuLaunchKernel call: which function, its shape, its first parameter and its event number.
struct MockLaunch {
  char function[128] = {};
  unsigned grid[3] = {}, block[3] = {};
  int event = 0;
  attn_forward_params params = {};
};

struct MockDriverState {
  // What the device looks like.
  CUcontext context = nullptr; // the current context (null: none)
  unsigned long long contextId = 1;
  CUdevice device = 0;
  int ccMajor = 9, ccMinor = 0;
  int optinSmemBytes = 227 * 1024;
  int smCount = 132;
  MockAllocation allocations[16];
  int allocationCount = 0;

  // Failures to inject.
  CUresult loadResult = CUDA_SUCCESS;
  CUresult launchResult = CUDA_SUCCESS;
  CUresult encodeResult = CUDA_SUCCESS;
  CUresult memsetResult = CUDA_SUCCESS;
  // The launched kernel takes the tensor maps as a second parameter: copy them into `maps`.
  bool kernelTakesTensorMaps = false;

  // What the runtime did.
  int loads = 0, unloads = 0, launches = 0;
  int smCountQueries = 0;
  int encodes = 0;
  MockTensorMapEncode encoded[4];
  const void *loadedImage = nullptr;
  char functionName[128] = {}; // of the last launch
  MockLaunch launchLog[4];      // the first four launches
  int dynamicSmemAttribute = -1; // -1: never set
  unsigned grid[3] = {}, block[3] = {};
  unsigned sharedBytes = 0;
  CUstream stream = nullptr;
  attn_forward_params params = {};
  attn_forward_tensor_maps maps = {};
  // Stream-ordered workspace: each call is numbered in `events` (1, 2, ...) in the order made,
  // launches included, so a test can tell that the counter was zeroed before the kernel ran and
  // freed after.
  int events = 0;
  int allocs = 0, frees = 0, memsets = 0;
  int lastAllocEvent = 0, lastMemsetEvent = 0, lastLaunchEvent = 0, lastFreeEvent = 0;
  size_t allocBytes = 0;
  CUdeviceptr allocated = 0, freed = 0, memsetAddress = 0;
  unsigned memsetValue = ~0u;
  size_t memsetWords = 0;
  CUstream memsetStream = nullptr;
};

extern "C" MockDriverState *attn_mock_driver_state();
using MockDriverStateFn = MockDriverState *(*)();

} // namespace attn::test

#endif // ATTN_TEST_MOCK_DRIVER_H
