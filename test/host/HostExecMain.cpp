// Runs one spec's emitted hooks (ATTN_VARIANT_FILE, compiled as plain C++)
// through the kernel's tile schedule on the CPU and checks the result against
// a naive softmax whose mask is the spec's own expression, evaluated by the
// front end's reference evaluator: the two share no code with the emitter.
//
// The schedule is the kernel's own: kv_bounds' ranges (or kv_route's listed
// tiles) for a kernel that tiles the token sequence; for one that tiles a
// grid in N-d (ATTN_VARIANT_TILES_GRID), the q boxes of its Geometry and the
// kv boxes its kv_boxes walk visits, row by row as the kernel gathers them,
// with the mask evaluated at the coordinates the geometry hands the kernel.
#include "RuntimeData.h"
#include "TiledReference.h"

#include "compiler/Spec/Spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

#include ATTN_VARIANT_FILE

namespace variant = ATTN_VARIANT_NS;
using namespace attn::host;

namespace {

struct Shape {
  int64_t batch, heads_q, heads_kv, sq, skv;
};
// sq = skv = kGridTokens: the tokens of the spec's grid (grid specs take no other lengths).
constexpr int64_t kGridTokens = -1;

class HostExec : public ::testing::TestWithParam<Shape> {
protected:
  static void SetUpTestSuite() {
    attnc::spec::SpecResult parsed = attnc::spec::parseSpecFile(ATTN_SPEC_FILE);
    ASSERT_TRUE(parsed.spec) << parsed.errors.front().format(ATTN_SPEC_FILE);
    spec_ = new attnc::spec::Spec(std::move(*parsed.spec));
  }
  static attnc::spec::Spec *spec_;
};
attnc::spec::Spec *HostExec::spec_ = nullptr;

Problem randomProblem(const Shape &s, int64_t head_dim, std::mt19937 &rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  Problem p{s.batch, s.heads_q, s.heads_kv, s.sq, s.skv, head_dim,
            1.f / std::sqrt(float(head_dim)), {}, {}, {}};
  auto fill = [&](std::vector<float> &x, int64_t heads, int64_t len) {
    x.resize(s.batch * heads * len * head_dim);
    for (float &value : x)
      value = normal(rng);
  };
  fill(p.q, s.heads_q, s.sq);
  fill(p.k, s.heads_kv, s.skv);
  fill(p.v, s.heads_kv, s.skv);
  return p;
}

// The spec's runtime tensors and parameters, random, as the kernel parameters the hooks read.
struct CallData {
  CallData(const attnc::spec::Spec &spec, const Shape &s, std::mt19937 &rng)
      : data(spec.decls, {s.batch, s.heads_q, s.sq, s.skv}, rng), grid(spec.decls.grid) {
    params.batch = int32_t(s.batch);
    params.heads_q = int32_t(s.heads_q);
    params.seqlen_q = int32_t(s.sq);
    params.seqlen_k = int32_t(s.skv);
    data.fill(params);
  }
  attnc::spec::Env env(int64_t b, int64_t h, int64_t q, int64_t k, int64_t sq,
                       int64_t skv) const {
    attnc::spec::Env e{b, h, q, k, sq, skv};
    e.bindings = &data.bindings();
    e.grid = &grid;
    return e;
  }
  RuntimeData data;
  attn_forward_params params{};
  std::vector<int64_t> grid;
};

// Routed specs: whether the list row of q's block names k's block, read straight from the list
// (an entry outside [0, ceil(skv / block)) names nothing), as a table per (b, h, q block).
class RoutingTruth {
public:
  RoutingTruth(const attnc::spec::Spec &spec, const CallData &call, const Shape &s)
      : routing_(spec.routing) {
    if (!routing_)
      return;
    const std::vector<attnc::spec::Dim> &dims = spec.decls.tensors[routing_->slot].dims;
    auto has = [&](attnc::spec::DimKind kind) {
      return std::any_of(dims.begin(), dims.end(),
                         [&](const attnc::spec::Dim &d) { return d.kind == kind; });
    };
    const int64_t block = routing_->block;
    q_blocks_ = (s.sq + block - 1) / block;
    kv_blocks_ = (s.skv + block - 1) / block;
    heads_ = s.heads_q;
    table_.assign(s.batch * heads_ * q_blocks_ * kv_blocks_, false);
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t h = 0; h < heads_; ++h)
        for (int64_t qb = 0; qb < q_blocks_; ++qb)
          for (int64_t i = 0; i < dims.back().size; ++i) {
            std::vector<int64_t> index;
            if (has(attnc::spec::DimKind::Batch))
              index.push_back(b);
            if (has(attnc::spec::DimKind::QueryHeads))
              index.push_back(h);
            index.push_back(qb);
            index.push_back(i);
            const int64_t kb = int64_t(call.data.bindings().read(routing_->slot, index));
            if (kb >= 0 && kb < kv_blocks_)
              table_[((b * heads_ + h) * q_blocks_ + qb) * kv_blocks_ + kb] = true;
          }
  }
  bool operator()(int64_t b, int64_t h, int64_t q, int64_t k) const {
    if (!routing_)
      return true;
    const int64_t qb = q / routing_->block, kb = k / routing_->block;
    return table_[((b * heads_ + h) * q_blocks_ + qb) * kv_blocks_ + kb];
  }

private:
  std::optional<attnc::spec::Routing> routing_;
  int64_t q_blocks_ = 0, kv_blocks_ = 0, heads_ = 0;
  std::vector<bool> table_;
};

