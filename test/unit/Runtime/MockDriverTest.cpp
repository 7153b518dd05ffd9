// The driver half of attn_forward (context, pointer checks, image choice, lazy module load,
// launch) against the fake libcuda.so.1 in mock/. ctest runs this binary with LD_LIBRARY_PATH
// pointing at the fake, so the runtime's dlopen("libcuda.so.1") finds it.
#include <dlfcn.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "RuntimeTestSupport.h"
#include "mock/MockDriver.h"

namespace attn::test {
namespace {

constexpr uintptr_t kGiB = uintptr_t(1) << 30;
CUcontext const kContext = reinterpret_cast<CUcontext>(0xC0);

class MockDriver : public ::testing::Test {
protected:
  void SetUp() override {
    void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(driver, nullptr) << dlerror();
    auto stateFn = reinterpret_cast<MockDriverStateFn>(dlsym(driver, "attn_mock_driver_state"));
    ASSERT_NE(stateFn, nullptr) << "libcuda.so.1 is not the mock: run through ctest";
    state = stateFn();
    *state = MockDriverState{};
    state->context = kContext;
    // ForwardArgs puts its tensors in [1, 6) GiB: make that device memory of device 0.
    addAllocation(1 * kGiB, 6 * kGiB, CU_MEMORYTYPE_DEVICE, 0);
    std::string error;
    lib = openFixture("GoodBf16Causal", &error);
    ASSERT_NE(lib, nullptr) << error;
  }

  void addAllocation(uintptr_t begin, uintptr_t end, CUmemorytype type, int ordinal,
                     bool managed = false) {
    MockAllocation &a = state->allocations[state->allocationCount++];
    a = MockAllocation{begin, end, type, ordinal, managed};
  }

  attn_status launch(const ForwardArgs &args, void *stream = nullptr) {
    return attn_forward(lib.get(), &args.q, &args.k, &args.v, &args.o,
                        args.withLse ? &args.lse : nullptr, args.scale, stream);
  }

  std::string message() const { return attn_last_error(); }

  void expectGrid(unsigned x, unsigned y, unsigned z) const {
    EXPECT_EQ(state->grid[0], x);
    EXPECT_EQ(state->grid[1], y);
    EXPECT_EQ(state->grid[2], z);
  }

  // A driver call that fails before the launch: a CUDA error that names it, and no launch.
  void expectCudaErrorBeforeLaunch(attn_library *library, const std::string &failure) {
    ForwardArgs args;
    EXPECT_EQ(args.call(library), ATTN_ERROR_CUDA);
    EXPECT_NE(message().find(failure), std::string::npos) << message();
    EXPECT_EQ(state->launches, 0);
  }

