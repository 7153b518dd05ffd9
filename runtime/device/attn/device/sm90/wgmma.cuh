// Warpgroup-level primitives: wgmma issue/commit/wait, register reallocation, named barriers.
//
// A warpgroup is 4 consecutive warps starting at a warp index divisible by 4. wgmma runs
// asynchronously: the accumulators belong to the tensor cores from mma_async until a
// wait_group that covers it. The compiler does not know that, so accumulators are pinned with
// fence_operands() around the asynchronous window (an empty asm that "reads and writes" them),
// which keeps it from moving ordinary reads or writes of them across the window.
//
// Accumulator layout of m64nNk16 (f32), thread t of the warpgroup, warp w = t / 32, lane l:
//   d[4c + i], c in [0, N/8): row 16w + l/4 + 8·(i/2), column 8c + 2·(l%4) + (i%2)
// i.e. the mma.m16n8k16 C fragment of n-tile c for this warp's 16 rows. Row reductions need the
// 4 lanes of a quad only.
#pragma once

#include <stdint.h>

#include "attn/device/sm90/wgmma_ops.cuh"

namespace attn::device::sm90 {

__device__ __forceinline__ void wgmma_fence() {  // before the first wgmma that reads registers written since
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmma_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
// Waits until at most `kPending` committed groups of this warpgroup are still running.
template <int kPending>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(kPending) : "memory");
}

template <int kN>
__device__ __forceinline__ void fence_operands(float (&d)[kN]) {
#pragma unroll
  for (int i = 0; i < kN; ++i) asm volatile("" : "+f"(d[i])::"memory");
}
template <int kN>
__device__ __forceinline__ void fence_operands(uint32_t (&r)[kN][4]) {
#pragma unroll
  for (int i = 0; i < kN; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) asm volatile("" : "+r"(r[i][j])::"memory");
}

// Register reallocation between warpgroups (needs a register cap at entry: __launch_bounds__
// with a minimum of 1 block). Every warp of the warpgroup must execute it.
template <int kRegs>
__device__ __forceinline__ void warpgroup_reg_dealloc() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(kRegs));
}
template <int kRegs>
__device__ __forceinline__ void warpgroup_reg_alloc() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(kRegs));
}

// Named barrier `id` (1..15; 0 is __syncthreads) over `threads` threads.
__device__ __forceinline__ void named_barrier_sync(int id, int threads) {
  asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}
__device__ __forceinline__ void named_barrier_arrive(int id, int threads) {
  asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

}  // namespace attn::device::sm90