static_assert(variant::kTilesGrid == bool(ATTN_VARIANT_TILES_GRID),
              "CMake's rule for N-d tiling (a grid of 2 or 3 axes) must be the compiler's");

// The coordinates of a token of the spec's grid, row-major: how the spec defines them, not
// how the geometry computes them.
attn::device::GridPoint pointOf(int64_t token, const std::vector<int64_t> &grid) {
  attn::device::GridPoint point{};
  for (int a = int(grid.size()) - 1; a >= 0; --a) {
    point.axis[a] = int32_t(token % grid[a]);
    token /= grid[a];
  }
  return point;
}

#if ATTN_VARIANT_TILES_GRID
// The walk of a kernel that tiles its grid in N-d: each row of a q box or kv box is the token
// the Geometry names for it (-1 where it is invalid), each kv box one kv_boxes visits. Counts
// in `wrong_points` the tokens whose coordinates (which the kernel's mask reads) are not
// their token's.
TileWalk gridWalk(const attn_forward_params &params, const std::vector<int64_t> &grid,
                  int64_t &wrong_points) {
  using Geometry = variant::Geometry;
  auto token = [&, grid](const attn::device::GridTokenRef &ref) -> int64_t {
    if (!ref.valid)
      return -1;
    const attn::device::GridPoint point = pointOf(ref.token, grid);
    for (size_t a = 0; a < grid.size(); ++a)
      wrong_points += point.axis[a] != ref.at.axis[a];
    return ref.token;
  };
  auto rows = [=](int64_t t) {
    std::vector<int64_t> tokens;
    for (int r = 0; r < variant::kBlockM; ++r)
      tokens.push_back(token(Geometry::q_row(params, t, r)));
    return tokens;
  };
  auto visits = [=, &params](int64_t b, int64_t h, int64_t t) {
    const auto boxes = variant::kv_boxes(params, b, h, t);
    std::vector<KvVisit> walked;
    for (attn::device::GridKvCursor c = boxes.first(); c.tile >= 0; c = boxes.next(c)) {
      KvVisit visit{{}, c.full};
      for (int col = 0; col < variant::kBlockN; ++col)
        visit.keys.push_back(token(Geometry::kv_col(params, c.tile, col)));
      walked.push_back(std::move(visit));
    }
    return walked;
  };
  return {Geometry::q_tiles(params), rows, visits};
}
#endif

// A planned variant's entry for (b, h, q_tile) as its kv plan kernel writes it (the same function,
// run here), into a poisoned buffer; the plan kernel's head is 0 where entries are not per head.
attn::device::PlannedKvTiles plannedKvTiles(const attn_forward_params &params,
                                            std::vector<uint32_t> &entry, int64_t b, int64_t h,
                                            int64_t q_tile) {
  const attn::device::KvPlanLayout layout = attn::device::kv_plan_layout(
      params, variant::kBlockM, variant::kBlockN, variant::kKvPlanPerHead);
  entry.assign(layout.entry_words(), 0xdeadbeefu);
  attn::device::plan_kv_tile_entry(
      entry.data(), q_tile, params.seqlen_q, params.seqlen_k, variant::kBlockM, variant::kBlockN,
      variant::MaskBox{params, b, variant::kKvPlanPerHead ? h : 0, params.seqlen_q,
                       params.seqlen_k});
  return attn::device::read_kv_plan_entry(entry.data(), layout.words);
}

