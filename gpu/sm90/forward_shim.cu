// Test and benchmark shim: the sm_90a forward kernel for a few hand-written variants, behind
// extern "C" launchers that gpu/sm90/check.py calls through ctypes.
//
//   int attn_sm90_num_kernels(void);
//   const char *attn_sm90_kernel_name(int i);           // "causal_bf16_d128", ...
//   int attn_sm90_forward(const char *name, const attn_forward_params *p, int persistent,
//                         void *stream);                  // 0 or -1 (see attn_sm90_last_error)
//   const char *attn_sm90_last_error(void);
//   int attn_sm90_params_bytes(void);                      // sizeof(attn_forward_params)
#include <cuda.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "TensorMaps.h"
#include "attn/device/sm90/forward.cuh"
#include "variants.cuh"

namespace {

namespace sm90 = attn::device::sm90;
using namespace attn_sm90_test;

template <class E, int D, int BM, int BN, int Stages, class Sched>
struct Traits {
  using Element = E;
  static constexpr int kHeadDim = D;
  static constexpr int kBlockM = BM;
  static constexpr int kBlockN = BN;
  static constexpr int kStages = Stages;
  using Schedule = Sched;
};

template <class T, class V>
__global__ void __launch_bounds__(sm90::ForwardShape<T>::kThreads, 1)
    forward_kernel(const __grid_constant__ attn_forward_params p,
                   const __grid_constant__ attn_forward_tensor_maps maps) {
  sm90::forward<T, V>(p, maps);
}

std::string g_error;

template <class E>
constexpr attn_dtype dtype_of() {
  return std::is_same_v<E, __half> ? ATTN_DTYPE_F16 : ATTN_DTYPE_BF16;
}

template <class T, class V>
int launch(const attn_forward_params &p, int persistent, cudaStream_t stream) {
  using Shape = sm90::ForwardShape<T>;
  attn_forward_tensor_maps maps;
  const CUresult enc = attn::runtime::encodeForwardTensorMaps(
      &cuTensorMapEncodeTiled, p, dtype_of<typename T::Element>(), {T::kHeadDim, T::kBlockM, T::kBlockN}, &maps);
  if (enc != CUDA_SUCCESS) {
    g_error = "cuTensorMapEncodeTiled failed: " + std::to_string(int(enc));
    return -1;
  }
  const int smem = sm90::forward_smem_bytes<T>();
  auto kernel = forward_kernel<T, V>;
  cudaError_t err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  int device = 0, sms = 0;
  if (err == cudaSuccess) err = cudaGetDevice(&device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  if (err != cudaSuccess) {
    g_error = std::string("setup: ") + cudaGetErrorString(err);
    return -1;
  }
  const int64_t tiles = sm90::TileNumbering<typename sm90::ForwardShape<T>::Geometry, T::kHeadDim>::num_tiles(p);
  const int64_t grid = persistent ? (tiles < sms ? tiles : sms) : tiles;
  if (grid <= 0) return 0;
  kernel<<<dim3(unsigned(grid)), dim3(Shape::kThreads), smem, stream>>>(p, maps);
  err = cudaGetLastError();
  if (err != cudaSuccess) {
    g_error = std::string("launch: ") + cudaGetErrorString(err);
    return -1;
  }
  return 0;
}

using LaunchFn = int (*)(const attn_forward_params &, int, cudaStream_t);
struct Entry {
  const char *name;
  LaunchFn fn;
};

using Overlap = sm90::OverlapSchedule;
using Serial = sm90::SerialSchedule;
using bf16 = __nv_bfloat16;
using f16 = __half;

// Tiles: 128 q rows (two consumer warpgroups) × 128 kv rows; d64 affords 3 stages.
template <class E, class Sched = Overlap>
using D128 = Traits<E, 128, 128, 128, 2, Sched>;
template <class E, class Sched = Overlap>
using D64 = Traits<E, 64, 128, 128, 3, Sched>;

const Entry kEntries[] = {
    {"dense_bf16_d128", launch<D128<bf16>, Dense<128, 128>>},
    {"causal_bf16_d128", launch<D128<bf16>, Causal<128, 128>>},
    {"dense_f16_d128", launch<D128<f16>, Dense<128, 128>>},
    {"causal_f16_d128", launch<D128<f16>, Causal<128, 128>>},
    {"dense_bf16_d64", launch<D64<bf16>, Dense<128, 128>>},
    {"causal_bf16_d64", launch<D64<bf16>, Causal<128, 128>>},
    {"dense_f16_d64", launch<D64<f16>, Dense<128, 128>>},
    {"causal_f16_d64", launch<D64<f16>, Causal<128, 128>>},
    {"window_bf16_d128", launch<D128<bf16>, Window<128, 128>>},
    {"window_f16_d64", launch<D64<f16>, Window<128, 128>>},
    {"softcap_bf16_d128", launch<D128<bf16>, Softcap<128, 128>>},
    {"softcap_f16_d64", launch<D64<f16>, Softcap<128, 128>>},
    // Wider kv tiles at d64: fewer softmax passes per FLOP (128 × 176 at d128 measured slower).
    {"n192_dense_f16_d64", launch<Traits<f16, 64, 128, 192, 3, Overlap>, Dense<128, 192>>},
    {"n192_causal_f16_d64", launch<Traits<f16, 64, 128, 192, 3, Overlap>, Causal<128, 192>>},
    // Three consumer warpgroups (192 q rows) at d64, as FlashAttention-3 does.
    {"m192_dense_f16_d64", launch<Traits<f16, 64, 192, 128, 3, Overlap>, Dense<192, 128>>},
    {"m192_causal_f16_d64", launch<Traits<f16, 64, 192, 128, 3, Overlap>, Causal<192, 128>>},
    // d256: 128 × 80 tiles, 2 stages (64 KB Q + 4 · 40 KB K/V).
    {"dense_bf16_d256", launch<Traits<bf16, 256, 128, 80, 2, Overlap>, Dense<128, 80>>},
    {"causal_bf16_d256", launch<Traits<bf16, 256, 128, 80, 2, Overlap>, Causal<128, 80>>},
    {"softcap_f16_d256", launch<Traits<f16, 256, 128, 80, 2, Overlap>, Softcap<128, 80>>},
    {"serial_dense_bf16_d128", launch<D128<bf16, Serial>, Dense<128, 128>>},
    {"serial_causal_bf16_d128", launch<D128<bf16, Serial>, Causal<128, 128>>},
};

}  // namespace

extern "C" {

int attn_sm90_num_kernels(void) { return int(sizeof(kEntries) / sizeof(kEntries[0])); }
const char *attn_sm90_kernel_name(int i) { return i >= 0 && i < attn_sm90_num_kernels() ? kEntries[i].name : nullptr; }
const char *attn_sm90_last_error(void) { return g_error.c_str(); }
int attn_sm90_params_bytes(void) { return int(sizeof(attn_forward_params)); }

int attn_sm90_forward(const char *name, const attn_forward_params *p, int persistent, void *stream) {
  for (const Entry &e : kEntries)
    if (std::strcmp(e.name, name) == 0) return e.fn(*p, persistent, static_cast<cudaStream_t>(stream));
  g_error = std::string("no kernel ") + name;
  return -1;
}

}  // extern "C"
