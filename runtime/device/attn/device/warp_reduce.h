// Reductions over the 32 lanes of a converged warp, shuffles only: for code that every warp
// runs on its own (the sm_90a producer and consumer warps, each sm_80 warp) and so may not
// meet at a CTA barrier. Every lane gets the result.
#pragma once

#include <stdint.h>

#include "attn/device/hooks.h"

namespace attn::device {

#if defined(__CUDACC__)
__device__ __forceinline__ int64_t warp_min(int64_t v) {
  for (int o = 16; o > 0; o /= 2) v = min_i64(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ int64_t warp_max(int64_t v) {
  for (int o = 16; o > 0; o /= 2) v = max_i64(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ int64_t warp_sum(int64_t v) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
// A condition every lane of the warp computes alike (from the reductions above), as a vote:
// ptxas treats shuffled values as differing per lane, and a branch on them as divergent, which
// serialises every wgmma under it (ptxas C7515); a vote's result it knows to be uniform.
__device__ __forceinline__ bool warp_uniform(bool c) { return __all_sync(0xffffffffu, c); }
#endif

}  // namespace attn::device
