// Which (q tile, head, batch) work tiles a CTA computes, and in which order.
//
// TileNumbering numbers the tiles once for the whole grid; a deal hands the numbers to the CTAs.
// So the host picks the policy with the grid and the Traits' Deal: one CTA per tile (a plain
// launch), or one CTA per SM that loops over tiles, its shared-memory barriers and register setup
// paid once (persistent).
//
// Numbering: (batch, head) pairs are cut into L2 sections of heads whose K and V fit in about
// half the L2 together; sections run one after another, and within a section the q tiles go
// from the last (the longest under a causal mask) to the first, all heads of the section for each
// q tile. So the CTAs running at once read the same few K/V heads out of L2, and under a causal
// mask the long tiles start first and the short ones fill the tail (close to longest-job-first).
//
// Deals (Traits::Deal, SnakeDeal when absent): CTA c starts with tile c; then
//   SnakeDeal    round r is tile r·G + c on even rounds, r·G + (G − 1 − c) on odd ones (G = grid
//                size): fixed in advance, which suits tiles that all cost the same.
//   CounterDeal  a CTA takes the next number from a counter in global memory (p.work_counter,
//                zeroed by the runtime before the launch) when it is ready for one, so the tiles
//                start in their numbered order wherever an SM is free: masks whose tiles differ
//                in cost keep the persistent saving and lose nothing at the tail.
// CounterDeal is called by the whole producer warp (its lane 0 takes the number), which hands the
// numbers to the consumers (forward.cuh, WorkTileSource); every warp computes a SnakeDeal itself.
//
// TileNumbering and SnakeDeal also compile for the host (any C++17 compiler), where a unit test
// checks that the deals hand out every tile exactly once.
#pragma once

#include <stdint.h>

#include <type_traits>

#include "attn/abi.h"
#include "attn/device/hooks.h"

namespace attn::device::sm90 {

struct WorkTile {
  int q_tile;
  int head;  // with packed heads (p.pack_heads), the first q head of the kv head's group
  int batch;
};

// Geometry (attn/device/geometry.h) says how many q tiles a (batch, head) has. With packed
// heads a tile holds the rows of a whole group of q heads, so the "heads" numbered here are the
// groups (kv heads), and a tile's head is its group's first q head.
template <class Geometry, int kHeadDim>
class TileNumbering {
 public:
  static constexpr int64_t kL2SectionBytes = 24ll << 20;

  ATTN_HD explicit TileNumbering(const attn_forward_params &p)
      : heads_(Geometry::work_heads(p)), group_(p.head_group),
        q_tiles_(int(Geometry::q_tiles(p))) {
    const int64_t kv_bytes_per_head = 2ll * p.seqlen_k * kHeadDim * 2;  // K and V, 16-bit
    int64_t kv_heads = kL2SectionBytes / (kv_bytes_per_head > 0 ? kv_bytes_per_head : 1);
    kv_heads = kv_heads < 1 ? 1 : kv_heads;
    const int64_t pairs = int64_t(p.batch) * heads_;
    const int64_t per_section = Geometry::kPackedHeads ? kv_heads : kv_heads * p.head_group;
    section_ = per_section < pairs ? int(per_section) : int(pairs);
    pairs_ = int(pairs);
    total_ = pairs * q_tiles_;
  }

  ATTN_HD bool valid(int64_t i) const { return i >= 0 && i < total_; }

  ATTN_HD WorkTile tile(int64_t i) const {
    const int64_t per_section = int64_t(section_) * q_tiles_;
    const int64_t sec = i / per_section;
    const int64_t r = i - sec * per_section;
    const int64_t first_pair = sec * section_;
    // The last section may hold fewer pairs.
    const int width = first_pair + section_ <= pairs_ ? section_ : int(pairs_ - first_pair);
    const int pair = int(first_pair + r % width);
    const int head = pair % heads_;
    return {q_tiles_ - 1 - int(r / width), Geometry::kPackedHeads ? head * group_ : head,
            pair / heads_};
  }

  // Host: how many tiles a launch has (the grid is this, or fewer for a persistent launch).
  ATTN_HD static int64_t num_tiles(const attn_forward_params &p) {
    return int64_t(p.batch) * Geometry::work_heads(p) * Geometry::q_tiles(p);
  }

 private:
  int heads_, group_, q_tiles_, section_, pairs_;
  int64_t total_;
};

class SnakeDeal {
 public:
#if defined(__CUDACC__)
  __device__ __forceinline__ explicit SnakeDeal(const attn_forward_params &)
      : cta_(blockIdx.x), grid_(gridDim.x) {}
#endif
  ATTN_HD SnakeDeal(int64_t cta, int64_t grid) : cta_(cta), grid_(grid) {}
  static constexpr bool kHandedOver = false;  // every warp computes it
  ATTN_HD int64_t first() const { return cta_; }
  // The tile of round r >= 1. The snake pairs a CTA that got one of the longest tiles of a round
  // with one of the shortest of the next, which evens out a static split of uneven tiles.
  ATTN_HD int64_t next(int64_t r) const {
    const int64_t c = (r % 2 == 0) ? cta_ : grid_ - 1 - cta_;
    return r * grid_ + c;
  }

 private:
  int64_t cta_, grid_;
};

#if defined(__CUDACC__)
class CounterDeal {
 public:
  __device__ __forceinline__ explicit CounterDeal(const attn_forward_params &p)
      : counter_(p.work_counter) {}
  static constexpr bool kHandedOver = true;  // taken by the producer, handed to the consumers
  __device__ __forceinline__ int64_t first() const { return blockIdx.x; }
  // The first G tiles are the CTAs' own; the counter deals the rest. Whole warp.
  __device__ __forceinline__ int64_t next(int64_t) const {
    unsigned long long taken = 0;
    if (threadIdx.x % 32 == 0) taken = atomicAdd(counter_, 1ull);
    return int64_t(gridDim.x) + int64_t(__shfl_sync(0xffffffffu, taken, 0));
  }

 private:
  unsigned long long *counter_;
};
#endif

template <class Traits, class = void>
struct DealOf {
  using type = SnakeDeal;
};
template <class Traits>
struct DealOf<Traits, std::void_t<typename Traits::Deal>> {
  using type = typename Traits::Deal;
};

}  // namespace attn::device::sm90
