// The plan of a call, for masks that read runtime i32 tensors along the sequence (document ids).
//
// The interval image of `ids[b, k] == ids[b, q]` over a tile is unknown without the data, so the
// kv-tile scan would visit every tile. A plan kernel runs first, in O(n): for every batch row and
// every run of ATTN_SUMMARY_GRANULE positions it stores the minimum and maximum id there
// (summarize_run). The forward kernel's mask_box then reads an id tensor over a tile's index range
// as the hull of the runs it covers (iv_read_summary): a handful of loads per tile, and tiles of
// different documents classify as empty, tiles inside one document as full.
//
// Host and device: the host tests summarise and classify with the same functions.
#pragma once

#include "attn/abi.h"
#include "attn/device/hooks.h"
#include "attn/device/interval.h"

namespace attn::device {

constexpr int64_t kSummaryGranule = ATTN_SUMMARY_GRANULE;
// A read over more runs than this is not worth the loads: it gets the whole int32 range.
constexpr int64_t kMaxSummaryRuns = 16;

ATTN_HD int64_t summary_runs(int64_t length) { return ceil_div_i64(length, kSummaryGranule); }

// The minimum and maximum of ids[b, g·G .. min((g+1)·G, length) - 1] (`batched`: rank 2 [B, S],
// else rank 1 [S]) into out[(b·runs + g)·2 + {0, 1}].
ATTN_HD void summarize_run(const attn_runtime_tensor &ids, bool batched, int64_t length,
                           int64_t b, int64_t g, int32_t *out) {
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  const int64_t end = min_i64((g + 1) * kSummaryGranule, length);
  for (int64_t i = g * kSummaryGranule; i < end; ++i) {
    const int64_t id = read_i32(ids, batched ? tensor_offset(ids, b, i) : tensor_offset(ids, i));
    lo = id < lo ? int32_t(id) : lo;
    hi = id > hi ? int32_t(id) : hi;
  }
  int32_t *entry = out + (b * summary_runs(length) + g) * 2;
  entry[0] = lo;
  entry[1] = hi;
}

// ids[b, i] for b in `b` and i in `i` (intervals, inclusive), from the summary of a tensor of
// `length` positions. Sound: the hull of every run the range touches. Falls back to any int32
// where the summary cannot help (no plan, an unknown batch, a range over too many runs).
ATTN_HD Interval iv_read_summary(const int32_t *summary, int64_t length, Interval b, Interval i) {
  if (summary == nullptr || b.lo != b.hi || length <= 0) return iv_int32();
  const int64_t first = floor_div_i64(max_i64(i.lo, 0), kSummaryGranule);
  const int64_t last = floor_div_i64(min_i64(i.hi, length - 1), kSummaryGranule);
  if (last < first || last - first >= kMaxSummaryRuns) return iv_int32();
  const int32_t *row = summary + b.lo * summary_runs(length) * 2;
  Interval hull{row[first * 2], row[first * 2 + 1]};
  for (int64_t g = first + 1; g <= last; ++g) {
    hull.lo = min_i64(hull.lo, row[g * 2]);
    hull.hi = max_i64(hull.hi, row[g * 2 + 1]);
  }
  return hull;
}

#if defined(__CUDACC__)
// The body of a library's plan kernel for tensor `slot`: grid.x covers the runs (one thread
// each), grid.y the batch rows.
__device__ __forceinline__ void plan_summary(const attn_forward_params &p, int slot, bool batched,
                                             int64_t length) {
  const int64_t g = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  // grid.y spans the largest summary's rows; a tensor without a batch dimension has one.
  if (g >= summary_runs(length) || (!batched && blockIdx.y > 0)) return;
  summarize_run(p.tensors[slot], batched, length, blockIdx.y, g,
                const_cast<int32_t *>(p.summaries[slot]));
}
#endif

}  // namespace attn::device
