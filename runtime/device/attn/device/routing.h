// The kv tiles of a routed q tile (tile.kv_loop {span = routed}).
//
// Routed attention (MoBA, NSA, block top-k) gives, per block of B queries, a runtime list of
// the kv blocks those queries may see (`kListed` int32 entries: any order, repeats allowed,
// entries outside [0, ceil(skv / B)) ignored, -1 the usual padding). B is a multiple of both
// tile sizes, so a q tile lies in one query block and a kv tile in one key block: the tiles of
// the listed blocks are the whole key set, and the mask's own kv range (KvTiles) still says
// which of them are empty, full or partial.
//
// build() reads the list row and keeps the distinct useful blocks in ascending order; the walk
// (first / next) then visits them from the highest down, each from its top tile, so the causal
// diagonal comes first as in the unrouted kernels. On the device the row is sorted by one warp
// with shuffles (each lane holds entries lane, lane + 32, ...), so the caller needs all 32
// lanes of a converged warp and no CTA barrier: the sm_90a producer and consumer warps each
// build their own copy and agree on the order. On the host one loop does the same; host tests
// run the emitted hooks through it.
#pragma once

#include <stdint.h>

#include "attn/device/hooks.h"

namespace attn::device {

// Where a walk stands: kv tile `tile` (-1 past the end) of the `pos`-th listed block.
struct RouteCursor {
  int pos;
  int64_t tile;
};

template <int kListed>
class RoutedKvTiles {
  static_assert(kListed >= 1 && kListed <= 128, "a routing list has 1 to 128 entries per row");

 public:
#if defined(__CUDA_ARCH__)
  static constexpr int kSlots = (kListed + 31) / 32;  // entries per lane
#else
  static constexpr int kSlots = kListed;
#endif
  static constexpr int32_t kNone = INT32_MAX;  // sorts after every block

  // `entry(i)` → entry i of the q tile's list row; `bounds` the mask's kv range;
  // `tiles_per_block` = B / block_n; `blocks` = ceil(skv / B).
  template <class Entry>
  ATTN_HD static RoutedKvTiles build(const KvTiles &bounds, int64_t tiles_per_block,
                                     int64_t blocks, Entry entry) {
    RoutedKvTiles r;
    r.bounds_ = bounds;
    r.tiles_per_block_ = tiles_per_block;
    // A block is worth visiting when it exists and meets the mask's range.
    auto useful = [&](int64_t block) {
      return block >= 0 && block < blocks && block * tiles_per_block < bounds.end &&
             (block + 1) * tiles_per_block > bounds.begin;
    };
#if defined(__CUDA_ARCH__)
    const int lane = threadIdx.x % 32;
    int32_t mine[kSlots];
#pragma unroll
    for (int s = 0; s < kSlots; ++s) {
      const int i = lane + 32 * s;
      const int64_t block = i < kListed ? entry(i) : -1;
      mine[s] = useful(block) ? int32_t(block) : kNone;
    }
    r.sort_in_warp(mine, lane);
#else
    int32_t kept[kListed];
    int count = 0;
    for (int i = 0; i < kListed; ++i) {
      const int64_t block = entry(i);
      if (useful(block)) kept[count++] = int32_t(block);
    }
    // Insertion sort, dropping repeats: at most 128 entries.
    r.count_ = 0;
    for (int i = 0; i < count; ++i) {
      int at = r.count_;
      while (at > 0 && r.sorted_[at - 1] > kept[i]) --at;
      if (at > 0 && r.sorted_[at - 1] == kept[i]) continue;
      for (int j = r.count_; j > at; --j) r.sorted_[j] = r.sorted_[j - 1];
      r.sorted_[at] = kept[i];
      ++r.count_;
    }
#endif
    return r;
  }

