// A ring of shared-memory buffers passed from the producer (copy engine) to the consumers.
//
// Stage s has a "full" barrier (1 arrival: the producer's arrive_expect_tx, plus the copy's
// bytes) and an "empty" barrier (one arrival per consumer warp, once its reads of the stage are
// done). Both sides walk the stages in the same order and track the parity of the phase they
// expect; wrapping around the ring flips it.
#pragma once

#include <stdint.h>

#include "attn/device/sm90/mbarrier.cuh"

namespace attn::device::sm90 {

template <int kStages>
struct PipelineState {
  int stage = 0;
  uint32_t phase = 0;

  __device__ __forceinline__ void advance() {
    if (++stage == kStages) {
      stage = 0;
      phase ^= 1;
    }
  }
};

template <int kStages>
struct Pipeline {
  Mbarrier full[kStages];
  Mbarrier empty[kStages];

  // One thread, before the CTA barrier that publishes the barriers.
  __device__ __forceinline__ void init(uint32_t consumer_arrivals) {
#pragma unroll
    for (int s = 0; s < kStages; ++s) {
      full[s].init(1);
      empty[s].init(consumer_arrivals);
    }
  }

  // Producer: waits for the stage to be free, then announces `bytes` of copies that complete on
  // the returned barrier.
  __device__ __forceinline__ Mbarrier &produce(PipelineState<kStages> st, uint32_t bytes) {
    empty[st.stage].wait(st.phase ^ 1);
    full[st.stage].arrive_expect_tx(bytes);
    return full[st.stage];
  }

  // Consumer: waits until the stage's copies have landed.
  __device__ __forceinline__ void wait_full(PipelineState<kStages> st) { full[st.stage].wait(st.phase); }
  // Consumer: one lane per warp, after the warp's last read of the stage has completed.
  __device__ __forceinline__ void release(PipelineState<kStages> st) { empty[st.stage].arrive(); }
};

}  // namespace attn::device::sm90
