// A CPU model of the forward kernel's tile schedule and the naive reference.
#include "TiledReference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attn::host {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double dot(const Problem &p, int64_t b, int64_t h, int64_t i, int64_t j) {
  const int64_t kvh = h / (p.heads_q / p.heads_kv);
  const float *q = &p.q[((b * p.heads_q + h) * p.sq + i) * p.head_dim];
  const float *k = &p.k[((b * p.heads_kv + kvh) * p.skv + j) * p.head_dim];
  double s = 0;
  for (int64_t d = 0; d < p.head_dim; ++d)
    s += double(q[d]) * double(k[d]);
  return s * p.scale;
}

const float *valueRow(const Problem &p, int64_t b, int64_t h, int64_t j) {
  const int64_t kvh = h / (p.heads_q / p.heads_kv);
  return &p.v[((b * p.heads_kv + kvh) * p.skv + j) * p.head_dim];
}

Result emptyResult(const Problem &p) {
  Result r;
  r.o.assign(p.batch * p.heads_q * p.sq * p.head_dim, 0.0);
  r.lse.assign(p.batch * p.heads_q * p.sq, kNegInf);
  return r;
}

} // namespace

Result naiveForward(const Problem &p, const MaskFn &truth, const ScoreFn &score,
                    const SinkFn &sink, const std::function<bool(int64_t q)> &wanted) {
  Result r = emptyResult(p);
  std::vector<double> s(p.skv);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads_q; ++h)
      for (int64_t i = 0; i < p.sq; ++i) {
        if (wanted && !wanted(i))
          continue;
        // The sink is one more logit of the row, with no value row: it joins m and l only.
        const double sigma = sink ? sink(b, h) : kNegInf;
        double m = sigma;
        for (int64_t j = 0; j < p.skv; ++j) {
          s[j] = truth(b, h, i, j) ? score(dot(p, b, h, i, j), b, h, i, j) : kNegInf;
          m = std::max(m, s[j]);
        }
        if (m == kNegInf)
          continue; // no kept key and no sink: O = 0, LSE = -inf
        double l = sigma == kNegInf ? 0 : std::exp(sigma - m);
        double *o = &r.o[((b * p.heads_q + h) * p.sq + i) * p.head_dim];
        for (int64_t j = 0; j < p.skv; ++j) {
          if (s[j] == kNegInf)
            continue;
          const double w = std::exp(s[j] - m);
          l += w;
          const float *v = valueRow(p, b, h, j);
          for (int64_t d = 0; d < p.head_dim; ++d)
            o[d] += w * v[d];
        }
        for (int64_t d = 0; d < p.head_dim; ++d)
          o[d] /= l;
        r.lse[(b * p.heads_q + h) * p.sq + i] = m + std::log(l);
      }
  return r;
}

namespace {

/// One row's online softmax over the visited tiles, as the kernel runs it, then the epilogue;
/// records the schedule's errors for this row.
void runRow(const Problem &p, int64_t b, int64_t h, int64_t i, const std::vector<KvVisit> &visits,
            const MaskFn &mask, const ScoreFn &score, const MaskFn &truth, const SinkFn &sink,
            Schedule &schedule, Result &r) {
  // Every kept pair must lie in a visited tile, and no key in two of them.
  std::vector<int> seen(p.skv, 0);
  for (const KvVisit &visit : visits)
    for (int64_t j : visit.keys)
      if (j >= p.skv)
        ++schedule.out_of_range_tiles;
      else if (j >= 0 && ++seen[j] == 2)
        ++schedule.keys_visited_twice;
  for (int64_t j = 0; j < p.skv; ++j)
    if (!seen[j] && truth(b, h, i, j))
      ++schedule.dropped_kept_pairs;
  double m = kNegInf, l = 0;
  std::vector<double> acc(p.head_dim, 0.0);
  for (const KvVisit &visit : visits)
    for (int64_t j : visit.keys) {
      bool keep;
      if (visit.full) {
        keep = true; // no mask code on full tiles: they must be all kept and all valid
        if (j < 0 || j >= p.skv || !truth(b, h, i, j)) {
          ++schedule.masked_pairs_in_full_tiles;
          continue;
        }
      } else {
        keep = j >= 0 && j < p.skv && mask(b, h, i, j);
      }
      if (!keep)
        continue;
      const double s = score(dot(p, b, h, i, j), b, h, i, j);
      const double m_new = std::max(m, s);
      const double rescale = std::exp(m - m_new);
      const double w = std::exp(s - m_new);
      const float *v = valueRow(p, b, h, j);
      for (int64_t d = 0; d < p.head_dim; ++d)
        acc[d] = acc[d] * rescale + w * v[d];
      l = l * rescale + w;
      m = m_new;
    }
  // The epilogue (numeric.cuh, finish_row): the sink joins the finished row max-stably,
  // m' = max(m, σ), l' = l·e^(m−m') + e^(σ−m'); a row with no kept key gets LSE = σ.
  const double sigma = sink ? sink(b, h) : kNegInf;
  double &lse = r.lse[(b * p.heads_q + h) * p.sq + i];
  if (l == 0) {
    lse = sigma;
    return;
  }
  const double m_sink = std::max(m, sigma);
  const double rescale = std::exp(m - m_sink);
  const double l_sink = l * rescale + std::exp(sigma - m_sink);
  double *o = &r.o[((b * p.heads_q + h) * p.sq + i) * p.head_dim];
  for (int64_t d = 0; d < p.head_dim; ++d)
    o[d] = acc[d] * rescale / l_sink;
  lse = m_sink + std::log(l_sink);
}

} // namespace