// What kv_route narrows: kv_bounds' range, or a plan entry's bounds.
template <class Range>
const Range &boundsOf(const Range &r) {
  return r;
}
const attn::device::KvTiles &boundsOf(const attn::device::PlannedKvTiles &r) { return r.bounds; }

// The kv ranges the kernel visits for a q tile, in visiting order: kv_route's listed tiles for a
// routed variant, the kept tiles of its kv plan entry for a planned one, else kv_bounds' ranges.
std::vector<attn::device::KvTiles> kernelKvRanges(const attn_forward_params &params, int64_t b,
                                                  int64_t h, int64_t q_tile, int64_t sq,
                                                  int64_t skv) {
  std::vector<uint32_t> entry;
  const auto bounds = [&] {
    if constexpr (variant::kKvPlan)
      return plannedKvTiles(params, entry, b, h, q_tile);
    else
      return variant::kv_bounds(params, b, h, q_tile, sq, skv);
  }();
#if ATTN_VARIANT_ROUTED
  return kvRanges(variant::kv_route(params, b, h, q_tile, skv, boundsOf(bounds)));
#else
  return kvRanges(bounds);
#endif
}

// Specs that read q into a "skv" dimension are only defined for sq <= skv; a spec with a token
// grid only for its tokens. Resolves kGridTokens; false (with the reason) for a shape the spec
// does not take.
bool callable(const attnc::spec::Spec &spec, Shape &s, std::string &why) {
  int64_t tokens = 1;
  for (int64_t size : spec.decls.grid)
    tokens *= size;
  const bool grid = !spec.decls.grid.empty();
  if ((s.sq == kGridTokens) != grid) {
    why = grid ? "the spec's grid fixes the lengths" : "the spec has no token grid";
    return false;
  }
  if (grid)
    s.sq = s.skv = tokens;
  why = "the spec needs sq <= skv";
  return !spec.requiresQueryNotLonger || s.sq <= s.skv;
}

