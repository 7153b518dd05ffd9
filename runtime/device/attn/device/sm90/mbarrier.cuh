// mbarrier primitives (PTX ISA, "Parallel Synchronization and Communication Instructions:
// mbarrier"). A barrier counts arrivals and, for the copy engine, transaction bytes; a phase
// completes when both reach zero, and waiters test a phase by its parity (0, 1, 0, ...).
//
// Convention of this family: a consumer of a buffer waits on its "full" barrier with the parity
// of the phase it expects; a producer waits on the "empty" barrier starting at parity 1, which a
// freshly initialised barrier reports as already complete (the buffer starts empty).
#pragma once

#include <stdint.h>

namespace attn::device::sm90 {

__device__ __forceinline__ uint32_t smem_addr(const void *p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

struct Mbarrier {
  uint64_t word;

  // One thread, before any use; publish with fence_init() and a CTA barrier.
  __device__ __forceinline__ void init(uint32_t arrivals) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(smem_addr(&word)), "r"(arrivals));
  }
  __device__ __forceinline__ static void fence_init() {
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
  }

  // Producer: one arrival that also announces `bytes` of copy-engine transactions to come.
  __device__ __forceinline__ void arrive_expect_tx(uint32_t bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n"
                 ::"r"(smem_addr(&word)), "r"(bytes) : "memory");
  }
  __device__ __forceinline__ void arrive() {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(smem_addr(&word)) : "memory");
  }

  __device__ __forceinline__ bool try_wait(uint32_t parity) {
    uint32_t done;
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
        "selp.u32 %0, 1, 0, p;\n"
        "}\n"
        : "=r"(done)
        : "r"(smem_addr(&word)), "r"(parity)
        : "memory");
    return done != 0;
  }
  // Blocks until the phase of this parity has completed (try_wait suspends for a while in hardware).
  __device__ __forceinline__ void wait(uint32_t parity) {
    while (!try_wait(parity)) {
    }
  }
};

}  // namespace attn::device::sm90