  MockDriverState *state = nullptr;
  LibraryPtr lib;
};

TEST_F(MockDriver, HopperLaunchesTheSm90aKernelWithTheRightGridAndParameters) {
  ForwardArgs args;
  void *stream = reinterpret_cast<void *>(0x5700);
  ASSERT_EQ(launch(args, stream), ATTN_OK) << message();
  EXPECT_EQ(state->loads, 1);
  EXPECT_STREQ(state->functionName, "causal_forward_sm90a");
  EXPECT_EQ(static_cast<const unsigned char *>(state->loadedImage)[4], 0x90) << "sm_90a bytes";
  EXPECT_EQ(state->dynamicSmemAttribute, 65536) << "above 48 KiB needs the opt-in";
  EXPECT_EQ(state->launches, 1);
  // grid (ceil(Sq / block_m), Hq, B) = (ceil(100 / 128), 8, 2); block (threads)
  expectGrid(1u, 8u, 2u);
  EXPECT_EQ(state->block[0], 128u);
  EXPECT_EQ(state->block[1], 1u);
  EXPECT_EQ(state->block[2], 1u);
  EXPECT_EQ(state->sharedBytes, 65536u);
  EXPECT_EQ(state->stream, reinterpret_cast<CUstream>(stream));

  const attn_forward_params &p = state->params;
  EXPECT_EQ(p.q, args.q.data);
  EXPECT_EQ(p.k, args.k.data);
  EXPECT_EQ(p.v, args.v.data);
  EXPECT_EQ(p.o, args.o.data);
  EXPECT_EQ(p.lse, args.lse.data);
  EXPECT_EQ(p.q_batch_stride, 8 * 100 * 128);
  EXPECT_EQ(p.q_head_stride, 100 * 128);
  EXPECT_EQ(p.q_row_stride, 128);
  EXPECT_EQ(p.k_batch_stride, 2 * 300 * 128);
  EXPECT_EQ(p.k_head_stride, 300 * 128);
  EXPECT_EQ(p.k_row_stride, 128);
  EXPECT_EQ(p.v_head_stride, 300 * 128);
  EXPECT_EQ(p.o_batch_stride, 8 * 100 * 128);
  EXPECT_EQ(p.lse_batch_stride, 8 * 100);
  EXPECT_EQ(p.lse_head_stride, 100);
  EXPECT_EQ(p.batch, 2);
  EXPECT_EQ(p.heads_q, 8);
  EXPECT_EQ(p.heads_kv, 2);
  EXPECT_EQ(p.head_group, 4);
  EXPECT_EQ(p.seqlen_q, 100);
  EXPECT_EQ(p.seqlen_k, 300);
  EXPECT_FLOAT_EQ(p.scale, 1.0f / std::sqrt(128.0f)) << "scale 0 means 1/sqrt(D)";
  EXPECT_FLOAT_EQ(p.scale_log2, p.scale * 1.44269504f);
}

TEST_F(MockDriver, PassesAnExplicitScaleAndANullLse) {
  ForwardArgs args;
  args.scale = 0.5f;
  args.withLse = false;
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->params.scale, 0.5f);
  EXPECT_FLOAT_EQ(state->params.scale_log2, 0.5f * 1.44269504f);
  EXPECT_EQ(state->params.lse, nullptr);
  EXPECT_EQ(state->params.lse_batch_stride, 0);
  EXPECT_EQ(state->params.lse_head_stride, 0);
}

TEST_F(MockDriver, AmpereUsesSm80AndOptsInToItsSharedMemory) {
  state->ccMajor = 8;
  state->ccMinor = 6;
  ForwardArgs args;
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_STREQ(state->functionName, "causal_forward_sm80");
  // 48 KiB of dynamic shared memory plus any static shared memory is over the default limit.
  EXPECT_EQ(state->dynamicSmemAttribute, 49152);
  EXPECT_EQ(state->sharedBytes, 49152u);
}

TEST_F(MockDriver, GridCoversEveryQueryRow) {
  ForwardArgs args;
  for (attn_tensor *t : {&args.q, &args.o, &args.lse}) {
    t->shape[2] = 257;
    int64_t stride = 1;
    for (int i = t->rank - 1; i >= 0; --i) {
      t->strides[i] = stride;
      stride *= t->shape[i];
    }
  }
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->grid[0], 3u); // ceil(257 / 128)
}

TEST_F(MockDriver, StridesOfSizeOneDimensionsReachTheKernelAsZero) {
  ForwardArgs args;
  for (attn_tensor *t : {&args.q, &args.k, &args.v, &args.o, &args.lse})
    t->shape[0] = 1;
  args.q.strides[0] = 3; // never validated: must not reach the kernel
  for (attn_tensor *t : {&args.q, &args.o, &args.lse}) {
    t->shape[2] = 1;
    if (t->rank == 4)
      t->strides[1] = 128; // [1, 8, 1, 128] contiguous
  }
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  const attn_forward_params &p = state->params;
  EXPECT_EQ(p.q_batch_stride, 0);
  EXPECT_EQ(p.q_row_stride, 0);
  EXPECT_EQ(p.q_head_stride, 128);
  EXPECT_EQ(p.k_batch_stride, 0);
  EXPECT_EQ(p.k_row_stride, 128);
  EXPECT_EQ(p.lse_batch_stride, 0);
  EXPECT_EQ(p.lse_head_stride, 100); // as given: heads has size 8
}

