//===- TileClassifier.h - Which pairs of a tile the mask keeps --*- C++ -*-===//
//
// Decides, at compile time, whether the mask of an attn.attention keeps every
// pair of a tile (Full), none (Empty) or some (Partial), for any mask the
// region can express, by abstract interpretation over integer intervals:
//
//   IntervalInterpreter  runs the mask region once over a box of indices:
//                        every i64 is an interval [lo, hi] that holds each
//                        value it takes in the box, every i1 one of
//                        {false}, {true}, {false, true}.
//   TileClassifier       asks the interpreter about a tile; where the answer
//                        is "either", bisects the tile and asks again, until
//                        every piece is decided or a budget is spent.
//
// Contract (soundness): Empty only if no pair of the box is kept, Full only
// if every pair is kept. Anything unsure is Partial, never the other way.
//
// Precision:
//  * One interpretation is exact for one comparison of a function of q with
//    a function of k (k <= q + skv - sq, k < n, q / n == k / n, ...): q and
//    k vary independently in a box, and the monotone ops give contiguous
//    images, so "may be true" and "may be false" each have a witness.
//  * Combinations lose precision through correlation only: `a && b` may
//    look "either" although no pair satisfies both (a window with l + r < 0)
//    and `a || b` although every pair satisfies one (sink plus window).
//    Bisection settles these: a box of one point is evaluated exactly (its
//    intervals are points), so the answer is exact -- Empty iff no pair is
//    kept, Full iff every pair is -- whenever the search ends within
//    kMaxEvaluations interpretations. The search is depth-first and stops at
//    the first Partial half: a tile decided at once costs 1 interpretation,
//    a tile that a mask boundary crosses typically about 2·log2(its area)
//    (13 to 16 for the 128x32 tiles on a causal diagonal), and a tile that
//    looks "either" at every scale a walk along the boundary inside it (693
//    for the empty band k >= q + 1 && k <= q on 128x128). Past the budget the
//    tile is Partial. The unit tests check exactness against brute force for
//    none, causal, window, sink, prefix-LM, chunk, block-diagonal, their
//    built-ins and and/or/?: combinations of them.
//  * i64 arithmetic is checked: a bound that would leave int64 makes the
//    value unknown (the full int64 range), as does division or remainder by
//    a range holding 0; a point whose value is unknown stays Partial. Ops
//    the interpreter does not know (and values of any type but i64 and i1)
//    are unknown too.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_TILECLASSIFIER_H
#define ATTNC_COMPILER_ANALYSIS_TILECLASSIFIER_H

#include "dialects/Attn/IR/AttnOps.h"

#include "llvm/ADT/DenseMap.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace mlir::attn {

/// The int64 values lo..hi (lo <= hi). An i1 is an interval inside [0, 1]:
/// [0, 0] is false, [1, 1] true, [0, 1] either.
struct Interval {
  int64_t lo;
  int64_t hi;

  static Interval point(int64_t value) { return {value, value}; }
  static Interval all(); ///< the whole int64 range: nothing is known
  static Interval eitherBool() { return {0, 1}; }

  bool isPoint() const { return lo == hi; }
  bool operator==(const Interval &other) const {
    return lo == other.lo && hi == other.hi;
  }
};

/// A box of mask arguments: every (b, h, q, k, sq, skv) whose coordinates lie
/// in these intervals.
struct MaskBox {
  Interval b = Interval::point(0);
  Interval h = Interval::point(0);
  Interval q;
  Interval k;
  Interval sq;
  Interval skv;
  /// On a token grid tiled in N-d: the grid coordinates of q and of k, one
  /// interval per axis, which attn.grid_coord of q and k reads (q and k are
  /// then the boxes' token hulls). Empty otherwise: coordinates are the
  /// image of the token intervals.
  llvm::SmallVector<Interval, 3> qc, kc;
};

/// Interprets the mask region of one attn.attention over boxes.
class IntervalInterpreter {
public:
  explicit IntervalInterpreter(AttentionOp op) : op(op) {}

  /// What the mask yields over `box`: an interval inside [0, 1] holding the
  /// value it yields for every point of the box.
  Interval evaluate(const MaskBox &box);

  /// After evaluate(): the interval of a value of the mask region.
  Interval valueOf(Value value) const;

private:
  void interpret(Operation &operation);

  AttentionOp op;
  const MaskBox *box = nullptr; ///< during evaluate()
  llvm::DenseMap<Value, Interval> values;
};