TEST_P(HostExec, TiledScheduleMatchesNaiveReference) {
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  std::mt19937 rng(uint32_t(shape.sq * 7919 + shape.skv));
  Problem p = randomProblem(shape, spec_->headDim, rng);
  CallData call(*spec_, shape, rng);
  const attn_forward_params &params = call.params;

  const attnc::spec::Expr &expr = *spec_->mask;
  const RoutingTruth listed(*spec_, call, shape);
  MaskFn truth = [&](int64_t b, int64_t h, int64_t q, int64_t k) {
    return evaluateMask(expr, call.env(b, h, q, k, p.sq, p.skv)).value_or(false) &&
           listed(b, h, q, k);
  };
  MaskFn emitted = [&](int64_t b, int64_t h, int64_t q, int64_t k) {
    return variant::mask_fn(params, b, h, q, k, p.sq, p.skv);
  };
#if ATTN_VARIANT_TILES_GRID
  // What the kernel evaluates on partial boxes: the mask at the coordinates it has.
  emitted = [&](int64_t b, int64_t h, int64_t q, int64_t k) {
    return variant::mask_at(params, b, h, q, k, p.sq, p.skv, pointOf(q, spec_->decls.grid),
                            pointOf(k, spec_->decls.grid));
  };
#endif
  // The spec's score expression (evaluated in double) against the emitted f32 hook.
  const attnc::spec::Expr *scoreExpr = spec_->score.get();
  ScoreFn trueScore = [&](double s, int64_t b, int64_t h, int64_t q, int64_t k) {
    if (!scoreExpr)
      return s;
    attnc::spec::Env env = call.env(b, h, q, k, p.sq, p.skv);
    env.hq = p.heads_q;
    env.s = s;
    return evaluateScore(*scoreExpr, env).value_or(std::nan(""));
  };
  // As the kernel: scores go through the f32 hook only when the variant has one.
  ScoreFn emittedScore = [&](double s, int64_t b, int64_t h, int64_t q, int64_t k) {
    if (!variant::kHasScore)
      return s;
    return double(variant::score_fn(params, float(s), b, h, q, k, p.sq, p.skv, p.heads_q));
  };
  EXPECT_EQ(variant::kHasScore, scoreExpr != nullptr);
  // Without a score modification both sides compute the same doubles; with one, the
  // emitted hook works in f32, whose rounding grows with the scores' magnitude (ALiBi over
  // thousands of positions): the tolerance scales with the largest score of a sample.
  double largest_score = 1;
  std::uniform_int_distribution<int64_t> any_q(0, p.sq - 1), any_k(0, p.skv - 1);
  for (int i = 0; scoreExpr && i < 1000; ++i)
    largest_score = std::max(largest_score, std::abs(trueScore(0.0, 0, i % p.heads_q, any_q(rng),
                                                               any_k(rng))));
  const double tolerance = scoreExpr ? 2e-4 * std::max(1.0, largest_score / 64) : 1e-9;

  // The spec's sink logit (evaluated in double) against the emitted f32 hook.
  const attnc::spec::Expr *sinkExpr = spec_->sink.get();
  EXPECT_EQ(variant::kHasSink, sinkExpr != nullptr);
  SinkFn trueSink;
  if (sinkExpr)
    trueSink = [&](int64_t b, int64_t h) {
      attnc::spec::Env env = call.env(b, h, 0, 0, p.sq, p.skv);
      env.hq = p.heads_q;
      return evaluateScore(*sinkExpr, env).value_or(std::nan(""));
    };
  SinkFn emittedSink = [&](int64_t b, int64_t h) {
    return double(variant::sink_fn(params, b, h, p.heads_q));
  };

  Schedule schedule;
  int64_t wrong_points = 0;
#if ATTN_VARIANT_TILES_GRID
  const TileWalk walk = gridWalk(params, spec_->decls.grid, wrong_points);
#else
  BoundsFn bounds = [&](int64_t b, int64_t h, int64_t q_tile) {
    return kernelKvRanges(params, b, h, q_tile, p.sq, p.skv);
  };
  const TileWalk walk = sequenceWalk(p, variant::kBlockM, variant::kBlockN, bounds, schedule);
#endif
  // The naive reference is O(sq·skv·d) in double: on grids past this many tokens (the 96x96
  // and 8x32x32 examples) five q tiles run, the first and the last (corners of the grid) and
  // three spread between them (inside it, off the tile grid's rows), the others only have
  // their rows checked.
  constexpr int64_t kMaxRunTokens = 4096;
  std::vector<int64_t> run;
  const int64_t n = walk.q_tiles;
  if (p.sq > kMaxRunTokens)
    for (int64_t t : {int64_t(0), n / 3 + 1, n / 2 + 2, 2 * n / 3 + 3, n - 1})
      if (t < n && std::find(run.begin(), run.end(), t) == run.end())
        run.push_back(t);
  std::vector<bool> wanted(p.sq, run.empty());
  for (int64_t t : run)
    for (int64_t i : walk.rows(t))
      if (i >= 0)
        wanted[i] = true;
  Result tiled =
      walkedForward(p, walk, emitted, emittedScore, truth, schedule, emittedSink, run);
  Result naive = naiveForward(p, truth, trueScore, trueSink, [&](int64_t i) { return wanted[i]; });
  EXPECT_EQ(schedule.dropped_kept_pairs, 0) << "a kept pair lies in an unvisited kv tile";
  EXPECT_EQ(schedule.masked_pairs_in_full_tiles, 0) << "a full tile holds a dropped pair";
  EXPECT_EQ(schedule.out_of_range_tiles, 0)
      << "kv_bounds broke begin <= ... <= end <= tiles, or a token lies past the sequence";
  EXPECT_EQ(schedule.keys_visited_twice, 0) << "two kv ranges or kv boxes share a key";
  EXPECT_EQ(schedule.rows_not_covered_once, 0) << "the q tiles do not partition the queries";
  EXPECT_EQ(wrong_points, 0) << "the geometry's coordinates are not its tokens'";

  double o_err = 0;
  for (size_t i = 0; i < naive.o.size(); ++i)
    o_err = std::max(o_err, std::abs(tiled.o[i] - naive.o[i]));
  EXPECT_LT(o_err, tolerance);
  for (size_t i = 0; i < naive.lse.size(); ++i) {
    if (std::isinf(naive.lse[i])) {
      EXPECT_TRUE(std::isinf(tiled.lse[i]) && tiled.lse[i] < 0) << "row " << i;
    } else {
      EXPECT_NEAR(tiled.lse[i], naive.lse[i], tolerance * std::max(1.0, std::abs(naive.lse[i])))
          << "row " << i;
    }
  }
}

