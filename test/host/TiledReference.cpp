// A CPU model of the forward kernel's tile schedule and the naive reference.
#include "TiledReference.h"

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
                    const SinkFn &sink) {
  Result r = emptyResult(p);
  std::vector<double> s(p.skv);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads_q; ++h)
      for (int64_t i = 0; i < p.sq; ++i) {
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

Result tiledForward(const Problem &p, int64_t block_m, int64_t block_n, const MaskFn &mask,
                    const BoundsFn &bounds, const ScoreFn &score, const MaskFn &truth,
                    Schedule &schedule, const SinkFn &sink) {
  Result r = emptyResult(p);
  const int64_t q_tiles = (p.sq + block_m - 1) / block_m;
  const int64_t kv_tiles = (p.skv + block_n - 1) / block_n;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t h = 0; h < p.heads_q; ++h)
      for (int64_t t = 0; t < q_tiles; ++t) {
        const std::vector<attn::device::KvTiles> ranges = bounds(b, h, t);
        std::vector<int> visits(kv_tiles, 0);
        for (size_t n = 0; n < ranges.size(); ++n) {
          const attn::device::KvTiles &range = ranges[n];
          if (range.begin < 0 || range.begin > range.full_begin ||
              range.full_begin > range.full_end || range.full_end > range.end ||
              range.end > kv_tiles)
            ++schedule.out_of_range_tiles;
          if (n > 0 && range.end > range.begin && range.end > ranges[n - 1].begin)
            ++schedule.out_of_range_tiles; // not below the range visited before it
          for (int64_t tile = std::max<int64_t>(range.begin, 0);
               tile < std::min(range.end, kv_tiles); ++tile)
            if (++visits[tile] == 2)
              ++schedule.tiles_visited_twice;
        }
        auto visited = [&](int64_t tile) { return visits[tile] > 0; };
        for (int64_t i = t * block_m; i < std::min(p.sq, (t + 1) * block_m); ++i) {
          // Every kept pair must lie in a visited tile.
          for (int64_t j = 0; j < p.skv; ++j)
            if (truth(b, h, i, j) && !visited(j / block_n))
              ++schedule.dropped_kept_pairs;
          // Online softmax over the visited tiles, last tile first (the kernel's order):
          // each range from its top tile down, the upper range first.
          double m = kNegInf, l = 0;
          std::vector<double> acc(p.head_dim, 0.0);
          for (const attn::device::KvTiles &range : ranges)
            for (int64_t tile = range.end - 1; tile >= range.begin; --tile) {
              const bool full = tile >= range.full_begin && tile < range.full_end;
              for (int64_t j = tile * block_n; j < (tile + 1) * block_n; ++j) {
                bool keep;
                if (full) {
                  keep = true; // no mask code on full tiles: they must be all kept and in bounds
                  if (j >= p.skv || !truth(b, h, i, j)) {
                    ++schedule.masked_pairs_in_full_tiles;
                    continue;
                  }
                } else {
                  keep = j < p.skv && mask(b, h, i, j);
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
            }
          // The epilogue (numeric.cuh, finish_row): the sink joins the finished row max-stably,
          // m' = max(m, σ), l' = l·e^(m−m') + e^(σ−m'); a row with no kept key gets LSE = σ.
          const double sigma = sink ? sink(b, h) : kNegInf;
          double &lse = r.lse[(b * p.heads_q + h) * p.sq + i];
          if (l == 0) {
            lse = sigma;
            continue;
          }
          const double m_sink = std::max(m, sigma);
          const double rescale = std::exp(m - m_sink);
          const double l_sink = l * rescale + std::exp(sigma - m_sink);
          double *o = &r.o[((b * p.heads_q + h) * p.sq + i) * p.head_dim];
          for (int64_t d = 0; d < p.head_dim; ++d)
            o[d] = acc[d] * rescale / l_sink;
          lse = m_sink + std::log(l_sink);
        }
      }
  return r;
}

} // namespace attn::host
