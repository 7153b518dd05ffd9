// Bulk tensor copies between global and shared memory (cp.async.bulk.tensor, the Tensor Memory
// Accelerator).
//
// Loads: one thread issues a copy of a whole box; the copy engine writes it to shared memory with
// the tensor map's swizzle and, as it lands, counts its bytes down on an mbarrier (complete_tx),
// so consumers wait on the barrier, not on the issuing thread. Out-of-bounds elements are written
// as zeros and still counted, so a box always completes with its full byte count.
// Stores: one thread issues the copy of a box from shared memory (which every writer of it has
// made visible to the copy engine with fence_async_shared and a barrier) and commits it as a
// bulk group; the engine skips out-of-bounds elements. Before the buffer is written again, or the
// CTA exits, the issuing thread waits for its groups to have read it.
#pragma once

#include <stdint.h>

#include "attn/device/sm90/mbarrier.cuh"
#include "attn/device/sm90/tensor_maps.h"

namespace attn::device::sm90 {

// Pulls the descriptor into the copy engine's cache ahead of the first copy.
__device__ __forceinline__ void tma_prefetch(const attn_tensor_map &map) {
  asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<uint64_t>(&map)) : "memory");
}

// Box at element coordinates (c0 innermost, ..., c3) of a 4-d map → `dst` (1024-byte aligned for
// the 128B swizzle), completing on `bar`.
__device__ __forceinline__ void tma_load_4d(const attn_tensor_map &map, void *dst, Mbarrier &bar,
                                            int32_t c0, int32_t c1, int32_t c2, int32_t c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.shared::cluster.global.mbarrier::complete_tx::bytes"
      " [%0], [%1, {%2, %3, %4, %5}], [%6];\n"
      ::"r"(smem_addr(dst)), "l"(reinterpret_cast<uint64_t>(&map)), "r"(c0), "r"(c1), "r"(c2),
        "r"(c3), "r"(smem_addr(&bar.word))
      : "memory");
}

// The same from a 5-d map (c0 innermost, ..., c4): the N-d tiles of a token grid.
__device__ __forceinline__ void tma_load_5d(const attn_tensor_map &map, void *dst, Mbarrier &bar,
                                            int32_t c0, int32_t c1, int32_t c2, int32_t c3,
                                            int32_t c4) {
  asm volatile(
      "cp.async.bulk.tensor.5d.shared::cluster.global.mbarrier::complete_tx::bytes"
      " [%0], [%1, {%2, %3, %4, %5, %6}], [%7];\n"
      ::"r"(smem_addr(dst)), "l"(reinterpret_cast<uint64_t>(&map)), "r"(c0), "r"(c1), "r"(c2),
        "r"(c3), "r"(c4), "r"(smem_addr(&bar.word))
      : "memory");
}

// Shared box → a 4-d map at element coordinates (c0 innermost, ..., c3); one bulk group per
// commit.
__device__ __forceinline__ void tma_store_4d(const attn_tensor_map &map, const void *src,
                                             int32_t c0, int32_t c1, int32_t c2, int32_t c3) {
  asm volatile(
      "cp.async.bulk.tensor.4d.global.shared::cta.bulk_group [%0, {%1, %2, %3, %4}], [%5];\n"
      ::"l"(reinterpret_cast<uint64_t>(&map)), "r"(c0), "r"(c1), "r"(c2), "r"(c3),
        "r"(smem_addr(src))
      : "memory");
}
__device__ __forceinline__ void bulk_commit() {
  asm volatile("cp.async.bulk.commit_group;\n" ::: "memory");
}
// Until every committed store of this thread has read its shared memory.
__device__ __forceinline__ void bulk_wait_read() {
  asm volatile("cp.async.bulk.wait_group.read 0;\n" ::: "memory");
}
// This thread's writes to shared memory, visible to the copy engine (the async proxy).
__device__ __forceinline__ void fence_async_shared() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

}  // namespace attn::device::sm90