// The interval image of the mask must be sound on any box: a box it calls
// "never kept" holds no kept pair, one it calls "never dropped" no dropped one.
TEST_P(HostExec, MaskBoxIsSound) {
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  std::mt19937 rng(uint32_t(shape.sq * 31 + shape.skv));
  CallData call(*spec_, shape, rng);
  const attnc::spec::Expr &expr = *spec_->mask;
  std::uniform_int_distribution<int64_t> qd(0, shape.sq - 1), kd(0, shape.skv - 1),
      len(1, 64);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t q0 = qd(rng), k0 = kd(rng);
    const int64_t q1 = std::min(shape.sq - 1, q0 + len(rng));
    const int64_t k1 = std::min(shape.skv - 1, k0 + len(rng));
    const int64_t h = trial % shape.heads_q;
    const attn::device::Tri box =
        variant::MaskBox{call.params, 0, h, shape.sq, shape.skv}({q0, q1}, {k0, k1});
    bool any_kept = false, any_dropped = false;
    for (int64_t q = q0; q <= q1; ++q)
      for (int64_t k = k0; k <= k1; ++k) {
        (evaluateMask(expr, call.env(0, h, q, k, shape.sq, shape.skv)).value_or(false) ? any_kept : any_dropped) = true;
      }
    EXPECT_TRUE(box.may_true || !any_kept) << "box q[" << q0 << "," << q1 << "] k[" << k0 << ","
                                           << k1 << "] holds a kept pair";
    EXPECT_TRUE(box.may_false || !any_dropped) << "box q[" << q0 << "," << q1 << "] k[" << k0
                                               << "," << k1 << "] holds a dropped pair";
  }
}

// The mask in three parts (mask_row once per row, mask_key once per key, mask_pair per pair,
// as the sm_90a kernel's partial tiles evaluate it) must be mask_fn on every pair: every pair
// of a short sequence, 20000 random pairs of a long one.
TEST_P(HostExec, SplitMaskIsTheMask) {
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  std::mt19937 rng(uint32_t(shape.sq * 17 + shape.skv));
  CallData call(*spec_, shape, rng);
  const attn_forward_params &params = call.params;
  int64_t checked = 0, wrong = 0;
  auto check = [&](int64_t b, int64_t h, int64_t q, int64_t k) {
    const bool split =
        variant::mask_pair(params, b, h, q, k, shape.sq, shape.skv,
                           variant::mask_row(params, b, h, q, shape.sq, shape.skv),
                           variant::mask_key(params, b, h, k, shape.sq, shape.skv));
    wrong += split != variant::mask_fn(params, b, h, q, k, shape.sq, shape.skv);
    ++checked;
  };
  for (int64_t b = 0; b < shape.batch; ++b)
    for (int64_t h = 0; h < shape.heads_q; ++h)
      if (shape.sq * shape.skv <= 300 * 300) {
        for (int64_t q = 0; q < shape.sq; ++q)
          for (int64_t k = 0; k < shape.skv; ++k)
            check(b, h, q, k);
      } else {
        std::uniform_int_distribution<int64_t> any_q(0, shape.sq - 1), any_k(0, shape.skv - 1);
        for (int i = 0; i < 20000; ++i)
          check(b, h, any_q(rng), any_k(rng));
      }
  EXPECT_GT(checked, 0);
  EXPECT_EQ(wrong, 0) << "of " << checked << " pairs";
}

// A row's key intervals [lo, hi]; a variant without row keys has none.
using KeyIntervals = std::vector<std::pair<int64_t, int64_t>>;
template <int N>
KeyIntervals intervalsOf(const attn::device::RowKeys<N> &keys) {
  KeyIntervals list;
  for (int i = 0; i < N; ++i)
    list.push_back({keys.lo[i], keys.hi[i]});
  return list;
}
KeyIntervals intervalsOf(const attn::device::RowKeys<0> &) { return {}; }

