// The one place that walks a KvTiles range (hooks.h). Producer and consumers both call it, so
// they agree on the order: from end − 1 down to begin (FlashAttention-2 order: a causal mask's
// partial tiles come first, while the running max is still being established), the full run
// without mask code in between. Masks whose rows keep two intervals of keys give a KvTilesPair:
// the upper range first, then the lower (the two never share a tile). Routed masks give a
// RoutedKvTiles (routing.h): its listed blocks, highest first. Grid kernels give a GridKvTiles
// (grid_kv_tiles.h): the kv boxes that keep a pair, the last first. Kernels whose tiles a plan
// kernel found give PlannedKvTiles (kv_plan.h): the kept tiles of the bounds, the top one first.
#pragma once

#include <stdint.h>

#include <type_traits>

#include "attn/device/grid_kv_tiles.h"
#include "attn/device/hooks.h"
#include "attn/device/kv_plan.h"
#include "attn/device/routing.h"
#include "attn/device/warp_reduce.h"

namespace attn::device::sm90 {

using PartialTile = std::true_type;  // mask and key bound evaluated per element
using FullTile = std::false_type;    // no mask code

// f(j, PartialTile{} or FullTile{}) for every visited kv tile j.
template <class F>
__device__ __forceinline__ void for_each_kv_tile(const KvTiles &r, F &&f) {
  for (int64_t j = r.end - 1; j >= r.full_end; --j) f(j, PartialTile{});
  for (int64_t j = r.full_end - 1; j >= r.full_begin; --j) f(j, FullTile{});
  for (int64_t j = r.full_begin - 1; j >= r.begin; --j) f(j, PartialTile{});
}

// f(j, FullTile{}) or f(j, PartialTile{}) for a tile whose class is known only at run time.
template <class F>
__device__ __forceinline__ void visit_kv_tile(F &&f, int64_t j, bool full) {
  if (full)
    f(j, FullTile{});
  else
    f(j, PartialTile{});
}

template <class F>
__device__ __forceinline__ void for_each_kv_tile(const KvTilesPair &r, F &&f) {
  for_each_kv_tile(r.high, f);
  for_each_kv_tile(r.low, f);
}

// Routed attention: the listed blocks' tiles from the top down, full or partial per tile.
template <int kListed, class F>
__device__ __forceinline__ void for_each_kv_tile(const RoutedKvTiles<kListed> &r, F &&f) {
  for (RouteCursor c = r.first(); c.tile >= 0; c = r.next(c)) visit_kv_tile(f, c.tile, r.full(c.tile));
}

// A planned kernel: the tiles its entry marks kept, from the top down, each full or partial as
// marked, a word of bits at a time (one load per 32 tiles, none per empty tile); without bits
// (too many tiles), the bounds' range. One loop for both (each call of f instantiates the
// consumer's whole tile step). The bits are loads, which ptxas takes for values that may differ
// per lane, so the branches go through warp_uniform (as the grid walk's below).
template <class F>
__device__ __forceinline__ void for_each_kv_tile(const PlannedKvTiles &r, F &&f) {
  const KvTiles &b = r.bounds;
  const bool mapped = r.kept != nullptr;
  // Without bits, a word's worth of the range at a time, as if every tile were kept.
  for (int64_t w = (b.end - 1) >> 5; warp_uniform(b.end > b.begin && w >= (b.begin >> 5)); --w) {
    const int64_t first = w * 32;
    uint32_t kept = mapped ? r.kept[w] : range_bits(b.begin - first, b.end - first);
    const uint32_t full =
        mapped ? r.full[w] : range_bits(b.full_begin - first, b.full_end - first);
    while (warp_uniform(kept != 0u)) {
      const int bit = 31 - __clz(kept);
      kept &= ~(1u << bit);
      visit_kv_tile(f, first + bit, warp_uniform((full >> bit) & 1u));
    }
  }
}

// A grid kernel: its kv boxes from the last down, each classified as the walk reaches it. One
// loop with no lookahead (TMA needs none), so the classification is inlined once: the
// producer warp has 24 registers. The boxes come from a warp scan (shuffles), so the loop's
// branches go through warp_uniform: otherwise the consumers' wgmmas run serialised.
template <class Geometry, class MaskBox, class F>
__device__ __forceinline__ void for_each_kv_tile(const GridKvTiles<Geometry, MaskBox> &r, F &&f) {
  for (int i = r.count() - 1; warp_uniform(i >= 0); --i) {
    const GridKvCursor c = r.box(i);
    if (warp_uniform(c.tile >= 0)) visit_kv_tile(f, c.tile, warp_uniform(c.full));
  }
}

}  // namespace attn::device::sm90