  // The first tile to visit: the top tile of the highest listed block.
  ATTN_HD RouteCursor first() const { return settle(count_ - 1); }
  // The tile after c: the one below in its block, else the top of the next block down.
  ATTN_HD RouteCursor next(const RouteCursor &c) const {
    const int64_t low = max_i64(block(c.pos) * tiles_per_block_, bounds_.begin);
    return c.tile - 1 >= low ? RouteCursor{c.pos, c.tile - 1} : settle(c.pos - 1);
  }
  // Whether tile j runs without mask code (the mask keeps all of it).
  ATTN_HD bool full(int64_t j) const { return j >= bounds_.full_begin && j < bounds_.full_end; }

 private:
  // The `pos`-th smallest listed block.
  ATTN_HD int64_t block(int pos) const {
#if defined(__CUDA_ARCH__)
    int32_t held = sorted_[0];
#pragma unroll
    for (int s = 1; s < kSlots; ++s)
      if (pos / 32 == s) held = sorted_[s];
    return __shfl_sync(0xffffffffu, held, pos % 32);
#else
    return sorted_[pos];
#endif
  }

  // The top tile of the highest block at or below `pos` that has a tile in range.
  ATTN_HD RouteCursor settle(int pos) const {
    for (; pos >= 0; --pos) {
      const int64_t b = block(pos);
      const int64_t top = min_i64((b + 1) * tiles_per_block_, bounds_.end) - 1;
      if (top >= max_i64(b * tiles_per_block_, bounds_.begin)) return {pos, top};
    }
    return {-1, -1};
  }

#if defined(__CUDA_ARCH__)
  // Sorts the warp's entries ascending without repeats into sorted_ (entry p at lane p % 32,
  // slot p / 32) and counts them. An entry is kept if no lower index holds the same block; its
  // rank is the number of kept blocks below it. Three passes of kListed shuffles each.
  __device__ __forceinline__ void sort_in_warp(const int32_t (&mine)[kSlots], int lane) {
    bool repeat[kSlots];
#pragma unroll
    for (int s = 0; s < kSlots; ++s) repeat[s] = false;
#pragma unroll
    for (int from_slot = 0; from_slot < kSlots; ++from_slot)
      for (int from = 0; from < 32; ++from) {
        const int32_t other = __shfl_sync(0xffffffffu, mine[from_slot], from);
#pragma unroll
        for (int s = 0; s < kSlots; ++s)
          repeat[s] |= other == mine[s] && from + 32 * from_slot < lane + 32 * s;
      }
    int rank[kSlots];
#pragma unroll
    for (int s = 0; s < kSlots; ++s) rank[s] = 0;
    count_ = 0;
#pragma unroll
    for (int from_slot = 0; from_slot < kSlots; ++from_slot) {
      const bool kept_here = mine[from_slot] != kNone && !repeat[from_slot];
      for (int from = 0; from < 32; ++from) {
        const int32_t other = __shfl_sync(0xffffffffu, mine[from_slot], from);
        const bool kept = __shfl_sync(0xffffffffu, int(kept_here), from) != 0;
        count_ += kept;
#pragma unroll
        for (int s = 0; s < kSlots; ++s) rank[s] += kept && other < mine[s];
      }
    }
#pragma unroll
    for (int s = 0; s < kSlots; ++s) sorted_[s] = kNone;
#pragma unroll
    for (int from_slot = 0; from_slot < kSlots; ++from_slot) {
      // The position this entry takes, or -1 when it is dropped.
      const int at = mine[from_slot] != kNone && !repeat[from_slot] ? rank[from_slot] : -1;
      for (int from = 0; from < 32; ++from) {
        const int32_t other = __shfl_sync(0xffffffffu, mine[from_slot], from);
        const int other_at = __shfl_sync(0xffffffffu, at, from);
#pragma unroll
        for (int s = 0; s < kSlots; ++s)
          if (other_at == lane + 32 * s) sorted_[s] = other;
      }
    }
  }
#endif

  KvTiles bounds_;
  int64_t tiles_per_block_;
  int count_;
  int32_t sorted_[kSlots];
};

}  // namespace attn::device