// Where the mask has row keys (tile.row_keys), the sm_90a kernel's partial tiles test keys
// against them instead of calling the mask: on every valid row they must keep exactly the keys
// the spec's mask keeps, and only keys of the problem.
TEST_P(HostExec, RowKeysAreTheMask) {
  if (variant::kRowKeyIntervals == 0)
    GTEST_SKIP() << "the mask has no row keys";
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  std::mt19937 rng(uint32_t(shape.sq * 13 + shape.skv));
  CallData call(*spec_, shape, rng);
  const attnc::spec::Expr &expr = *spec_->mask;
  // Every row of a short sequence; of a long one its first and last rows and 64 between.
  std::vector<int64_t> rows;
  if (shape.sq <= 300) {
    for (int64_t q = 0; q < shape.sq; ++q)
      rows.push_back(q);
  } else {
    std::uniform_int_distribution<int64_t> any_q(0, shape.sq - 1);
    rows = {0, shape.sq - 1};
    for (int i = 0; i < 64; ++i)
      rows.push_back(any_q(rng));
  }
  int64_t wrong = 0;
  for (int64_t q : rows) {
    const KeyIntervals keys = intervalsOf(variant::row_keys(call.params, q, shape.sq, shape.skv));
    for (auto [lo, hi] : keys)
      EXPECT_TRUE(lo >= 0 && lo <= shape.skv && hi >= -1 && hi < shape.skv)
          << "row " << q << ": [" << lo << ", " << hi << "] is not clamped to the keys";
    for (int64_t k = 0; k < shape.skv; ++k) {
      const bool kept =
          evaluateMask(expr, call.env(0, 0, q, k, shape.sq, shape.skv)).value_or(false);
      const bool inKeys = std::any_of(keys.begin(), keys.end(),
                                      [&](auto interval) { return interval.first <= k && k <= interval.second; });
      if (kept != inKeys && wrong++ < 5)
        ADD_FAILURE() << "row " << q << ", key " << k << ": the mask "
                      << (kept ? "keeps" : "drops") << " it, the row keys do not";
    }
  }
  EXPECT_EQ(wrong, 0);
}

// The sm_90a kernel scores key k0 + c through score_split, whose key-affine conversions add the
// column c to a part converted per row: the same f32 as score_fn while the integers stay within
// 2^24 (every key here), and within one rounding of the converted value beyond (long rows).
TEST_P(HostExec, ScoreSplitIsScoreFn) {
  if (!variant::kHasScore)
    GTEST_SKIP() << "the spec has no score";
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  std::mt19937 rng(uint32_t(shape.sq * 5 + shape.skv));
  CallData call(*spec_, shape, rng);
  std::normal_distribution<float> score(0.f, 4.f);
  std::uniform_int_distribution<int64_t> any_q(0, shape.sq - 1), any_k(0, shape.skv - 1),
      column(0, 127);
  for (int trial = 0; trial < 2000; ++trial) {
    const int64_t q = any_q(rng), k = any_k(rng), h = trial % shape.heads_q;
    const int c = int(std::min<int64_t>(k, column(rng)));
    const float s = score(rng);
    const float whole = variant::score_fn(call.params, s, 0, h, q, k, shape.sq, shape.skv,
                                          shape.heads_q);
    const float split = variant::score_split(call.params, s, 0, h, q, k - c, c, shape.sq,
                                             shape.skv, shape.heads_q);
    ASSERT_TRUE(whole == split || (std::isnan(whole) && std::isnan(split)))
        << "q " << q << ", key " << k - c << " + " << c << ": " << split << " != " << whole;
  }
  // Keys near 2^30 (the longest rows the runtime takes), where f32 no longer holds every integer;
  // not for scores that read tensors, which hold only this shape's rows.
  if (!spec_->decls.tensors.empty())
    return;
  std::uniform_int_distribution<int64_t> far(int64_t(1) << 29, (int64_t(1) << 30) - 129);
  for (int trial = 0; trial < 2000; ++trial) {
    const int64_t q = far(rng), k = far(rng);
    const int c = int(column(rng));
    const float s = score(rng);
    const int64_t len = int64_t(1) << 30;
    const float whole = variant::score_fn(call.params, s, 0, 0, q, k, len, len, shape.heads_q);
    const float split =
        variant::score_split(call.params, s, 0, 0, q, k - c, c, len, len, shape.heads_q);
    if (std::isnan(whole) || std::isinf(whole))
      continue;
    EXPECT_LE(std::abs(double(split) - double(whole)),
              2.5e-7 * std::max(1.0, double(std::abs(whole))))
        << "q " << q << ", key " << k - c << " + " << c;
  }
}

