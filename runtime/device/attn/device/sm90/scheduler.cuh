// Which (q tile, head, batch) work tiles a CTA computes, and in which order.
//
// The tiles are numbered once for the whole grid and dealt to the CTAs round by round (index()).
// So the host picks the policy with the grid alone: one CTA per tile (a plain launch) or one CTA per SM
// (persistent: a CTA loops over tiles, its shared-memory barriers and register setup paid once).
//
// Numbering: (batch, head) pairs are cut into L2 sections of heads whose K and V fit in about
// half the L2 together; sections run one after another, and within a section the q tiles go
// from the last (the longest under a causal mask) to the first, all heads of the section for each
// q tile. So the CTAs running at once read the same few K/V heads out of L2, and under a causal
// mask the long tiles start first and the short ones fill the tail (close to longest-job-first).
#pragma once

#include <stdint.h>

#include "attn/abi.h"

namespace attn::device::sm90 {

struct WorkTile {
  int q_tile;
  int head;
  int batch;
};

// Geometry (attn/device/geometry.h) says how many q tiles a (batch, head) has.
template <class Geometry, int kHeadDim>
class TileScheduler {
 public:
  static constexpr int64_t kL2SectionBytes = 24ll << 20;

  __device__ __forceinline__ explicit TileScheduler(const attn_forward_params &p)
      : heads_(p.heads_q), q_tiles_(int(Geometry::q_tiles(p))) {
    const int64_t kv_bytes_per_head = 2ll * p.seqlen_k * kHeadDim * 2;  // K and V, 16-bit
    int64_t kv_heads = kL2SectionBytes / (kv_bytes_per_head > 0 ? kv_bytes_per_head : 1);
    kv_heads = kv_heads < 1 ? 1 : kv_heads;
    const int64_t pairs = int64_t(p.batch) * p.heads_q;
    section_ = kv_heads * p.head_group < pairs ? int(kv_heads * p.head_group) : int(pairs);
    pairs_ = int(pairs);
    total_ = pairs * q_tiles_;
  }

  // A CTA's tiles are numbered by round r: it takes tile index(r), one per round.
  __device__ __forceinline__ int64_t first() const { return 0; }
  __device__ __forceinline__ int64_t next(int64_t r) const { return r + 1; }
  __device__ __forceinline__ bool valid(int64_t r) const { return index(r) < total_; }

  __device__ __forceinline__ WorkTile tile(int64_t round) const {
    const int64_t i = index(round);
    const int64_t per_section = int64_t(section_) * q_tiles_;
    const int64_t sec = i / per_section;
    const int64_t r = i - sec * per_section;
    const int64_t first_pair = sec * section_;
    // The last section may hold fewer pairs.
    const int width = first_pair + section_ <= pairs_ ? section_ : int(pairs_ - first_pair);
    const int pair = int(first_pair + r % width);
    return {q_tiles_ - 1 - int(r / width), pair % heads_, pair / heads_};
  }

  // Round r of CTA c: tile r·G + c on even rounds, r·G + (G − 1 − c) on odd ones (G = grid
  // size). The snake pairs a CTA that got one of the longest tiles of a round with one of the
  // shortest of the next, which evens out the static split of a causal grid.
  __device__ __forceinline__ int64_t index(int64_t r) const {
    const int64_t c = (r % 2 == 0) ? blockIdx.x : gridDim.x - 1 - blockIdx.x;
    return r * gridDim.x + c;
  }

  // Host: how many tiles a launch has (the grid is this, or fewer for a persistent launch).
  __host__ __device__ static int64_t num_tiles(const attn_forward_params &p) {
    return int64_t(p.batch) * p.heads_q * Geometry::q_tiles(p);
  }

 private:
  int heads_, q_tiles_, section_, pairs_;
  int64_t total_;
};

}  // namespace attn::device::sm90
