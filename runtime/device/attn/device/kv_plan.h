// The kv-tile plan of a call (attn_forward_params::kv_plan), for sm_90a kernels whose kv tiles
// come from a run-time scan alone (tile.scan_kv_tiles: document ids, S2 strided heads, radial).
//
// Scanned inside the forward kernel, every work tile paid a pass over all its kv tiles' interval
// images before its first load, and the launch kept one CTA per work tile so that the whole CTA
// could share that pass. A plan kernel runs the scan before the forward kernel instead, one
// small CTA per (batch, head, q tile), many of them per SM, and writes each an entry of 32-bit
// words:
//   [0, 4)            begin, full_begin, full_end, end: the scan's KvTiles
//   [4, 4 + W)        bit j set: kv tile j may keep a pair (the kernel visits it)
//   [4 + W, 4 + 2W)   bit j set: kv tile j keeps every pair of valid keys (no mask code)
// W = kv_plan_words(kv tiles): a bit per tile up to kMaxPlannedKvTiles tiles, none past them
// (the kernel then walks the bounds as a range). Entries lie in (b, h, q tile) order; a mask that
// does not read h has one entry per (b, q tile), which every head reads (`per_head` false). The
// forward kernel reads its entry in a few loads and launches persistent like any other.
//
// Host and device: host tests build entries with the same functions and walk them.
#pragma once

#include <stdint.h>

#include "attn/device/hooks.h"
#include "attn/device/scan.h"

namespace attn::device {

// 2 x 256 B of bits per entry at most: 2048 tiles are 256k keys at 128-key tiles.
constexpr int64_t kMaxPlannedKvTiles = 2048;
constexpr int64_t kKvPlanHeaderWords = 4;

// Bit words per set (kept, full) for `kv_tiles` tiles: 0 past kMaxPlannedKvTiles.
ATTN_HD int64_t kv_plan_words(int64_t kv_tiles) {
  return kv_tiles <= kMaxPlannedKvTiles ? ceil_div_i64(kv_tiles, 32) : 0;
}

// Bits [lo, hi) of a word, the ends clamped to [0, 32]: a run of tiles as one word of bits.
ATTN_HD uint32_t range_bits(int64_t lo, int64_t hi) {
  lo = lo < 0 ? 0 : lo > 32 ? 32 : lo;
  hi = hi < 0 ? 0 : hi > 32 ? 32 : hi;
  if (hi <= lo) return 0u;
  const uint32_t below_hi = hi == 32 ? 0xffffffffu : (1u << hi) - 1u;
  return below_hi & ~((1u << lo) - 1u);  // lo < hi <= 32: lo <= 31
}

// Where the entries of a call lie: their size and count follow from the shape alone.
struct KvPlanLayout {
  bool per_head;    // an entry per (b, h, q tile); else per (b, q tile)
  int64_t heads_q, q_tiles;
  int64_t words;    // bit words per set (kept, full)

