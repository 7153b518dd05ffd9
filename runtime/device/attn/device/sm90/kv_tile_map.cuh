// Exactly the non-empty kv tiles of a q tile, for masks whose kv range is a run-time scan.
//
// The scan's KvTiles encloses the non-empty tiles and names the full ones only when they are
// one run; anything else in between is visited as partial. A mask whose kept tiles are scattered
// (keys strided by head, several documents' ids interleaved) would then visit every tile of the
// range. A kCtaBounds kernel (forward.cuh) scans once per CTA with every thread; there the scan
// also records, in shared memory, one bit per tile that may keep a pair and one per tile that
// keeps all of them, and the walk visits only the first kind, without mask code where the
// second bit is set. Past kMaxTiles kv tiles the map is not kept and the walk is the range's.
#pragma once

#include <stdint.h>

#include "attn/device/scan.h"
#include "attn/device/sm90/kv_tiles.cuh"

namespace attn::device::sm90 {

struct KvTileMap {
  // 2 x 256 B of shared memory: what fits beside the largest (d256) kernel's 227 KB.
  static constexpr int64_t kMaxTiles = 2048;
  uint32_t kept[kMaxTiles / 32];
  uint32_t full[kMaxTiles / 32];

  __device__ __forceinline__ bool has(const uint32_t *bits, int64_t j) const {
    return (bits[j / 32] >> (j % 32)) & 1u;
  }
};

// The kv tiles of a q tile: those of `bounds`, and of them only the ones `map` marks (when set).
struct MappedKvTiles {
  KvTiles bounds;
  const KvTileMap *map;  // null: every tile of bounds, as a plain KvTiles walk
};

// scan_kv_tiles with every thread of the CTA, recording each tile's class into `map` (when the
// tiles fit); returns the range. Every thread of the CTA must call it.
template <class MaskBox>
__device__ __forceinline__ MappedKvTiles scan_kv_tile_map(int64_t q_tile, int64_t sq, int64_t skv,
                                                          int64_t block_m, int64_t block_n,
                                                          MaskBox mask_box, KvTileMap &map) {
  const bool mapped = ceil_div_i64(skv, block_n) <= KvTileMap::kMaxTiles;
  for (int i = threadIdx.x; i < KvTileMap::kMaxTiles / 32; i += blockDim.x)
    map.kept[i] = map.full[i] = 0;
  __syncthreads();
  const KvTiles bounds = scan_kv_tiles(q_tile, sq, skv, block_m, block_n, mask_box,
                                       [&](int64_t j, bool kept, bool full) {
                                         if (!mapped || !kept) return;
                                         atomicOr(&map.kept[j / 32], 1u << (j % 32));
                                         if (full) atomicOr(&map.full[j / 32], 1u << (j % 32));
                                       });
  // scan_kv_tiles ends in a barrier (its last reduction), so the bits are in place.
  return {bounds, mapped ? &map : nullptr};
}

// From the top tile down, as for_each_kv_tile(KvTiles) visits, skipping the empty ones. One
// loop for both cases (each call of f instantiates the consumer's whole tile step).
template <class F>
__device__ __forceinline__ void for_each_kv_tile(const MappedKvTiles &r, F &&f) {
  const KvTiles &b = r.bounds;
  for (int64_t j = b.end - 1; j >= b.begin; --j) {
    if (r.map != nullptr && !r.map->has(r.map->kept, j)) continue;
    visit_kv_tile(f, j, r.map != nullptr ? r.map->has(r.map->full, j)
                                         : j >= b.full_begin && j < b.full_end);
  }
}

}  // namespace attn::device::sm90