enum class TileClass {
  Empty,   ///< no pair kept: the tile is skipped
  Full,    ///< every pair kept: no mask code
  Partial, ///< some pairs kept, or not decided: the mask is evaluated
};

/// "empty", "full", "partial".
llvm::StringRef stringifyTileClass(TileClass tileClass);

/// Classifies boxes of one mask, bisecting where one interpretation is unsure.
class TileClassifier {
public:
  /// Interpretations one classify() may spend before it settles for Partial.
  static constexpr int kMaxEvaluations = 4096;

  explicit TileClassifier(AttentionOp op) : interpreter(op) {
    if (std::optional<llvm::ArrayRef<int64_t>> sizes = op.getGrid())
      grid.assign(sizes->begin(), sizes->end());
  }

  /// The class of the pairs of `box`. Only points with 0 <= q < sq and
  /// 0 <= k < skv are pairs: q and k are first clipped to [0, sq.hi) and
  /// [0, skv.hi), and a box left with no pair is Empty.
  TileClass classify(MaskBox box);

  /// Whether one interpretation of a box of the grid (qc and kc set) leaves
  /// the mask possibly true, with no bisection: what a kernel's interval image
  /// (the emitted mask_box) answers, where classify() may know better.
  bool imageMayKeep(MaskBox box);

private:
  TileClass search(const MaskBox &box, int &budget);
  /// The two halves of `box` along its widest extent: for a box of the grid
  /// a coordinate of q or k (the token hulls follow), else q, k, then b, h,
  /// sq, skv. None for a point.
  std::optional<std::pair<MaskBox, MaskBox>> bisect(const MaskBox &box) const;

  IntervalInterpreter interpreter;
  llvm::SmallVector<int64_t, 3> grid; ///< the attention's token grid, if any
};

/// classify() of one box (use a TileClassifier for many).
TileClass classifyTile(AttentionOp op, const MaskBox &box);

/// The tiling of one (batch, head) problem: q tile i holds rows
/// [i·blockM, min((i+1)·blockM, sq)), kv tile j keys [j·blockN, ...).
struct TileGrid {
  int64_t b = 0;
  int64_t h = 0;
  int64_t sq = 0;
  int64_t skv = 0;
  int64_t blockM = 0;
  int64_t blockN = 0;
};

/// A kv tile a q tile has to visit, Full or Partial.
struct KvTileVisit {
  int64_t tile;
  TileClass tileClass;
};

/// The kv tiles that q tile `qTile` visits, in ascending order, with their
/// class; Empty tiles are left out. A kv tile cut by the end of the keys is
/// Partial even where the mask keeps all its pairs: the kernel has to check
/// k < skv there.
std::vector<KvTileVisit> planQTile(TileClassifier &classifier,
                                   const TileGrid &grid, int64_t qTile);

/// A token grid tiled in N-d: q tiles are boxes of `qBox` (one extent per
/// axis of `sizes`), numbered row-major over the tile grid; q tile c covers
/// coordinates [c·box, (c+1)·box) per axis, clipped. kv tiles are boxes of
/// `kvBox` placed at any grid point, named by that point's token (row-major).
struct GridTiling {
  int64_t b = 0;
  int64_t h = 0;
  std::vector<int64_t> sizes, qBox, kvBox;
  int64_t tokens() const;
  int64_t qTileCount() const;
  /// Tile coordinates of q tile `index`.
  std::vector<int64_t> qTileCoords(int64_t index) const;
  /// Grid coordinates of token `token`.
  std::vector<int64_t> tokenCoords(int64_t token) const;
};

/// planQTile() on a grid tiling, as both kernel families place their kv boxes
/// (runtime/device/attn/device/grid_kv_tiles.h): along each axis from
/// the first key coordinate the mask may keep for the q tile to the last, in
/// boxes of kvBox from the first; each box that is not Empty, with its class
/// (Partial where it is cut by the grid's edge: the kernel checks its keys'
/// validity there). Visits are named by their first token.
std::vector<KvTileVisit> planGridQTile(TileClassifier &classifier, const GridTiling &tiling,
                                       int64_t qTile);

/// How many kv boxes all q tiles of `tiling` visit together, as the kernel
/// counts them (a box is skipped only where one interpretation finds it
/// empty): the cost by which chooseGridKvBox() compares box shapes.
int64_t countGridKvVisits(TileClassifier &classifier, const GridTiling &tiling);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_TILECLASSIFIER_H
