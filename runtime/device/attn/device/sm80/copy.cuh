// Global → shared copies with cp.async (sm_80+), 16 bytes per instruction.
#pragma once

#include <stdint.h>

namespace attn::device::sm80 {

// Copies 16 bytes, or writes 16 zero bytes when `in_bounds` is false: rows past the end of a
// sequence are zero-filled, so the tile math never sees garbage (and never NaN) there.
// The global pointer must be valid even when out of bounds; callers pass the tensor base.
__device__ __forceinline__ void cp_async_16(void *smem_dst, const void *gmem_src, bool in_bounds) {
  const uint32_t dst = static_cast<uint32_t>(__cvta_generic_to_shared(smem_dst));
  const int src_bytes = in_bounds ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(gmem_src),
               "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most `kPending` committed groups are still in flight.
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

}  // namespace attn::device::sm80