Result walkedForward(const Problem &p, const TileWalk &walk, const MaskFn &mask,
                     const ScoreFn &score, const MaskFn &truth, Schedule &schedule,
                     const SinkFn &sink, const std::vector<int64_t> &run) {
  // The q tiles partition the queries: every query in exactly one of them.
  std::vector<int> held(p.sq, 0);
  for (int64_t t = 0; t < walk.q_tiles; ++t)
    for (int64_t i : walk.rows(t))
      if (i >= p.sq)
        ++schedule.out_of_range_tiles;
      else if (i >= 0)
        ++held[i];
  for (int64_t i = 0; i < p.sq; ++i)
    schedule.rows_not_covered_once += held[i] != 1;

  std::vector<int64_t> tiles = run;
  if (tiles.empty())
    for (int64_t t = 0; t < walk.q_tiles; ++t)
      tiles.push_back(t);
  Result r = emptyResult(p);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads_q; ++h)
      for (int64_t t : tiles) {
        const std::vector<KvVisit> visits = walk.visits(b, h, t);
        for (int64_t i : walk.rows(t))
          if (i >= 0 && i < p.sq)
            runRow(p, b, h, i, visits, mask, score, truth, sink, schedule, r);
      }
  return r;
}

TileWalk sequenceWalk(const Problem &p, int64_t block_m, int64_t block_n, const BoundsFn &bounds,
                      Schedule &schedule) {
  const int64_t kv_tiles = (p.skv + block_n - 1) / block_n;
  auto rows = [=](int64_t t) {
    std::vector<int64_t> tokens;
    for (int64_t i = t * block_m; i < (t + 1) * block_m; ++i)
      tokens.push_back(i < p.sq ? i : -1);
    return tokens;
  };
  auto visits = [=, &schedule](int64_t b, int64_t h, int64_t t) {
    const std::vector<attn::device::KvTiles> ranges = bounds(b, h, t);
    std::vector<KvVisit> walked;
    for (size_t n = 0; n < ranges.size(); ++n) {
      const attn::device::KvTiles &range = ranges[n];
      if (range.begin < 0 || range.begin > range.full_begin ||
          range.full_begin > range.full_end || range.full_end > range.end ||
          range.end > kv_tiles)
        ++schedule.out_of_range_tiles;
      if (n > 0 && range.end > range.begin && range.end > ranges[n - 1].begin)
        ++schedule.out_of_range_tiles; // not below the range visited before it
      // Each range from its top tile down, the upper range first (the kernel's order).
      for (int64_t tile = std::min(range.end, kv_tiles) - 1; tile >= std::max<int64_t>(range.begin, 0);
           --tile) {
        KvVisit visit{{}, tile >= range.full_begin && tile < range.full_end};
        for (int64_t j = tile * block_n; j < (tile + 1) * block_n; ++j)
          visit.keys.push_back(j < p.skv ? j : -1);
        walked.push_back(std::move(visit));
      }
    }
    return walked;
  };
  return {(p.sq + block_m - 1) / block_m, rows, visits};
}

Result tiledForward(const Problem &p, int64_t block_m, int64_t block_n, const MaskFn &mask,
                    const BoundsFn &bounds, const ScoreFn &score, const MaskFn &truth,
                    Schedule &schedule, const SinkFn &sink) {
  return walkedForward(p, sequenceWalk(p, block_m, block_n, bounds, schedule), mask, score, truth,
                       schedule, sink);
}

} // namespace attn::host