// The interval image over a box of the grid, for variants that have one (grid specs); the test
// below skips the others, for which the fallback only keeps it compiling.
template <class Box>
auto gridImage(const Box &box, attn::device::Interval q, attn::device::Interval k,
               const attn::device::GridBox &qc, const attn::device::GridBox &kc, int)
    -> decltype(box(q, k, qc, kc)) {
  return box(q, k, qc, kc);
}
template <class Box>
attn::device::Tri gridImage(const Box &, attn::device::Interval, attn::device::Interval,
                            const attn::device::GridBox &, const attn::device::GridBox &, long) {
  return {true, true};
}

// On a token grid, a kernel that tiles it in N-d asks the interval image about boxes of the grid
// (a tile's coordinates per axis, its tokens as their hull): it must be sound there too.
TEST_P(HostExec, GridMaskBoxIsSound) {
  Shape shape = GetParam();
  std::string why;
  if (!callable(*spec_, shape, why))
    GTEST_SKIP() << why;
  const std::vector<int64_t> &grid = spec_->decls.grid;
  if (grid.empty())
    GTEST_SKIP() << "the spec has no token grid";
  std::mt19937 rng(uint32_t(shape.sq * 17 + shape.batch));
  CallData call(*spec_, shape, rng);
  const attnc::spec::Expr &expr = *spec_->mask;
  const int rank = int(grid.size());
  // A random box of the grid: coordinates per axis, its token hull, its tokens.
  auto randomBox = [&](attn::device::GridBox &box, attn::device::Interval &hull,
                       std::vector<int64_t> &tokens) {
    for (int a = 0; a < rank; ++a) {
      std::uniform_int_distribution<int64_t> lo(0, grid[a] - 1), len(0, 9);
      const int64_t first = lo(rng);
      box.axis[a] = {first, std::min(grid[a] - 1, first + len(rng))};
    }
    hull = {0, 0};
    for (int a = 0; a < rank; ++a) {
      hull.lo = hull.lo * grid[a] + box.axis[a].lo;
      hull.hi = hull.hi * grid[a] + box.axis[a].hi;
    }
    tokens = {0};
    for (int a = 0; a < rank; ++a) {
      std::vector<int64_t> next;
      for (int64_t t : tokens)
        for (int64_t c = box.axis[a].lo; c <= box.axis[a].hi; ++c)
          next.push_back(t * grid[a] + c);
      tokens = std::move(next);
    }
  };
  for (int trial = 0; trial < 300; ++trial) {
    attn::device::GridBox qc{}, kc{};
    attn::device::Interval qHull{}, kHull{};
    std::vector<int64_t> qs, ks;
    randomBox(qc, qHull, qs);
    randomBox(kc, kHull, ks);
    const int64_t h = trial % shape.heads_q;
    const attn::device::Tri box = gridImage(
        variant::MaskBox{call.params, 0, h, shape.sq, shape.skv}, qHull, kHull, qc, kc, 0);
    bool any_kept = false, any_dropped = false;
    for (int64_t q : qs)
      for (int64_t k : ks)
        (evaluateMask(expr, call.env(0, h, q, k, shape.sq, shape.skv)).value_or(false)
             ? any_kept
             : any_dropped) = true;
    EXPECT_TRUE(box.may_true || !any_kept) << "trial " << trial << ": a kept pair in an empty box";
    EXPECT_TRUE(box.may_false || !any_dropped)
        << "trial " << trial << ": a dropped pair in a full box";
  }
}

// Lengths around the tile sizes (32, 64, 128), sq below and above skv (causal
// rows with no key when sq > skv), GQA and MQA; two long ones so that the
// example masks' own lengths (windows of 512 and 1024, prefixes and chunks of
// 2048) bite.
INSTANTIATE_TEST_SUITE_P(
    Shapes, HostExec,
    ::testing::Values(Shape{1, 1, 1, 1, 1}, Shape{1, 2, 1, 1, 300}, Shape{1, 2, 2, 300, 1},
                      Shape{2, 2, 1, 127, 129}, Shape{1, 4, 2, 128, 128},
                      Shape{1, 2, 2, 129, 64}, Shape{1, 3, 1, 257, 255},
                      Shape{2, 1, 1, 200, 33}, Shape{1, 2, 2, 33, 200},
                      Shape{1, 1, 1, 2500, 2600}, Shape{1, 1, 1, 2300, 1100},
                      Shape{1, 2, 1, kGridTokens, kGridTokens},
                      Shape{2, 1, 1, kGridTokens, kGridTokens}));

} // namespace
