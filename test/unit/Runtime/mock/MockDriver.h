// A fake CUDA driver (libcuda.so.1) for testing the runtime's driver half without a GPU.
//
// It exports cuGetProcAddress_v2, through which the runtime finds every entry point, and
// attn_mock_driver_state(), through which a test sets the device up and reads back what the
// runtime asked for (the module it loaded, the launch it made, the parameters it passed).
#ifndef ATTN_TEST_MOCK_DRIVER_H
#define ATTN_TEST_MOCK_DRIVER_H

#include <cuda.h>

#include "attn/abi.h"

namespace attn::test {

// A range of addresses the fake driver knows, as cuMemAlloc or cuMemHostAlloc would have made.
struct MockAllocation {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  CUmemorytype type = CU_MEMORYTYPE_DEVICE;
  int ordinal = 0;
  bool managed = false;
};

struct MockDriverState {
  // What the device looks like.
  CUcontext context = nullptr; // the current context (null: none)
  unsigned long long contextId = 1;
  CUdevice device = 0;
  int ccMajor = 9, ccMinor = 0;
  int optinSmemBytes = 227 * 1024;
  MockAllocation allocations[16];
  int allocationCount = 0;

  // Failures to inject.
  CUresult loadResult = CUDA_SUCCESS;
  CUresult launchResult = CUDA_SUCCESS;

  // What the runtime did.
  int loads = 0, unloads = 0, launches = 0;
  const void *loadedImage = nullptr;
  char functionName[128] = {};
  int dynamicSmemAttribute = -1; // -1: never set
  unsigned grid[3] = {}, block[3] = {};
  unsigned sharedBytes = 0;
  CUstream stream = nullptr;
  attn_forward_params params = {};
};

extern "C" MockDriverState *attn_mock_driver_state();
using MockDriverStateFn = MockDriverState *(*)();

} // namespace attn::test

#endif // ATTN_TEST_MOCK_DRIVER_H
