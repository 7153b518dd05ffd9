// A CPU model of the forward kernel's tile schedule, driven by a variant's
// hooks, and the naive reference it is checked against.
#pragma once

#include "attn/device/hooks.h"
#include "attn/device/kv_plan.h"
#include "attn/device/routing.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace attn::host {

struct Problem {
  int64_t batch, heads_q, heads_kv, sq, skv, head_dim;
  float scale;
  std::vector<float> q, k, v; // [B, H, S, D] row-major
};

struct Result {
  std::vector<double> o;   // [B, Hq, Sq, D]
  std::vector<double> lse; // [B, Hq, Sq]
};

using MaskFn = std::function<bool(int64_t b, int64_t h, int64_t q, int64_t k)>;
/// The kv ranges of a q tile in visiting order (the upper range first).
using BoundsFn =
    std::function<std::vector<attn::device::KvTiles>(int64_t b, int64_t h, int64_t q_tile)>;
/// The score modification: the modified score of pair (q, k) from s = scale·q·k.
using ScoreFn = std::function<double(double s, int64_t b, int64_t h, int64_t q, int64_t k)>;

/// The sink logit σ(b, h): one more logit in every row's softmax denominator, with no value
/// row (-inf, or an empty function: none).
using SinkFn = std::function<double(int64_t b, int64_t h)>;

/// The ranges of a variant's kv_bounds hook, one or two, as a list.
inline std::vector<attn::device::KvTiles> kvRanges(const attn::device::KvTiles &r) { return {r}; }
inline std::vector<attn::device::KvTiles> kvRanges(const attn::device::KvTilesPair &r) {
  return {r.high, r.low};
}
/// Tile j alone as a range, full or partial: a walk that classifies tile by tile.
inline attn::device::KvTiles singleTile(int64_t j, bool full) {
  return full ? attn::device::KvTiles{j, j, j + 1, j + 1} : attn::device::KvTiles{j, j, j, j + 1};
}

/// A routed variant's walk, one range of one tile each (full or partial), in visiting order.
template <int kListed>
std::vector<attn::device::KvTiles> kvRanges(const attn::device::RoutedKvTiles<kListed> &r) {
  std::vector<attn::device::KvTiles> tiles;
  for (attn::device::RouteCursor c = r.first(); c.tile >= 0; c = r.next(c))
    tiles.push_back(singleTile(c.tile, r.full(c.tile)));
  return tiles;
}

/// A planned variant's walk (attn/device/kv_plan.h): the entry's kept tiles from the top down, one
/// range each, full or partial by its bit; an entry without bits walks its bounds.
inline std::vector<attn::device::KvTiles> kvRanges(const attn::device::PlannedKvTiles &r) {
  if (r.kept == nullptr)
    return {r.bounds};
  std::vector<attn::device::KvTiles> tiles;
  for (int64_t j = r.bounds.end - 1; j >= r.bounds.begin; --j)
    if (r.has(r.kept, j))
      tiles.push_back(singleTile(j, r.has(r.full, j)));
  return tiles;
}

/// One kv tile as the kernel visits it: the key token of each of its rows (-1: a row outside
/// the keys, which the kernel zero-fills and drops) and whether it runs without mask code.
struct KvVisit {
  std::vector<int64_t> keys;
  bool full;
};

/// A kernel's tile schedule, whatever its tiling: the query token of each row of q tile t
/// (-1: a row outside the queries, not written), and the kv tiles the tile visits for (b, h),
/// in visiting order.
struct TileWalk {
  int64_t q_tiles;
  std::function<std::vector<int64_t>(int64_t q_tile)> rows;
  std::function<std::vector<KvVisit>(int64_t b, int64_t h, int64_t q_tile)> visits;
};

/// Errors in a schedule, which walkedForward records: a kept pair in no visited tile, a dropped
/// pair (or a missing key) in a full tile, a 1-d range that breaks begin <= full_begin <=
/// full_end <= end <= tiles or lies above the range before it, a key that one q tile visits
/// twice (two ranges or two kv boxes overlap), a query that no q tile or two of them hold, a
/// row or key token out of range.
struct Schedule {
  int64_t dropped_kept_pairs = 0;
  int64_t masked_pairs_in_full_tiles = 0;
  int64_t out_of_range_tiles = 0;
  int64_t keys_visited_twice = 0;
  int64_t rows_not_covered_once = 0;
};

/// What the kernel computes: per q tile, the kv tiles `walk` names, the mask (and the key's
/// validity) on partial tiles only, online softmax with the running max, in the kernel's
/// order. Runs the q tiles in `run` (all of them when empty); rows of the others stay
/// O = 0, LSE = -inf. Checks every q tile's rows all the same.
Result walkedForward(const Problem &p, const TileWalk &walk, const MaskFn &mask,
                     const ScoreFn &score, const MaskFn &truth, Schedule &schedule,
                     const SinkFn &sink = {}, const std::vector<int64_t> &run = {});

/// The walk of a kernel that tiles the token sequence: q tile t holds rows [t·block_m, ...),
/// kv tile j keys [j·block_n, ...), visited as `bounds` says (each range from its top tile
/// down, the upper range first); records the ranges' errors into `schedule`.
TileWalk sequenceWalk(const Problem &p, int64_t block_m, int64_t block_n, const BoundsFn &bounds,
                      Schedule &schedule);

/// walkedForward over sequenceWalk.
Result tiledForward(const Problem &p, int64_t block_m, int64_t block_n, const MaskFn &mask,
                    const BoundsFn &bounds, const ScoreFn &score, const MaskFn &truth,
                    Schedule &schedule, const SinkFn &sink = {});

/// Dense softmax of the modified scores over the pairs `truth` keeps, in double, with the sink
/// logit (if any) as one more term of each row's denominator: a row with no kept key then has
/// O = 0 and LSE = σ. Computes the rows `wanted` accepts (all without it); the others stay
/// O = 0, LSE = -inf.
Result naiveForward(const Problem &p, const MaskFn &truth, const ScoreFn &score,
                    const SinkFn &sink = {}, const std::function<bool(int64_t q)> &wanted = {});

} // namespace attn::host
