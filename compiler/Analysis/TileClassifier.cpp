//===- TileClassifier.cpp - Which pairs of a tile the mask keeps ----------===//

#include "compiler/Analysis/TileClassifier.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <algorithm>
#include <limits>

namespace mlir::attn {
namespace {

//===----------------------------------------------------------------------===//
// Interval arithmetic
//===----------------------------------------------------------------------===//
//
// Bounds are computed in 128 bits, where no sum, difference or product of two
// int64 values overflows; a result bound outside int64 makes the value
// unknown, because arith wraps (or is undefined) there and the values would
// no longer form one range.

using Wide = __int128;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Interval fromWide(Wide lo, Wide hi) {
  if (lo < kMin || hi > kMax)
    return Interval::all();
  return {static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}

/// The hull of four corner values.
Interval hull(Wide a, Wide b, Wide c, Wide d) {
  return fromWide(std::min({a, b, c, d}), std::max({a, b, c, d}));
}

bool containsZero(Interval x) { return x.lo <= 0 && 0 <= x.hi; }

Interval add(Interval x, Interval y) {
  return fromWide(Wide(x.lo) + y.lo, Wide(x.hi) + y.hi);
}

Interval sub(Interval x, Interval y) {
  return fromWide(Wide(x.lo) - y.hi, Wide(x.hi) - y.lo);
}

Interval mul(Interval x, Interval y) {
  return hull(Wide(x.lo) * y.lo, Wide(x.lo) * y.hi, Wide(x.hi) * y.lo,
              Wide(x.hi) * y.hi);
}

enum class Rounding { TowardZero, Down, Up };

Wide divide(Wide x, Wide y, Rounding rounding) {
  Wide quotient = x / y; // C++ truncates toward zero
  Wide remainder = x % y;
  bool negative = (remainder < 0) != (y < 0);
  if (remainder != 0 && rounding == Rounding::Down && negative)
    --quotient;
  if (remainder != 0 && rounding == Rounding::Up && !negative)
    ++quotient;
  return quotient;
}

/// divsi, floordivsi, ceildivsi. With a divisor of one sign, each rounding of
/// x / y is monotone in x for a fixed y and in y for a fixed x, so the
/// extremes lie at the corners. INT64_MIN / -1 leaves int64 and is unknown.
Interval div(Interval x, Interval y, Rounding rounding) {
  if (containsZero(y))
    return Interval::all();
  return hull(divide(x.lo, y.lo, rounding), divide(x.lo, y.hi, rounding),
              divide(x.hi, y.lo, rounding), divide(x.hi, y.hi, rounding));
}

/// remsi: the remainder has the sign of the dividend and a magnitude below
/// the divisor's.
Interval rem(Interval x, Interval y) {
  if (containsZero(y) || (x.lo == kMin && y.lo <= -1 && -1 <= y.hi))
    return Interval::all(); // undefined: by zero, or INT64_MIN % -1
  if (y.isPoint()) {
    // One quotient for the whole range: the remainder is x shifted.
    Wide quotient = divide(x.lo, y.lo, Rounding::TowardZero);
    if (quotient == divide(x.hi, y.lo, Rounding::TowardZero))
      return fromWide(x.lo - quotient * y.lo, x.hi - quotient * y.lo);
  }
  Wide largest = std::max(-Wide(y.lo), Wide(y.hi)) - 1; // |x % y| <= largest
  Wide lo = x.lo >= 0 ? 0 : std::max(Wide(x.lo), -largest);
  Wide hi = x.hi <= 0 ? 0 : std::min(Wide(x.hi), largest);
  return fromWide(lo, hi);
}

Interval hullOf(Interval x, Interval y) {
  return {std::min(x.lo, y.lo), std::max(x.hi, y.hi)};
}

//===----------------------------------------------------------------------===//
// i1 values: intervals inside [0, 1]
//===----------------------------------------------------------------------===//

Interval boolOf(bool mayBeFalse, bool mayBeTrue) {
  return {mayBeFalse ? 0 : 1, mayBeTrue ? 1 : 0};
}

Interval lessThan(Interval x, Interval y) {
  return boolOf(/*mayBeFalse=*/x.hi >= y.lo, /*mayBeTrue=*/x.lo < y.hi);
}

Interval lessEqual(Interval x, Interval y) {
  return boolOf(/*mayBeFalse=*/x.hi > y.lo, /*mayBeTrue=*/x.lo <= y.hi);
}

Interval equal(Interval x, Interval y) {
  bool overlap = x.lo <= y.hi && y.lo <= x.hi;
  bool samePoint = x.isPoint() && y.isPoint() && x.lo == y.lo;
  return boolOf(/*mayBeFalse=*/!samePoint, /*mayBeTrue=*/overlap);
}

Interval negate(Interval x) { return {1 - x.hi, 1 - x.lo}; }

/// A signed predicate, or an unsigned one where both operands have one sign
/// (two's complement keeps the order within each sign).
Interval compare(arith::CmpIPredicate predicate, Interval x, Interval y) {
  using P = arith::CmpIPredicate;
  bool sameSign = (x.lo >= 0 && y.lo >= 0) || (x.hi < 0 && y.hi < 0);
  switch (predicate) {
  case P::eq: return equal(x, y);
  case P::ne: return negate(equal(x, y));
  case P::slt: return lessThan(x, y);
  case P::sle: return lessEqual(x, y);
  case P::sgt: return lessThan(y, x);
  case P::sge: return lessEqual(y, x);
  case P::ult: return sameSign ? lessThan(x, y) : Interval::eitherBool();
  case P::ule: return sameSign ? lessEqual(x, y) : Interval::eitherBool();
  case P::ugt: return sameSign ? lessThan(y, x) : Interval::eitherBool();
  case P::uge: return sameSign ? lessEqual(y, x) : Interval::eitherBool();
  }
  return Interval::eitherBool();
}

bool isI64(Type type) { return type.isSignlessInteger(64); }
bool isI1(Type type) { return type.isSignlessInteger(1); }

Interval unknown(Type type) {
  return isI1(type) ? Interval::eitherBool() : Interval::all();
}

} // namespace

Interval Interval::all() { return {kMin, kMax}; }

namespace {
Interval gridCoordOf(Interval index, int64_t stride, int64_t size) {
  if (index.lo < 0)
    return {0, size - 1};
  const int64_t first = index.lo / stride, last = index.hi / stride;
  if (last - first >= size)
    return {0, size - 1};
  const int64_t lo = first % size, hi = last % size;
  return lo <= hi ? Interval{lo, hi} : Interval{0, size - 1};
}
} // namespace

//===----------------------------------------------------------------------===//
// IntervalInterpreter
//===----------------------------------------------------------------------===//

Interval IntervalInterpreter::evaluate(const MaskBox &box) {
  values.clear();
  this->box = &box;
  Block &block = op.getMaskBlock();
  const Interval args[AttentionOp::kNumMaskArgs] = {box.b, box.h,  box.q,
                                                    box.k, box.sq, box.skv};
  for (unsigned i = 0; i < AttentionOp::kNumMaskArgs; ++i)
    values[block.getArgument(i)] = args[i];
  for (Operation &operation : block.without_terminator())
    interpret(operation);
  return valueOf(op.getMaskYield());
}

Interval IntervalInterpreter::valueOf(Value value) const {
  auto it = values.find(value);
  return it != values.end() ? it->second : unknown(value.getType());
}

namespace {

using Lookup = llvm::function_ref<Interval(Value)>;

/// Ops that mean the same for i64 and i1 results: constants, select, and
/// the predicates (cmpi, attn.causal). Nullopt for any other op.
std::optional<Interval> transferAnyWidth(Operation &operation, Lookup in) {
  Type type = operation.getResult(0).getType();
  return llvm::TypeSwitch<Operation *, std::optional<Interval>>(&operation)
      .Case([&](arith::ConstantOp constant) -> std::optional<Interval> {
        auto attr = dyn_cast<IntegerAttr>(constant.getValue());
        if (!attr)
          return std::nullopt;
        if (isI1(type)) // `true` is the 1-bit value 1 (-1 read as signed)
          return Interval::point(attr.getValue().isOne() ? 1 : 0);
        return Interval::point(attr.getValue().getSExtValue());
      })
      .Case([&](arith::SelectOp select) {
        Interval condition = in(select.getCondition());
        if (condition.isPoint())
          return condition.lo ? in(select.getTrueValue()) : in(select.getFalseValue());
        return hullOf(in(select.getTrueValue()), in(select.getFalseValue()));
      })
      .Case([&](arith::CmpIOp cmp) -> std::optional<Interval> {
        // i1 operands are 0/1 here, so only eq and ne keep their meaning.
        arith::CmpIPredicate predicate = cmp.getPredicate();
        if (isI64(cmp.getLhs().getType()) ||
            (isI1(cmp.getLhs().getType()) &&
             (predicate == arith::CmpIPredicate::eq || predicate == arith::CmpIPredicate::ne)))
          return compare(predicate, in(cmp.getLhs()), in(cmp.getRhs()));
        return std::nullopt;
      })
      .Case([&](CausalOp causal) {
        Interval query = in(causal.getQuery());
        Interval limit = causal.getAlignment() == Alignment::bottom_right
                             ? add(query, sub(in(causal.getKeyLen()), in(causal.getQueryLen())))
                             : query;
        return lessEqual(in(causal.getKey()), limit);
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// andi, ori, xori of i1 values: monotone on 0/1 except xor.
std::optional<Interval> transferBool(Operation &operation, Lookup in) {
  if (operation.getNumOperands() != 2)
    return std::nullopt;
  Interval x = in(operation.getOperand(0)), y = in(operation.getOperand(1));
  return llvm::TypeSwitch<Operation *, std::optional<Interval>>(&operation)
      .Case([&](arith::AndIOp) { return Interval{x.lo & y.lo, x.hi & y.hi}; })
      .Case([&](arith::OrIOp) { return Interval{x.lo | y.lo, x.hi | y.hi}; })
      .Case([&](arith::XOrIOp) {
        return x.isPoint() && y.isPoint() ? Interval::point(x.lo ^ y.lo)
                                          : Interval::eitherBool();
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// math.ctlz: leading zeros fall as a positive value grows; 0 for negatives.
Interval countLeadingZeros(Interval x) {
  auto zeros = [](int64_t v) -> int64_t { return llvm::countl_zero(uint64_t(v)); };
  if (x.lo > 0)
    return {zeros(x.hi), zeros(x.lo)};
  if (x.hi < 0)
    return Interval::point(0);
  return {0, 64};
}

/// shli: x << s grows with both for x >= 0 and s in [0, 62], until int64 ends.
Interval shiftLeft(Interval x, Interval s) {
  if (x.lo < 0 || s.lo < 0 || s.hi > 62)
    return Interval::all();
  return fromWide(Wide(x.lo) << s.lo, Wide(x.hi) << s.hi);
}

/// shrsi: x >> s is monotone in each for s in [0, 63]; the corners bound it.
Interval shiftRight(Interval x, Interval s) {
  if (s.lo < 0 || s.hi > 63)
    return Interval::all();
  return hull(x.lo >> s.lo, x.lo >> s.hi, x.hi >> s.lo, x.hi >> s.hi);
}

/// The i64 ops.
std::optional<Interval> transferInt(Operation &operation, Lookup in) {
  if (isa<math::CountLeadingZerosOp>(operation))
    return countLeadingZeros(in(operation.getOperand(0)));
  if (operation.getNumOperands() != 2)
    return std::nullopt;
  Interval x = in(operation.getOperand(0)), y = in(operation.getOperand(1));
  return llvm::TypeSwitch<Operation *, std::optional<Interval>>(&operation)
      .Case([&](arith::AddIOp) { return add(x, y); })
      .Case([&](arith::SubIOp) { return sub(x, y); })
      .Case([&](arith::MulIOp) { return mul(x, y); })
      .Case([&](arith::DivSIOp) { return div(x, y, Rounding::TowardZero); })
      .Case([&](arith::FloorDivSIOp) { return div(x, y, Rounding::Down); })
      .Case([&](arith::CeilDivSIOp) { return div(x, y, Rounding::Up); })
      .Case([&](arith::RemSIOp) { return rem(x, y); })
      .Case([&](arith::ShLIOp) { return shiftLeft(x, y); })
      .Case([&](arith::ShRSIOp) { return shiftRight(x, y); })
      .Case([&](arith::MinSIOp) {
        return Interval{std::min(x.lo, y.lo), std::min(x.hi, y.hi)};
      })
      .Case([&](arith::MaxSIOp) {
        return Interval{std::max(x.lo, y.lo), std::max(x.hi, y.hi)};
      })
      .Default([](Operation *) { return std::nullopt; });
}

} // namespace

void IntervalInterpreter::interpret(Operation &operation) {
  // Values the interpreter does not set stay unknown (see valueOf), which is
  // how ops it does not know, and types other than i64 and i1, are handled.
  if (operation.getNumResults() != 1)
    return;
  Value result = operation.getResult(0);
  Type type = result.getType();
  if (!isI64(type) && !isI1(type))
    return;
  auto in = [this](Value value) { return valueOf(value); };
  if (auto coord = dyn_cast<GridCoordOp>(operation)) {
    // The box's coordinates of q or k where it has them; else the image of
    // (index / stride) % size, exact unless the quotient wraps.
    Block &mask = op.getMaskBlock();
    const size_t axis = coord.getAxis();
    if (coord.getIndex() == mask.getArgument(2) && axis < box->qc.size())
      values[result] = box->qc[axis];
    else if (coord.getIndex() == mask.getArgument(3) && axis < box->kc.size())
      values[result] = box->kc[axis];
    else
      values[result] = gridCoordOf(in(coord.getIndex()), coord.getStride(), coord.getSize());
    return;
  }
  std::optional<Interval> value = transferAnyWidth(operation, in);
  if (!value)
    value = isI1(type) ? transferBool(operation, in) : transferInt(operation, in);
  if (value)
    values[result] = *value;
}

//===----------------------------------------------------------------------===//
// TileClassifier
//===----------------------------------------------------------------------===//

llvm::StringRef stringifyTileClass(TileClass tileClass) {
  switch (tileClass) {
  case TileClass::Empty: return "empty";
  case TileClass::Full: return "full";
  case TileClass::Partial: return "partial";
  }
  llvm_unreachable("unknown tile class");
}

namespace {

uint64_t width(Interval x) {
  return static_cast<uint64_t>(x.hi) - static_cast<uint64_t>(x.lo);
}

/// The coordinate to bisect: the wider of q and k while either is a range
/// (the tile's own extent, where masks change), then b, h, sq, skv. Null for
/// a single point.
Interval MaskBox::*dimensionToSplit(const MaskBox &box) {
  Interval MaskBox::*best = nullptr;
  uint64_t bestWidth = 0;
  auto consider = [&](Interval MaskBox::*dimension) {
    if (width(box.*dimension) > bestWidth) {
      best = dimension;
      bestWidth = width(box.*dimension);
    }
  };
  consider(&MaskBox::q);
  consider(&MaskBox::k);
  if (best)
    return best;
  for (Interval MaskBox::*dimension :
       {&MaskBox::b, &MaskBox::h, &MaskBox::sq, &MaskBox::skv})
    consider(dimension);
  return best;
}

} // namespace

/// The tokens of a box of grid coordinates: from its first to its last.
static Interval tokenHull(llvm::ArrayRef<int64_t> grid, llvm::ArrayRef<Interval> coords) {
  Interval hull{0, 0};
  for (size_t a = 0; a < grid.size(); ++a) {
    hull.lo = hull.lo * grid[a] + coords[a].lo;
    hull.hi = hull.hi * grid[a] + coords[a].hi;
  }
  return hull;
}

std::optional<std::pair<MaskBox, MaskBox>> TileClassifier::bisect(const MaskBox &box) const {
  std::pair<MaskBox, MaskBox> halves{box, box};
  if (box.qc.empty()) {
    Interval MaskBox::*dimension = dimensionToSplit(box);
    if (!dimension)
      return std::nullopt;
    const Interval range = box.*dimension;
    const int64_t middle = range.lo + static_cast<int64_t>(width(range) / 2);
    halves.first.*dimension = {range.lo, middle};
    halves.second.*dimension = {middle + 1, range.hi};
    return halves;
  }
  // A box of the grid: the widest coordinate interval of q or k, then the token hulls.
  llvm::SmallVector<Interval, 3> MaskBox::*side = nullptr;
  size_t axis = 0;
  uint64_t widest = 0;
  for (auto coords : {&MaskBox::qc, &MaskBox::kc})
    for (size_t a = 0; a < (box.*coords).size(); ++a)
      if (width((box.*coords)[a]) > widest) {
        side = coords;
        axis = a;
        widest = width((box.*coords)[a]);
      }
  if (!side)
    return std::nullopt;
  const Interval range = (box.*side)[axis];
  const int64_t middle = range.lo + static_cast<int64_t>(widest / 2);
  (halves.first.*side)[axis] = {range.lo, middle};
  (halves.second.*side)[axis] = {middle + 1, range.hi};
  for (MaskBox *half : {&halves.first, &halves.second}) {
    half->q = tokenHull(grid, half->qc);
    half->k = tokenHull(grid, half->kc);
  }
  return halves;
}

bool TileClassifier::imageMayKeep(MaskBox box) {
  box.q = tokenHull(grid, box.qc);
  box.k = tokenHull(grid, box.kc);
  return interpreter.evaluate(box).hi >= 1;
}

TileClass TileClassifier::classify(MaskBox box) {
  if (!box.qc.empty()) {
    // A box of the grid (already inside it): its token hulls, then bisect coordinates.
    box.q = tokenHull(grid, box.qc);
    box.k = tokenHull(grid, box.kc);
    int budget = kMaxEvaluations;
    return search(box, budget);
  }
  // Only 0 <= q < sq and 0 <= k < skv are pairs. With a range of lengths
  // the box keeps some points that are no pair; deciding a superset of the
  // pairs is still sound.
  if (box.sq.hi <= 0 || box.skv.hi <= 0)
    return TileClass::Empty;
  box.q = {std::max<int64_t>(box.q.lo, 0), std::min(box.q.hi, box.sq.hi - 1)};
  box.k = {std::max<int64_t>(box.k.lo, 0), std::min(box.k.hi, box.skv.hi - 1)};
  if (box.q.lo > box.q.hi || box.k.lo > box.k.hi)
    return TileClass::Empty;
  int budget = kMaxEvaluations;
  return search(box, budget);
}

/// Depth-first: a box is Full (Empty) when both halves are; as soon as one
/// half is Partial, so is the box. A Full and an Empty half prove Partial
/// exactly; a point (or a spent budget) still unsure is Partial as a guess.
TileClass TileClassifier::search(const MaskBox &box, int &budget) {
  if (budget == 0)
    return TileClass::Partial;
  --budget;
  Interval keep = interpreter.evaluate(box);
  if (keep.isPoint())
    return keep.lo ? TileClass::Full : TileClass::Empty;
  std::optional<std::pair<MaskBox, MaskBox>> halves = bisect(box);
  if (!halves)
    return TileClass::Partial;
  TileClass first = search(halves->first, budget);
  if (first == TileClass::Partial)
    return TileClass::Partial;
  TileClass second = search(halves->second, budget);
  return first == second ? first : TileClass::Partial;
}

TileClass classifyTile(AttentionOp op, const MaskBox &box) {
  return TileClassifier(op).classify(box);
}

std::vector<KvTileVisit> planQTile(TileClassifier &classifier,
                                   const TileGrid &grid, int64_t qTile) {
  assert(grid.blockM > 0 && grid.blockN > 0 && "tiles must not be empty");
  std::vector<KvTileVisit> visits;
  const int64_t rowBegin = qTile * grid.blockM;
  const int64_t rowEnd = std::min(rowBegin + grid.blockM, grid.sq);
  if (rowBegin >= rowEnd)
    return visits;
  const int64_t kvTiles = (std::max<int64_t>(grid.skv, 0) + grid.blockN - 1) / grid.blockN;
  for (int64_t tile = 0; tile < kvTiles; ++tile) {
    const int64_t keyBegin = tile * grid.blockN;
    const int64_t keyEnd = keyBegin + grid.blockN;
    MaskBox box{Interval::point(grid.b),      Interval::point(grid.h),
                {rowBegin, rowEnd - 1},       {keyBegin, keyEnd - 1},
                Interval::point(grid.sq),     Interval::point(grid.skv)};
    TileClass tileClass = classifier.classify(box);
    if (tileClass == TileClass::Empty)
      continue;
    if (keyEnd > grid.skv) // the kernel checks k < skv in this tile
      tileClass = TileClass::Partial;
    visits.push_back({tile, tileClass});
  }
  return visits;
}

int64_t GridTiling::tokens() const {
  int64_t n = 1;
  for (int64_t size : sizes)
    n *= size;
  return n;
}

int64_t GridTiling::qTileCount() const {
  int64_t n = 1;
  for (size_t a = 0; a < sizes.size(); ++a)
    n *= (sizes[a] + qBox[a] - 1) / qBox[a];
  return n;
}

std::vector<int64_t> GridTiling::qTileCoords(int64_t index) const {
  std::vector<int64_t> coords(sizes.size());
  for (size_t a = sizes.size(); a-- > 0;) {
    const int64_t tiles = (sizes[a] + qBox[a] - 1) / qBox[a];
    coords[a] = index % tiles;
    index /= tiles;
  }
  return coords;
}

std::vector<int64_t> GridTiling::tokenCoords(int64_t token) const {
  std::vector<int64_t> coords(sizes.size());
  for (size_t a = sizes.size(); a-- > 0;) {
    coords[a] = token % sizes[a];
    token /= sizes[a];
  }
  return coords;
}

/// f(box, token, cut) for each kv box q tile `qTile` of `tiling` may visit, as the sm_90a
/// kernel places them (planGridQTile): `box` holds the q and kv boxes, `token` names the kv
/// box, `cut`: whether the grid's edge cuts it.
template <class F>
static void forEachGridKvBox(TileClassifier &classifier, const GridTiling &tiling, int64_t qTile,
                             F &&f) {
  const size_t rank = tiling.sizes.size();
  const int64_t tokens = tiling.tokens();
  MaskBox box{Interval::point(tiling.b), Interval::point(tiling.h), {}, {},
              Interval::point(tokens),   Interval::point(tokens),   {}, {}};
  // The q box, clipped to the grid.
  std::vector<int64_t> qTileAt = tiling.qTileCoords(qTile);
  for (size_t a = 0; a < rank; ++a) {
    const int64_t begin = qTileAt[a] * tiling.qBox[a];
    box.qc.push_back({begin, std::min(begin + tiling.qBox[a], tiling.sizes[a]) - 1});
  }
  // Along each axis, the first and last key coordinate the mask may keep, the other axes free:
  // one interpretation each, no bisection, as the kernel decides it.
  std::vector<int64_t> first(rank), boxes(rank);
  for (size_t a = 0; a < rank; ++a) {
    box.kc.clear();
    for (size_t other = 0; other < rank; ++other)
      box.kc.push_back({0, tiling.sizes[other] - 1});
    int64_t lo = -1, hi = -1;
    for (int64_t c = 0; c < tiling.sizes[a]; ++c) {
      box.kc[a] = Interval::point(c);
      if (classifier.imageMayKeep(box)) {
        lo = lo < 0 ? c : lo;
        hi = c;
      }
    }
    if (hi < 0)
      return;
    first[a] = lo;
    boxes[a] = (hi - lo) / tiling.kvBox[a] + 1;
  }
  // The boxes from there, in row-major order of their origins.
  int64_t count = 1;
  for (int64_t n : boxes)
    count *= n;
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, token = 0, stride = 1;
    bool cut = false;
    box.kc.assign(rank, {});
    for (size_t a = rank; a-- > 0;) {
      const int64_t begin = first[a] + rest % boxes[a] * tiling.kvBox[a];
      const int64_t end = begin + tiling.kvBox[a];
      rest /= boxes[a];
      cut |= end > tiling.sizes[a];
      box.kc[a] = {begin, std::min(end, tiling.sizes[a]) - 1};
      token += begin * stride;
      stride *= tiling.sizes[a];
    }
    f(box, token, cut);
  }
}

std::vector<KvTileVisit> planGridQTile(TileClassifier &classifier, const GridTiling &tiling,
                                       int64_t qTile) {
  std::vector<KvTileVisit> visits;
  forEachGridKvBox(classifier, tiling, qTile, [&](const MaskBox &box, int64_t token, bool cut) {
    TileClass tileClass = classifier.classify(box);
    if (tileClass != TileClass::Empty)
      visits.push_back({token, cut ? TileClass::Partial : tileClass});
  });
  return visits;
}

int64_t countGridKvVisits(TileClassifier &classifier, const GridTiling &tiling) {
  int64_t visits = 0;
  for (int64_t qTile = 0; qTile < tiling.qTileCount(); ++qTile)
    forEachGridKvBox(classifier, tiling, qTile, [&](const MaskBox &box, int64_t, bool) {
      visits += classifier.imageMayKeep(box);
    });
  return visits;
}

} // namespace mlir::attn
