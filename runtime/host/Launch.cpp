#include "Launch.h"
#include "LaunchWorkspace.h"

#include <algorithm>
#include <limits>

#include "ArchSelect.h"
#include "Driver.h"
#include "Error.h"
#include "TensorMaps.h"

namespace attn::runtime {

namespace {

constexpr const char *kForwardMode = "forward";

// The current context and its device, or ATTN_ERROR_DEVICE.
attn_status currentContext(const DriverApi &api, CUcontext &context, CUdevice &device) {
  if (attn_status status = checkCuda(api, api.ctxGetCurrent(&context), "cuCtxGetCurrent");
      status != ATTN_OK)
    return status;
  if (context == nullptr)
    return fail(ATTN_ERROR_DEVICE, "no current CUDA context; make one current, e.g. by touching "
                                   "the device from your framework (in PyTorch, any CUDA "
                                   "operation on this thread; in C, cudaFree(0), or "
                                   "cuDevicePrimaryCtxRetain and cuCtxSetCurrent)");
  return checkCuda(api, api.ctxGetDevice(&device), "cuCtxGetDevice");
}

// The tensor must be device memory (not host memory, pinned or not) of the context's device.
attn_status checkDevicePointer(const DriverApi &api, const char *name, const void *data,
                               CUdevice device) {
  auto pointer = reinterpret_cast<CUdeviceptr>(data);
  unsigned int memoryType = 0;
  CUresult result = api.pointerGetAttribute(&memoryType, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, pointer);
  if (result != CUDA_SUCCESS)
    return fail(ATTN_ERROR_DEVICE, concat(name, ": not memory the CUDA driver knows (",
                                          describeResult(api, result),
                                          "); is it a CPU tensor?"));
  if (memoryType == CU_MEMORYTYPE_HOST)
    return fail(ATTN_ERROR_DEVICE,
                concat(name, ": host memory; the kernel needs the tensor on the GPU"));
  int ordinal = -1;
  result = api.pointerGetAttribute(&ordinal, CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, pointer);
  if (result != CUDA_SUCCESS)
    return fail(ATTN_ERROR_DEVICE, concat(name, ": cannot tell which device holds it (",
                                          describeResult(api, result), ")"));
  if (ordinal == static_cast<int>(device))
    return ATTN_OK;
  // Managed memory migrates on demand, so it is usable from any device.
  unsigned int managed = 0;
  if (api.pointerGetAttribute(&managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, pointer) ==
          CUDA_SUCCESS &&
      managed != 0)
    return ATTN_OK;
  return fail(ATTN_ERROR_DEVICE,
              concat(name, ": on device ", ordinal, " but the current context is on device ",
                     static_cast<int>(device), "; make the tensors' device current"));
}

attn_status checkDevicePointers(const DriverApi &api, const attn_forward_params &params,
                                CUdevice device) {
  const std::pair<const char *, const void *> tensors[] = {
      {"q", params.q}, {"k", params.k}, {"v", params.v}, {"o", params.o}, {"lse", params.lse}};
  for (auto [name, data] : tensors) {
    if (data == nullptr) // only lse may be null, and validation checked that
      continue;
    if (attn_status status = checkDevicePointer(api, name, data, device); status != ATTN_OK)
      return status;
  }
  for (const attn_runtime_tensor &tensor : params.tensors) {
    if (tensor.data == nullptr) // an unused slot
      continue;
    if (attn_status status = checkDevicePointer(api, "a runtime tensor", tensor.data, device);
        status != ATTN_OK)
      return status;
  }
  return ATTN_OK;
}

attn_status deviceAttribute(const DriverApi &api, CUdevice device, CUdevice_attribute attribute,
                            const char *what, int &value) {
  return checkCuda(api, api.deviceGetAttribute(&value, attribute, device), what);
}

// Loads the image of `kernel` into the current context and opts the function into its shared
// memory. A cubin of another major version fails to load with NO_BINARY_FOR_GPU: that is a
// missing kernel for this device, not a driver fault.
attn_status loadKernel(const DriverApi &api, const attn_library &lib, const ManifestKernel &kernel,
                       int major, int minor, LoadedKernel &out) {
  const attn_kernel_image *image = findImage(*lib.descriptor, kernel.arch);
  CUmodule module = nullptr;
  CUresult result = api.moduleLoadData(&module, image->data);
  if (result == CUDA_ERROR_NO_BINARY_FOR_GPU || result == CUDA_ERROR_INVALID_PTX ||
      result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION || result == CUDA_ERROR_INVALID_IMAGE)
    return fail(ATTN_ERROR_NO_KERNEL,
                concat(lib.path, ": the ", kernel.arch, " image does not load on this device of "
                                 "compute capability ", major, ".", minor, " (",
                       describeResult(api, result), "); a cubin runs only on its own major "
                                                    "version: build the library for this arch"));
  if (attn_status status = checkCuda(api, result, "cuModuleLoadData"); status != ATTN_OK)
    return status;

  CUfunction function = nullptr;
  result = api.moduleGetFunction(&function, module, kernel.symbol.c_str());
  CUfunction summaryFunction = nullptr, kvPlanFunction = nullptr, packedHeadsFunction = nullptr;
  if (result == CUDA_SUCCESS && !kernel.plan.summary.symbol.empty())
    result = api.moduleGetFunction(&summaryFunction, module, kernel.plan.summary.symbol.c_str());
  if (result == CUDA_SUCCESS && !kernel.plan.kvTiles.symbol.empty())
    result = api.moduleGetFunction(&kvPlanFunction, module, kernel.plan.kvTiles.symbol.c_str());
  if (result == CUDA_SUCCESS && !kernel.packedHeadsSymbol.empty())
    result = api.moduleGetFunction(&packedHeadsFunction, module, kernel.packedHeadsSymbol.c_str());
  // Dynamic plus static shared memory above 48 KiB needs an opt-in per function, and kernels
  // have static shared memory of their own (the kv-tile scan's reductions): always opt in.
  for (CUfunction forward : {function, packedHeadsFunction})
    if (result == CUDA_SUCCESS && forward != nullptr && kernel.smemBytes > 0)
      result = api.funcSetAttribute(forward, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                    kernel.smemBytes);
  if (result != CUDA_SUCCESS) {
    api.moduleUnload(module);
    return fail(ATTN_ERROR_CUDA, concat("loading ", kernel.symbol, " from the ", kernel.arch,
                                        " image of ", lib.path, " failed: ",
                                        describeResult(api, result)));
  }
  out.kernel = &kernel;
  out.module = module;
  out.function = function;
  out.summaryFunction = summaryFunction;
  out.kvPlanFunction = kvPlanFunction;
  out.packedHeadsFunction = packedHeadsFunction;
  return ATTN_OK;
}

// The kernel of this library in the current context: found in the cache, or chosen for the
// device and loaded. Serialized per library: two threads must not both load the module. `out` is
// a copy, as the cache may grow (and move) once the lock is released.
attn_status readyKernel(const DriverApi &api, attn_library &lib, CUcontext context,
                        CUdevice device, LoadedKernel &out) {
  unsigned long long contextId = 0;
  if (api.ctxGetId != nullptr)
    if (attn_status status = checkCuda(api, api.ctxGetId(context, &contextId), "cuCtxGetId");
        status != ATTN_OK)
      return status;

  std::lock_guard<std::mutex> lock(lib.mutex);
  for (const LoadedKernel &loaded : lib.loaded) {
    if (loaded.context == context && loaded.contextId == contextId) {
      out = loaded;
      return ATTN_OK;
    }
  }
  int major = 0, minor = 0, optinSmem = 0;
  if (attn_status status =
          deviceAttribute(api, device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                          "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)", major);
      status != ATTN_OK)
    return status;
  if (attn_status status =
          deviceAttribute(api, device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                          "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)", minor);
      status != ATTN_OK)
    return status;
  if (attn_status status =
          deviceAttribute(api, device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                          "cuDeviceGetAttribute(MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)", optinSmem);
      status != ATTN_OK)
    return status;

  const ManifestKernel *kernel = selectKernel(lib.manifest.kernels, kForwardMode, major, minor);
  if (kernel == nullptr)
    return fail(ATTN_ERROR_NO_KERNEL,
                concat(lib.path, ": no forward kernel for this device of compute capability ",
                       major, ".", minor, "; the library has ",
                       listArchs(lib.manifest.kernels, kForwardMode)));
  if (kernel->smemBytes > optinSmem)
    return fail(ATTN_ERROR_NO_KERNEL,
                concat(lib.path, ": the ", kernel->arch, " kernel needs ", kernel->smemBytes,
                       " bytes of shared memory per block; this device allows ", optinSmem));

  LoadedKernel loaded;
  loaded.context = context;
  loaded.contextId = contextId;
  // A persistent grid has one CTA per multiprocessor.
  if (onePerMultiprocessor(kernel->grid))
    if (attn_status status =
            deviceAttribute(api, device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                            "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)", loaded.smCount);
        status != ATTN_OK)
      return status;
  if (attn_status status = loadKernel(api, lib, *kernel, major, minor, loaded); status != ATTN_OK)
    return status;
  lib.loaded.push_back(loaded);
  out = loaded;
  return ATTN_OK;
}

struct Grid {
  unsigned x, y, z;
};

// The q tiles of a kernel that tiles the sequence: block_m rows each, the rows being queries,
// or with packed heads (query, head of the group) pairs (attn/device/geometry.h).
int64_t sequenceQTiles(const ManifestKernel &kernel, const attn_forward_params &params,
                       bool packed) {
  const int64_t rows = static_cast<int64_t>(params.seqlen_q) * (packed ? params.head_group : 1);
  return (rows + kernel.blockM - 1) / kernel.blockM;
}

// Whether the launch packs the q heads of each kv head's group into the rows of one q tile
// (attn_forward_params::pack_heads): for queries shorter than a tile, such as decoding, where a
// tile of one head would be mostly empty rows and each head would read the group's K and V again.
// Only where the library has the kernel over packed heads (its hooks do not read the head), the
// group divides a tile, and packing takes fewer work tiles.
bool packsHeads(const LoadedKernel &ready, const attn_forward_params &params) {
  const ManifestKernel &kernel = *ready.kernel;
  const int64_t group = params.head_group;
  if (ready.packedHeadsFunction == nullptr || !kernel.tensorMaps || !kernel.qBox.empty() ||
      group <= 1 || kernel.blockM % group != 0 || params.seqlen_q >= kernel.blockM)
    return false;
  return params.heads_kv * sequenceQTiles(kernel, params, /*packed=*/true) < params.heads_q;
}

// The grid `kernel` is launched with for `params` (the manifest's "grid"). The work tiles of a
// warp-specialised kernel are its (q tile, head or packed kv head, batch) triples, numbered by
// its scheduler (attn/device/sm90/scheduler.cuh) and dealt to the CTAs round by round, so any
// grid size runs them all: one CTA per tile, or one per multiprocessor for a persistent kernel.
attn_status gridOf(const attn_forward_params &params, const LoadedKernel &ready, Grid &grid) {
  const ManifestKernel &kernel = *ready.kernel;
  // Sequence tiles, or boxes of a token grid tiled in N-d.
  const int64_t qTiles = kernel.qBox.empty()
                             ? sequenceQTiles(kernel, params, params.pack_heads != 0)
                             : kernel.gridQTiles;
  const int64_t heads = params.pack_heads ? params.heads_kv : params.heads_q;
  if (kernel.grid == LaunchGrid::QTileHeadBatch) {
    grid = {static_cast<unsigned>(qTiles), static_cast<unsigned>(params.heads_q),
            static_cast<unsigned>(params.batch)};
    return ATTN_OK;
  }
  int64_t ctas = qTiles * heads * params.batch;
  if (onePerMultiprocessor(kernel.grid))
    ctas = std::min<int64_t>(ctas, ready.smCount);
  constexpr int64_t kMaxGridX = std::numeric_limits<int32_t>::max();
  if (ctas > kMaxGridX)
    return fail(ATTN_ERROR_INVALID_ARGUMENT,
                concat("q: ", ctas, " work tiles of ", kernel.blockM, " rows (batch ",
                       params.batch, " x heads ", heads, " x ", qTiles,
                       " q tiles) exceed the ", kMaxGridX, " CTAs of one launch"));
  grid = {static_cast<unsigned>(ctas), 1, 1};
  return ATTN_OK;
}

// The Q, K and V tensor maps of a warp-specialised kernel: [D, S, H, B] views of the tensors
// with the kernel's tile rows as the box (TensorMaps.h).
attn_status encodeTensorMaps(const DriverApi &api, const attn_library &lib,
                             const ManifestKernel &kernel, const attn_forward_params &params,
                             attn_forward_tensor_maps &maps) {
  if (api.tensorMapEncodeTiled == nullptr)
    return fail(ATTN_ERROR_DEVICE,
                concat(lib.path, ": the ", kernel.arch, " kernel takes TMA tensor maps, and this "
                                 "CUDA driver has no cuTensorMapEncodeTiled; a driver for CUDA "
                                 "12.0 or newer is needed"));
  const ForwardTileShape shape{lib.manifest.headDim, kernel.blockM, kernel.blockN,
                               lib.manifest.tokenGrid, kernel.qBox, kernel.kvBox};
  return checkCuda(api,
                   encodeForwardTensorMaps(api.tensorMapEncodeTiled, params, lib.manifest.dtype,
                                           shape, &maps),
                   "cuTensorMapEncodeTiled");
}

} // namespace

attn_status launchForward(attn_library &lib, const attn_forward_params &params, void *stream) {
  const DriverApi *api = nullptr;
  if (attn_status status = loadDriver(&api); status != ATTN_OK)
    return status;
  CUcontext context = nullptr;
  CUdevice device = 0;
  if (attn_status status = currentContext(*api, context, device); status != ATTN_OK)
    return status;
  if (attn_status status = checkDevicePointers(*api, params, device); status != ATTN_OK)
    return status;
  LoadedKernel ready;
  if (attn_status status = readyKernel(*api, lib, context, device, ready); status != ATTN_OK)
    return status;

  const ManifestKernel &kernel = *ready.kernel;
  // The kernel takes its parameters by value; the driver copies them out of `args` at launch,
  // as many as the kernel declares (a kernel without tensor maps reads only the first).
  attn_forward_params copy = params;
  copy.pack_heads = packsHeads(ready, params) ? 1 : 0;
  Grid grid{};
  if (attn_status status = gridOf(copy, ready, grid); status != ATTN_OK)
    return status;
  attn_forward_tensor_maps maps; // 64-byte aligned, as the copy engine reads it
  if (kernel.tensorMaps)
    if (attn_status status = encodeTensorMaps(*api, lib, kernel, copy, maps); status != ATTN_OK)
      return status;
  // The plan's summaries and the work counter, ready on the stream before the kernel reads them.
  LaunchWorkspace workspace;
  if (attn_status status =
          prepareWorkspace(*api, ready, copy, static_cast<CUstream>(stream), workspace);
      status != ATTN_OK)
    return status;
  void *args[] = {&copy, &maps};
  attn_status launched =
      checkCuda(*api,
                api->launchKernel(copy.pack_heads ? ready.packedHeadsFunction : ready.function,
                                  grid.x, grid.y, grid.z,
                                  static_cast<unsigned>(kernel.threads), 1, 1,
                                  static_cast<unsigned>(kernel.smemBytes),
                                  static_cast<CUstream>(stream), args, nullptr),
                "cuLaunchKernel");
  attn_status freed = releaseWorkspace(*api, workspace, static_cast<CUstream>(stream));
  return launched != ATTN_OK ? launched : freed;
}

} // namespace attn::runtime
