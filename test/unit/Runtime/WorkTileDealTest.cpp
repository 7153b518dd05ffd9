// The sm_90a kernel's work tiles (attn/device/sm90/scheduler.cuh), on the host: the numbering is
// a bijection onto (q tile, head, batch) that starts each L2 section with its longest tiles, and
// the snake deal hands every number to exactly one CTA, for plain and persistent grids. (The
// counter deal is the GPU suite's: its CTAs take numbers from an atomic counter.)
#include "attn/device/geometry.h"
#include "attn/device/sm90/scheduler.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

namespace {

using attn::device::SequenceGeometry;
using attn::device::sm90::SnakeDeal;
using attn::device::sm90::TileNumbering;
using attn::device::sm90::WorkTile;

using Numbering = TileNumbering<SequenceGeometry<128, 128>, 128>;

attn_forward_params problem(int batch, int heads_q, int heads_kv, int seqlen) {
  attn_forward_params p{};
  p.batch = batch;
  p.heads_q = heads_q;
  p.heads_kv = heads_kv;
  p.head_group = heads_q / heads_kv;
  p.seqlen_q = seqlen;
  p.seqlen_k = seqlen;
  return p;
}

struct Case {
  int batch, heads_q, heads_kv, seqlen;
};
// Short sequences (every head in one L2 section) and long ones (sections of a few heads, the
// last one shorter), GQA included.
const Case kCases[] = {{1, 1, 1, 1},       {2, 8, 2, 100},      {2, 16, 16, 8192},
                       {1, 32, 8, 8192},   {3, 5, 5, 65536},    {1, 7, 1, 40000},
                       {2, 3, 3, 129}};

TEST(WorkTileDeal, NumberingIsABijectionStartingSectionsWithTheLongestTiles) {
  for (const Case &c : kCases) {
    const attn_forward_params p = problem(c.batch, c.heads_q, c.heads_kv, c.seqlen);
    SCOPED_TRACE(testing::Message() << "B" << c.batch << " H" << c.heads_q << "/" << c.heads_kv
                                    << " S" << c.seqlen);
    const Numbering tiles(p);
    const int64_t total = Numbering::num_tiles(p);
    const int64_t q_tiles = (c.seqlen + 127) / 128;
    ASSERT_EQ(total, int64_t(c.batch) * c.heads_q * q_tiles);
    EXPECT_FALSE(tiles.valid(-1));
    EXPECT_FALSE(tiles.valid(total));
    std::set<std::tuple<int, int, int>> seen;
    for (int64_t i = 0; i < total; ++i) {
      ASSERT_TRUE(tiles.valid(i));
      const WorkTile t = tiles.tile(i);
      ASSERT_GE(t.q_tile, 0);
      ASSERT_LT(t.q_tile, q_tiles);
      ASSERT_GE(t.head, 0);
      ASSERT_LT(t.head, c.heads_q);
      ASSERT_GE(t.batch, 0);
      ASSERT_LT(t.batch, c.batch);
      EXPECT_TRUE(seen.insert({t.q_tile, t.head, t.batch}).second) << "tile " << i << " repeats";
    }
    EXPECT_EQ(int64_t(seen.size()), total);
    EXPECT_EQ(tiles.tile(0).q_tile, q_tiles - 1) << "the longest causal tile first";
  }
}

TEST(WorkTileDeal, SnakeDealGivesEveryTileToOneCta) {
  for (const Case &c : kCases) {
    const attn_forward_params p = problem(c.batch, c.heads_q, c.heads_kv, c.seqlen);
    const Numbering tiles(p);
    const int64_t total = Numbering::num_tiles(p);
    // A plain grid (one CTA per tile) and persistent grids of 132 and of 7 CTAs.
    for (int64_t grid : {total, std::min<int64_t>(total, 132), std::min<int64_t>(total, 7)}) {
      SCOPED_TRACE(testing::Message() << "S" << c.seqlen << " grid " << grid);
      std::vector<int> taken(total, 0);
      for (int64_t cta = 0; cta < grid; ++cta) {
        const SnakeDeal deal(cta, grid);
        int64_t round = 0;
        for (int64_t i = deal.first(); tiles.valid(i); i = deal.next(++round)) ++taken[i];
      }
      EXPECT_EQ(std::count(taken.begin(), taken.end(), 1), total) << "each tile once";
    }
  }
}

// With packed heads (decoding), a work tile is a (q tile, kv head, batch) triple whose rows are
// the group's (query, head) pairs: every (query, q head, batch) is the valid row of exactly one
// tile, and the tile visits the kv tiles of the q tile of block_m queries that holds it.
TEST(WorkTileDeal, PackedHeadsGiveEveryQueryOfEveryHeadOneRow) {
  using Geometry = SequenceGeometry<128, 128, /*PackedHeads=*/true>;
  using PackedNumbering = TileNumbering<Geometry, 128>;
  const Case packed[] = {{1, 32, 8, 1}, {2, 8, 2, 17}, {3, 16, 2, 15}, {1, 4, 1, 31}, {2, 64, 1, 1}};
  for (const Case &c : packed) {
    SCOPED_TRACE(testing::Message() << "B" << c.batch << " H" << c.heads_q << "/" << c.heads_kv
                                    << " S" << c.seqlen);
    attn_forward_params p = problem(c.batch, c.heads_q, c.heads_kv, c.seqlen);
    p.pack_heads = 1;
    const PackedNumbering tiles(p);
    const int64_t total = PackedNumbering::num_tiles(p);
    const int64_t group = p.head_group;
    ASSERT_EQ(total, int64_t(c.batch) * c.heads_kv * ((c.seqlen * group + 127) / 128));
    std::set<std::tuple<int, int, int>> rows;
    for (int64_t i = 0; i < total; ++i) {
      const WorkTile t = tiles.tile(i);
      ASSERT_EQ(t.head % group, 0) << "a group's first head";
      ASSERT_LT(t.head, c.heads_q);
      for (int r = 0; r < 128; ++r) {
        const auto row = Geometry::q_row(p, t.q_tile, r);
        if (!row.valid) continue;
        ASSERT_LT(row.token, c.seqlen);
        ASSERT_LT(row.head, group);
        EXPECT_EQ(Geometry::query_tile(p, t.q_tile), row.token / 128)
            << "the kv tiles of the tile holding the query";
        EXPECT_TRUE(rows.insert({row.token, t.head + row.head, t.batch}).second)
            << "row " << r << " of tile " << i << " repeats a query";
      }
    }
    EXPECT_EQ(int64_t(rows.size()), int64_t(c.batch) * c.heads_q * c.seqlen);
  }
}

}  // namespace