TEST_F(MockDriver, NoCurrentContextIsADeviceError) {
  state->context = nullptr;
  ForwardArgs args;
  EXPECT_EQ(launch(args), ATTN_ERROR_DEVICE);
  EXPECT_NE(message().find("no current CUDA context"), std::string::npos) << message();
  EXPECT_EQ(state->launches, 0);
}

TEST_F(MockDriver, HostMemoryIsADeviceError) {
  addAllocation(8 * kGiB, 9 * kGiB, CU_MEMORYTYPE_HOST, 0);
  ForwardArgs args;
  args.k.data = reinterpret_cast<void *>(8 * kGiB);
  EXPECT_EQ(launch(args), ATTN_ERROR_DEVICE);
  EXPECT_EQ(message(), "k: host memory; the kernel needs the tensor on the GPU");
  EXPECT_EQ(state->launches, 0);
}

TEST_F(MockDriver, UnknownMemoryIsADeviceError) {
  ForwardArgs args;
  args.v.data = reinterpret_cast<void *>(20 * kGiB);
  EXPECT_EQ(launch(args), ATTN_ERROR_DEVICE);
  EXPECT_EQ(message().rfind("v: not memory the CUDA driver knows", 0), 0u) << message();
}

TEST_F(MockDriver, MemoryOfAnotherDeviceIsADeviceError) {
  addAllocation(8 * kGiB, 9 * kGiB, CU_MEMORYTYPE_DEVICE, 1);
  ForwardArgs args;
  args.o.data = reinterpret_cast<void *>(8 * kGiB);
  EXPECT_EQ(launch(args), ATTN_ERROR_DEVICE);
  EXPECT_EQ(message().rfind("o: on device 1 but the current context is on device 0", 0), 0u)
      << message();
}

TEST_F(MockDriver, ManagedMemoryOfAnotherDeviceIsAccepted) {
  addAllocation(8 * kGiB, 9 * kGiB, CU_MEMORYTYPE_DEVICE, 1, /*managed=*/true);
  ForwardArgs args;
  args.o.data = reinterpret_cast<void *>(8 * kGiB);
  EXPECT_EQ(launch(args), ATTN_OK) << message();
}

TEST_F(MockDriver, OtherArchitecturesHaveNoKernel) {
  state->ccMajor = 7;
  state->ccMinor = 5;
  ForwardArgs args;
  EXPECT_EQ(launch(args), ATTN_ERROR_NO_KERNEL);
  EXPECT_NE(message().find("compute capability 7.5"), std::string::npos) << message();
  EXPECT_NE(message().find("sm_80, sm_90a"), std::string::npos) << message();
  EXPECT_EQ(state->loads, 0);
}

TEST_F(MockDriver, TooLittleSharedMemoryIsNoKernel) {
  state->optinSmemBytes = 60 * 1024;
  ForwardArgs args;
  EXPECT_EQ(launch(args), ATTN_ERROR_NO_KERNEL);
  EXPECT_NE(message().find("needs 65536 bytes of shared memory"), std::string::npos) << message();
  EXPECT_EQ(state->loads, 0);
}

TEST_F(MockDriver, AnImageTheDeviceCannotRunIsNoKernel) {
  // An sm_80-only library on Hopper: chosen as the fallback, refused by the driver if it is a
  // bare cubin.
  LibraryPtr dense = openFixture("GoodF16None");
  ASSERT_NE(dense, nullptr);
  state->loadResult = CUDA_ERROR_NO_BINARY_FOR_GPU;
  ForwardArgs args;
  for (attn_tensor *t : {&args.q, &args.k, &args.v, &args.o}) {
    t->dtype = ATTN_DTYPE_F16;
    t->shape[3] = 64;
  }
  EXPECT_EQ(attn_forward(dense.get(), &args.q, &args.k, &args.v, &args.o, &args.lse, 0.0f, nullptr),
            ATTN_ERROR_NO_KERNEL);
  EXPECT_NE(message().find("sm_80 image does not load"), std::string::npos) << message();
  EXPECT_NE(message().find("CUDA_ERROR_NO_BINARY_FOR_GPU"), std::string::npos) << message();
}