  ATTN_HD int64_t entry_words() const { return kKvPlanHeaderWords + 2 * words; }
  ATTN_HD int64_t total_words(int64_t batch) const {
    return batch * (per_head ? heads_q : 1) * q_tiles * entry_words();
  }
  // The first word of (b, h, q_tile)'s entry.
  ATTN_HD int64_t entry(int64_t b, int64_t h, int64_t q_tile) const {
    const int64_t row = per_head ? b * heads_q + h : b;
    return (row * q_tiles + q_tile) * entry_words();
  }
};

ATTN_HD KvPlanLayout kv_plan_layout(const attn_forward_params &p, int64_t block_m,
                                    int64_t block_n, bool per_head) {
  return {per_head, p.heads_q, ceil_div_i64(p.seqlen_q, block_m),
          kv_plan_words(ceil_div_i64(p.seqlen_k, block_n))};
}

// What the kernel walks: the bounds and, where the tiles fit, a bit per tile.
struct PlannedKvTiles {
  KvTiles bounds;
  const uint32_t *kept;  // null: every tile of bounds, as a plain KvTiles walk
  const uint32_t *full;
  ATTN_HD bool has(const uint32_t *bits, int64_t j) const { return (bits[j / 32] >> (j % 32)) & 1u; }
};

ATTN_HD PlannedKvTiles read_kv_plan_entry(const uint32_t *entry, int64_t words) {
  const int32_t *b = reinterpret_cast<const int32_t *>(entry);
  return {{b[0], b[1], b[2], b[3]},
          words > 0 ? entry + kKvPlanHeaderWords : nullptr,
          words > 0 ? entry + kKvPlanHeaderWords + words : nullptr};
}

ATTN_HD void write_kv_plan_bounds(uint32_t *entry, const KvTiles &r) {
  int32_t *b = reinterpret_cast<int32_t *>(entry);
  b[0] = int32_t(r.begin);
  b[1] = int32_t(r.full_begin);
  b[2] = int32_t(r.full_end);
  b[3] = int32_t(r.end);
}

// The entry of q tile `q_tile` into `entry` (KvPlanLayout::entry_words()): on the device with the
// whole CTA (blockDim.x a multiple of 32), each warp taking whole words of tiles, a lane a tile;
// on the host in one loop.
template <class MaskBox>
ATTN_HD void plan_kv_tile_entry(uint32_t *entry, int64_t q_tile, int64_t sq, int64_t skv,
                                int64_t block_m, int64_t block_n, MaskBox mask_box) {
  const Interval q{q_tile * block_m, min_i64((q_tile + 1) * block_m, sq) - 1};
  const int64_t tiles = ceil_div_i64(skv, block_n);
  const int64_t words = kv_plan_words(tiles);
  uint32_t *kept_bits = entry + kKvPlanHeaderWords, *full_bits = kept_bits + words;
  ScanPartial mine;
#if defined(__CUDA_ARCH__)
  const int64_t lane = threadIdx.x % 32;
  for (int64_t base = threadIdx.x - lane; base < tiles; base += blockDim.x) {
    const int64_t j = base + lane;
    TileClass c{false, false};
    if (j < tiles) c = classify_kv_tile(q, j, skv, block_n, mask_box);
    mine.add(j, c.kept, c.full);
    const uint32_t kept = __ballot_sync(0xffffffffu, c.kept);
    const uint32_t full = __ballot_sync(0xffffffffu, c.full);
    if (words > 0 && lane == 0) {
      kept_bits[base / 32] = kept;
      full_bits[base / 32] = full;
    }
  }
  const KvTiles bounds = block_reduce_scan(mine);
  if (threadIdx.x == 0) write_kv_plan_bounds(entry, bounds);
#else
  for (int64_t w = 0; w < words; ++w) kept_bits[w] = full_bits[w] = 0;
  for (int64_t j = 0; j < tiles; ++j) {
    const TileClass c = classify_kv_tile(q, j, skv, block_n, mask_box);
    mine.add(j, c.kept, c.full);
    if (words == 0) continue;
    kept_bits[j / 32] |= uint32_t(c.kept) << (j % 32);
    full_bits[j / 32] |= uint32_t(c.full) << (j % 32);
  }
  write_kv_plan_bounds(entry, mine.bounds());
#endif
}

// The kv tiles of (b, h, q_tile) from the call's plan: what a planned kernel's kv_tiles returns.
ATTN_HD PlannedKvTiles planned_kv_tiles(const attn_forward_params &p, int64_t b, int64_t h,
                                        int64_t q_tile, int64_t block_m, int64_t block_n,
                                        bool per_head) {
  const KvPlanLayout plan = kv_plan_layout(p, block_m, block_n, per_head);
  return read_kv_plan_entry(p.kv_plan + plan.entry(b, h, q_tile), plan.words);
}

#if defined(__CUDACC__)
// The body of a library's kv plan kernel: blockIdx = (q tile, head or 0, batch row), a multiple
// of 32 threads. MaskBox is the hooks' {p, b, h, sq, skv} aggregate.
template <class MaskBox>
__device__ __forceinline__ void plan_kv_tiles(const attn_forward_params &p, int64_t block_m,
                                              int64_t block_n, bool per_head) {
  const KvPlanLayout plan = kv_plan_layout(p, block_m, block_n, per_head);
  const int64_t q_tile = blockIdx.x, h = blockIdx.y, b = blockIdx.z;
  uint32_t *entry = const_cast<uint32_t *>(p.kv_plan) + plan.entry(b, h, q_tile);
  plan_kv_tile_entry(entry, q_tile, p.seqlen_q, p.seqlen_k, block_m, block_n,
                     MaskBox{p, b, h, p.seqlen_q, p.seqlen_k});
}
#endif

}  // namespace attn::device