TEST_F(MockDriver, ALaunchFailureIsACudaErrorNamingTheCall) {
  state->launchResult = CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  ForwardArgs args;
  EXPECT_EQ(launch(args), ATTN_ERROR_CUDA);
  EXPECT_NE(message().find("cuLaunchKernel failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
            std::string::npos)
      << message();
}

TEST_F(MockDriver, LoadsTheModuleOncePerContext) {
  ForwardArgs args;
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->loads, 1);
  EXPECT_EQ(state->launches, 3);

  state->context = reinterpret_cast<CUcontext>(0xC1); // another context
  state->contextId = 2;
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->loads, 2);

  state->contextId = 3; // the same handle, reused by a newer context
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->loads, 3);

  state->context = kContext; // back to the first: still cached
  state->contextId = 1;
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->loads, 3);
}

TEST_F(MockDriver, CloseUnloadsWhatWasLoaded) {
  ForwardArgs args;
  ASSERT_EQ(launch(args), ATTN_OK) << message();
  EXPECT_EQ(state->unloads, 0);
  lib.reset();
  EXPECT_EQ(state->unloads, 1);
}

TEST_F(MockDriver, ConcurrentFirstLaunchesLoadOnce) {
  std::vector<std::thread> threads;
  std::vector<attn_status> statuses(8, ATTN_ERROR_CUDA);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([this, i, &statuses] {
      ForwardArgs args;
      for (int round = 0; round < 50 && (statuses[i] = launch(args)) == ATTN_OK; ++round) {
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (attn_status status : statuses)
    EXPECT_EQ(status, ATTN_OK);
  EXPECT_EQ(state->loads, 1);
  EXPECT_EQ(state->launches, 8 * 50);
}

// The warp-specialised sm_90a kernel (attn/device/sm90/forward.cuh): a 1-d grid of work tiles,
// 128 · (1 + consumer warpgroups) threads, and the TMA tensor maps of Q, K and V as a second
// parameter, encoded by the runtime through the driver at each launch.
TEST_F(MockDriver, HopperLaunchesTheWarpSpecializedKernelWithTensorMaps) {
  LibraryPtr tma = openFixture("Sm90Window");
  ASSERT_NE(tma, nullptr);
  state->kernelTakesTensorMaps = true;
  ForwardArgs args;
  ASSERT_EQ(args.call(tma.get()), ATTN_OK) << message();
  EXPECT_STREQ(state->functionName, "window_forward_sm90a");
  EXPECT_EQ(state->dynamicSmemAttribute, 165888) << "the opt-in to the kernel's shared memory";
  EXPECT_EQ(state->sharedBytes, 165888u);
  // B · Hq · ceil(Sq / block_m) = 2 · 8 · ceil(100 / 128) CTAs, one per work tile.
  expectGrid(16u, 1u, 1u);
  EXPECT_EQ(state->block[0], 384u) << "a producer and two consumer warpgroups";
  EXPECT_EQ(state->smCountQueries, 0) << "only a persistent grid needs the SM count";
  EXPECT_EQ(state->allocs, 0) << "a plain grid needs no workspace";
  EXPECT_EQ(state->params.work_counter, nullptr);
  EXPECT_EQ(state->params.q, args.q.data);
  EXPECT_EQ(state->params.seqlen_k, 300);

  // Q, K, V and O as [D, S, H, B] with byte strides of S, H, B and boxes of [64, tile rows];
  // O's box is a consumer warpgroup's 64 rows (the TMA epilogue's copy).
  ASSERT_EQ(state->encodes, 4);
  const struct {
    const attn_tensor &tensor;
    cuuint64_t rows, heads;
    cuuint32_t boxRows;
  } expected[] = {{args.q, 100, 8, 128}, {args.k, 300, 2, 128}, {args.v, 300, 2, 128},
                  {args.o, 100, 8, 64}};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("tensor map " + std::to_string(i));
    const MockTensorMapEncode &call = state->encoded[i];
    EXPECT_EQ(call.dtype, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16);
    EXPECT_EQ(call.rank, 4u);
    EXPECT_EQ(call.address, expected[i].tensor.data);
    EXPECT_EQ(call.dims[0], 128u);
    EXPECT_EQ(call.dims[1], expected[i].rows);
    EXPECT_EQ(call.dims[2], expected[i].heads);
    EXPECT_EQ(call.dims[3], 2u);
    EXPECT_EQ(call.strides[0], cuuint64_t(expected[i].tensor.strides[2] * 2));
    EXPECT_EQ(call.strides[1], cuuint64_t(expected[i].tensor.strides[1] * 2));
    EXPECT_EQ(call.strides[2], cuuint64_t(expected[i].tensor.strides[0] * 2));
    EXPECT_EQ(call.box[0], 64u);
    EXPECT_EQ(call.box[1], expected[i].boxRows);
    EXPECT_EQ(call.box[2], 1u);
    EXPECT_EQ(call.swizzle, CU_TENSOR_MAP_SWIZZLE_128B);
  }
  // The second parameter holds the four maps, in order (the mock numbers them 1 to 4).
  EXPECT_EQ(state->maps.q.opaque[0], 1u);
  EXPECT_EQ(state->maps.k.opaque[0], 2u);
  EXPECT_EQ(state->maps.v.opaque[0], 3u);
  EXPECT_EQ(state->maps.o.opaque[0], 4u);
}

// A dynamic kernel (attn/device/sm90/scheduler.cuh, CounterDeal): a persistent grid whose CTAs
// take work tiles from params.work_counter, which the runtime allocates and zeroes on the
// launch's stream before the kernel and frees there after it.
TEST_F(MockDriver, DynamicGridZeroesItsWorkCounterOnTheStreamBeforeTheLaunch) {
  LibraryPtr causal = openFixture("Sm90Causal");
  ASSERT_NE(causal, nullptr);
  // 2 · 8 · ceil(4096 / 128) = 512 work tiles over 132 SMs.
  const ForwardArgs args(ATTN_DTYPE_BF16, 128, 4096, 4096);
  CUstream stream = reinterpret_cast<CUstream>(0x5);
  ASSERT_EQ(attn_forward(causal.get(), &args.q, &args.k, &args.v, &args.o, &args.lse, args.scale,
                         stream),
            ATTN_OK)
      << message();
  EXPECT_STREQ(state->functionName, "causal_forward_sm90a");
  EXPECT_EQ(state->grid[0], 132u);
  EXPECT_EQ(state->smCountQueries, 1);
  ASSERT_EQ(state->allocs, 1);
  EXPECT_EQ(state->allocBytes, 8u) << "one 64-bit counter";
  ASSERT_EQ(state->memsets, 1);
  EXPECT_EQ(state->memsetAddress, state->allocated);
  EXPECT_EQ(state->memsetValue, 0u);
  EXPECT_EQ(state->memsetWords, 2u);
  EXPECT_EQ(state->memsetStream, stream);
  EXPECT_EQ(reinterpret_cast<CUdeviceptr>(state->params.work_counter), state->allocated);
  EXPECT_EQ(state->stream, stream);
  EXPECT_LT(state->lastAllocEvent, state->lastMemsetEvent);
  EXPECT_LT(state->lastMemsetEvent, state->lastLaunchEvent);
  EXPECT_LT(state->lastLaunchEvent, state->lastFreeEvent);
  EXPECT_EQ(state->frees, 1);
  EXPECT_EQ(state->freed, state->allocated);

  // Each call has its own counter, zeroed again.
  ASSERT_EQ(args.call(causal.get()), ATTN_OK) << message();
  EXPECT_EQ(state->allocs, 2);
  EXPECT_EQ(state->memsets, 2);
  EXPECT_EQ(state->frees, 2);
}

// A kernel whose kv tiles a run-time scan finds (attn/device/kv_plan.h): its kv plan kernel runs
// first on the stream, a CTA of 128 threads per (q tile, head, batch row), into the workspace,
// before the work counter; both kernels get the plan's address.
TEST_F(MockDriver, PlannedKernelRunsItsKvPlanFirst) {
  LibraryPtr planned = openFixture("Sm90Planned");
  ASSERT_NE(planned, nullptr);
  state->kernelTakesTensorMaps = true;
  const ForwardArgs args; // B = 2, Hq = 8, Sq = 100, Skv = 300
  CUstream stream = reinterpret_cast<CUstream>(0x7);
  ASSERT_EQ(attn_forward(planned.get(), &args.q, &args.k, &args.v, &args.o, &args.lse, args.scale,
                         stream),
            ATTN_OK)
      << message();
  ASSERT_EQ(state->launches, 2);
  const MockLaunch &plan = state->launchLog[0], &forward = state->launchLog[1];
  EXPECT_STREQ(plan.function, "planned_forward_sm90a_kv_plan");
  EXPECT_EQ(plan.grid[0], 1u) << "ceil(100 / 128) q tiles";
  EXPECT_EQ(plan.grid[1], 8u) << "an entry per head: the mask reads h";
  EXPECT_EQ(plan.grid[2], 2u);
  EXPECT_EQ(plan.block[0], 128u);
  EXPECT_STREQ(forward.function, "planned_forward_sm90a");
  EXPECT_EQ(forward.grid[0], 16u) << "2 x 8 work tiles, fewer than the SMs";
  // Entries of 4 + 2 x ceil(3 kv tiles / 32) words for 2 x 8 x 1 (b, h, q tile), then the counter.
  constexpr size_t kPlanBytes = 2 * 8 * 1 * (4 + 2 * 1) * 4;
  ASSERT_EQ(state->allocs, 1);
  EXPECT_EQ(state->allocBytes, kPlanBytes + 8);
  for (const MockLaunch *launch : {&plan, &forward})
    EXPECT_EQ(reinterpret_cast<CUdeviceptr>(launch->params.kv_plan), state->allocated);
  EXPECT_EQ(reinterpret_cast<CUdeviceptr>(forward.params.work_counter),
            state->allocated + kPlanBytes);
  EXPECT_EQ(state->memsetAddress, state->allocated + kPlanBytes);
  EXPECT_LT(state->lastAllocEvent, plan.event);
  EXPECT_LT(plan.event, forward.event);
  EXPECT_LT(forward.event, state->lastFreeEvent);
  EXPECT_EQ(state->stream, stream);
}

TEST_F(MockDriver, AWorkCounterTheDriverCannotZeroStopsTheLaunch) {
  LibraryPtr causal = openFixture("Sm90Causal");
  ASSERT_NE(causal, nullptr);
  state->memsetResult = CUDA_ERROR_INVALID_VALUE;
  expectCudaErrorBeforeLaunch(causal.get(),
                              "cuMemsetD32Async (work counter) failed: CUDA_ERROR_INVALID_VALUE");
  EXPECT_EQ(state->frees, state->allocs) << "the workspace is not leaked";
}

TEST_F(MockDriver, AmpereRunsTheMmaSyncKernelOfTheSameLibrary) {
  LibraryPtr tma = openFixture("Sm90Causal");
  ASSERT_NE(tma, nullptr);
  state->ccMajor = 8;
  ForwardArgs args;
  ASSERT_EQ(args.call(tma.get()), ATTN_OK) << message();
  EXPECT_STREQ(state->functionName, "causal_forward_sm80");
  EXPECT_EQ(state->encodes, 0);
  expectGrid(1u, 8u, 2u);
  EXPECT_EQ(state->block[0], 128u);
}

// A kernel that tiles a token grid in N-d, on sm_80: one CTA per q box of the grid, not per
// block_m tokens. 21x37 tokens in 8x16 boxes are ceil(21 / 8) · ceil(37 / 16) = 3 · 3 = 9 q
// tiles (the sequence would take ceil(777 / 128) = 7), launched as (9, Hq, B) like any mma.sync
// kernel, with no tensor maps.
TEST_F(MockDriver, AmpereGridKernelLaunchesOneCtaPerQBox) {
  LibraryPtr grid = openFixture("Sm80Grid");
  ASSERT_NE(grid, nullptr);
  state->ccMajor = 8;
  const ForwardArgs args(ATTN_DTYPE_BF16, 128, 21 * 37, 21 * 37);
  ASSERT_EQ(args.call(grid.get()), ATTN_OK) << message();
  EXPECT_STREQ(state->functionName, "grid_forward_sm80");
  EXPECT_EQ(state->encodes, 0);
  expectGrid(9u, 8u, 2u);
  EXPECT_EQ(state->block[0], 128u);
}

// f16, D = 64, contiguous [B, H, S, D] tensors in the device memory SetUp made.
ForwardArgs f16D64Args(int64_t seqlen) { return ForwardArgs(ATTN_DTYPE_F16, 64, seqlen, seqlen); }

TEST_F(MockDriver, PersistentGridHasOneCtaPerMultiprocessor) {
  LibraryPtr dense = openFixture("Sm90Dense");
  ASSERT_NE(dense, nullptr);
  // 2 · 8 · ceil(4096 / 128) = 512 work tiles over 132 SMs.
  ForwardArgs args = f16D64Args(4096);
  ASSERT_EQ(args.call(dense.get()), ATTN_OK) << message();
  EXPECT_EQ(state->grid[0], 132u);
  EXPECT_EQ(state->grid[1], 1u);
  EXPECT_EQ(state->block[0], 384u);
  EXPECT_EQ(state->sharedBytes, 165888u);
  EXPECT_EQ(state->allocs, 0) << "a fixed deal needs no work counter";
  ASSERT_EQ(state->encodes, 4);
  EXPECT_EQ(state->encoded[0].dtype, CU_TENSOR_MAP_DATA_TYPE_FLOAT16);
  EXPECT_EQ(state->encoded[0].dims[0], 64u);
  EXPECT_EQ(state->encoded[0].box[1], 128u) << "Q: block_m rows";
  EXPECT_EQ(state->encoded[1].box[1], 192u) << "K: block_n rows";
  EXPECT_EQ(state->encoded[2].box[1], 192u) << "V: block_n rows";
  EXPECT_EQ(state->encoded[3].box[1], 64u) << "O: a consumer warpgroup's rows";

  // Fewer work tiles than SMs: one CTA each. The SM count is asked once per context.
  args = f16D64Args(100);
  ASSERT_EQ(args.call(dense.get()), ATTN_OK) << message();
  EXPECT_EQ(state->grid[0], 16u);
  EXPECT_EQ(state->smCountQueries, 1);
  state->context = reinterpret_cast<CUcontext>(0xC1);
  state->contextId = 2;
  state->smCount = 114;
  args = f16D64Args(4096);
  ASSERT_EQ(args.call(dense.get()), ATTN_OK) << message();
  EXPECT_EQ(state->grid[0], 114u);
  EXPECT_EQ(state->smCountQueries, 2);
}

// Queries shorter than a tile with GQA (decoding): a library with a kernel over packed heads
// gets that one launched, with the q heads of each kv head in one tile's rows
// (attn_forward_params::pack_heads), so a work tile is a (q tile, kv head, batch) triple and Q's
// map is [D, group, S, Hkv, B] with a box of [64, group, block_m / group].
TEST_F(MockDriver, ShortQueriesPackTheHeadsOfAGroupIntoOneTile) {
  LibraryPtr dense = openFixture("Sm90Dense");
  ASSERT_NE(dense, nullptr);
  const ForwardArgs args(ATTN_DTYPE_F16, 64, /*seqlenQ=*/1, /*seqlenK=*/4096);
  ASSERT_EQ(args.call(dense.get()), ATTN_OK) << message();
  EXPECT_STREQ(state->functionName, "dense_forward_sm90a_packed");
  EXPECT_EQ(state->dynamicSmemAttribute, 165888) << "both kernels opted in";
  EXPECT_EQ(state->params.pack_heads, 1);
  EXPECT_EQ(state->grid[0], 4u) << "B 2 x Hkv 2 x one tile of 4 rows, not 2 x 8 tiles";
  ASSERT_EQ(state->encodes, 4);
  const MockTensorMapEncode &q = state->encoded[0];
  EXPECT_EQ(q.rank, 5u);
  EXPECT_EQ(q.address, args.q.data);
  const cuuint64_t dims[5] = {64, 4, 1, 2, 2};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(q.dims[i], dims[i]) << "dim " << i;
  // Q is [B, Hq, S, D] by strides: the group's heads, then S, then the kv heads, then B.
  EXPECT_EQ(q.strides[0], cuuint64_t(args.q.strides[1] * 2));
  EXPECT_EQ(q.strides[1], 16u) << "S has one query: the stride is never used";
  EXPECT_EQ(q.strides[2], cuuint64_t(args.q.strides[1] * 2 * 4));
  EXPECT_EQ(q.strides[3], cuuint64_t(args.q.strides[0] * 2));
  const cuuint32_t box[5] = {64, 4, 32, 1, 1};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(q.box[i], box[i]) << "box " << i;
  EXPECT_EQ(state->encoded[1].rank, 4u) << "K and V are not packed";

  // A tile's worth of queries, or packing that saves no tile: one head per tile.
  for (int64_t seqlen : {128, 100}) {
    SCOPED_TRACE(seqlen);
    ASSERT_EQ(ForwardArgs(ATTN_DTYPE_F16, 64, seqlen, 4096).call(dense.get()), ATTN_OK)
        << message();
    EXPECT_STREQ(state->functionName, "dense_forward_sm90a");
    EXPECT_EQ(state->params.pack_heads, 0);
    EXPECT_EQ(state->grid[0], 16u);
    EXPECT_EQ(state->encoded[0].rank, 4u);
  }
}

TEST_F(MockDriver, AKernelThatCannotPackHeadsKeepsOneHeadPerTile) {
  LibraryPtr window = openFixture("Sm90Window");
  ASSERT_NE(window, nullptr);
  state->kernelTakesTensorMaps = true;
  ASSERT_EQ(ForwardArgs(ATTN_DTYPE_BF16, 128, 1, 300).call(window.get()), ATTN_OK) << message();
  EXPECT_EQ(state->params.pack_heads, 0);
  expectGrid(16u, 1u, 1u);
}

TEST_F(MockDriver, ATensorMapTheDriverRefusesIsACudaError) {
  LibraryPtr tma = openFixture("Sm90Causal");
  ASSERT_NE(tma, nullptr);
  state->encodeResult = CUDA_ERROR_INVALID_VALUE;
  expectCudaErrorBeforeLaunch(tma.get(), "cuTensorMapEncodeTiled failed: CUDA_ERROR_INVALID_VALUE");
}

TEST_F(MockDriver, ValidationStillComesFirst) {
  ForwardArgs args;
  args.q.shape[3] = 64;
  EXPECT_EQ(launch(args), ATTN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(state->loads, 0);
  EXPECT_EQ(state->launches, 0);
}

} // namespace
} // namespace attn::test
