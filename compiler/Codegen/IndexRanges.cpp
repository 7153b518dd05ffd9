//===- IndexRanges.cpp - Which hook integers fit in 32 bits ---------------===//

#include "compiler/Codegen/IndexRanges.h"

#include "attn/abi.h"
#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <algorithm>

using namespace mlir;

namespace attnc::codegen {
namespace {

using Wide = __int128;

/// [lo, hi] if both ends are int64, else unknown.
IntRange fromWide(Wide lo, Wide hi) {
  if (lo < std::numeric_limits<int64_t>::min() || hi > std::numeric_limits<int64_t>::max())
    return IntRange::unknown();
  return {int64_t(lo), int64_t(hi)};
}

IntRange add(IntRange a, IntRange b) { return fromWide(Wide(a.lo) + b.lo, Wide(a.hi) + b.hi); }
IntRange sub(IntRange a, IntRange b) { return fromWide(Wide(a.lo) - b.hi, Wide(a.hi) - b.lo); }
IntRange mul(IntRange a, IntRange b) {
  const Wide products[] = {Wide(a.lo) * b.lo, Wide(a.lo) * b.hi, Wide(a.hi) * b.lo,
                           Wide(a.hi) * b.hi};
  return fromWide(*std::min_element(std::begin(products), std::end(products)),
                  *std::max_element(std::begin(products), std::end(products)));
}

/// The largest magnitude in a range (as a wide integer: |INT64_MIN| does not fit).
Wide magnitude(IntRange a) { return std::max(-Wide(a.lo), Wide(a.hi)); }

/// A quotient rounded any way, by a divisor of magnitude at least 1 (or the
/// helpers' 0 for a zero divisor): no larger in magnitude than the dividend.
IntRange quotient(IntRange a, IntRange b) {
  if (a.lo >= 0 && b.lo >= 0)
    return {0, a.hi};
  const Wide m = magnitude(a);
  return fromWide(-m, m);
}

/// C remainder: the dividend's sign, smaller in magnitude than the divisor. INT32_MIN % -1
/// overflows in 32 bits (and traps on x86): a dividend that may be INT32_MIN keeps its own
/// range, which is then too wide for 32 bits.
IntRange remainder(IntRange a, IntRange b) {
  if (a.lo < -Wide(std::numeric_limits<int32_t>::max()))
    return fromWide(-magnitude(a), magnitude(a));
  const Wide m = std::min(magnitude(a), std::max(magnitude(b) - 1, Wide(0)));
  return a.lo >= 0 ? fromWide(0, m) : fromWide(-m, m);
}

/// a << s for a >= 0 and s in [0, 62]; the shl helper's 0 for other shifts.
IntRange shiftLeft(IntRange a, IntRange s) {
  if (a.lo < 0 || s.lo < 0 || s.hi > 62)
    return IntRange::unknown();
  return fromWide(Wide(a.lo) << s.lo, Wide(a.hi) << s.hi);
}

/// math.ctlz: fewer leading zeros as a positive value grows; none for negatives.
IntRange leadingZeros(IntRange a) {
  auto zeros = [](int64_t v) -> int64_t { return llvm::countl_zero(uint64_t(v)); };
  return a.lo > 0 ? IntRange{zeros(a.hi), zeros(a.lo)} : IntRange{0, 64};
}

/// a >> s for s in [0, 63]: monotone in each, so the corners bound it.
IntRange shiftRight(IntRange a, IntRange s) {
  if (s.lo < 0 || s.hi > 63)
    return {std::min<int64_t>(a.lo, -1), std::max<int64_t>(a.hi, 0)};
  const int64_t corners[] = {a.lo >> s.lo, a.lo >> s.hi, a.hi >> s.lo, a.hi >> s.hi};
  return {*std::min_element(std::begin(corners), std::end(corners)),
          *std::max_element(std::begin(corners), std::end(corners))};
}

IntRange hull(IntRange a, IntRange b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

} // namespace

IntRange hookArgumentRange(llvm::StringRef name) {
  // Tokens (also the rows of a last partial tile) lie below 2^30, which bounds the
  // lengths, and the q tiles, of at least one mma.sync warp's 16 rows each;
  // batch and heads are launch dimensions.
  constexpr int64_t kTokens = int64_t(1) << 30;
  static_assert(ATTN_MAX_SEQLEN + 256 <= kTokens, "tokens of a partial tile stay below 2^30");
  constexpr int64_t kMinTileRows = 16;
  constexpr int64_t kLaunchDim = 65535;
  return llvm::StringSwitch<IntRange>(name)
      .Cases({"q", "k"}, IntRange{0, kTokens - 1})
      .Case("q_tile", IntRange{0, kTokens / kMinTileRows - 1})
      .Cases({"sq", "skv"}, IntRange{1, ATTN_MAX_SEQLEN})
      .Cases({"b", "h"}, IntRange{0, kLaunchDim - 1})
      .Case("hq", IntRange{1, kLaunchDim})
      .Default(IntRange::unknown());
}

llvm::DenseMap<Value, IntRange> deriveIndexRanges(Block &block, ArrayRef<IntRange> argRanges) {
  llvm::DenseMap<Value, IntRange> ranges;
  for (auto [arg, range] : llvm::zip(block.getArguments(), argRanges))
    ranges[arg] = range;
  auto of = [&](Value v) {
    auto it = ranges.find(v);
    return it == ranges.end() ? IntRange::unknown() : it->second;
  };
  for (Operation &op : block.without_terminator()) {
    if (op.getNumResults() != 1 || !op.getResult(0).getType().isInteger(64))
      continue;
    auto binary = [&](IntRange (*f)(IntRange, IntRange)) {
      return f(of(op.getOperand(0)), of(op.getOperand(1)));
    };
    IntRange range =
        llvm::TypeSwitch<Operation *, IntRange>(&op)
            .Case([&](arith::ConstantOp c) {
              auto value = dyn_cast<IntegerAttr>(c.getValue());
              return value ? IntRange::point(value.getInt()) : IntRange::unknown();
            })
            .Case([&](arith::AddIOp) { return binary(add); })
            .Case([&](arith::SubIOp) { return binary(sub); })
            .Case([&](arith::MulIOp) { return binary(mul); })
            .Case<arith::DivSIOp, arith::FloorDivSIOp, arith::CeilDivSIOp>(
                [&](Operation *) { return binary(quotient); })
            .Case([&](arith::RemSIOp) { return binary(remainder); })
            .Case([&](arith::ShLIOp) { return binary(shiftLeft); })
            .Case([&](arith::ShRSIOp) { return binary(shiftRight); })
            .Case([&](math::CountLeadingZerosOp) { return leadingZeros(of(op.getOperand(0))); })
            .Case([&](arith::MinSIOp) {
              IntRange a = of(op.getOperand(0)), b = of(op.getOperand(1));
              return IntRange{std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
            })
            .Case([&](arith::MaxSIOp) {
              IntRange a = of(op.getOperand(0)), b = of(op.getOperand(1));
              return IntRange{std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
            })
            .Case([&](arith::SelectOp s) {
              return hull(of(s.getTrueValue()), of(s.getFalseValue()));
            })
            .Case([&](tile::GridCoordOp c) { return IntRange{0, int64_t(c.getSize()) - 1}; })
            .Case([&](tile::ReadOp read) {
              return read.getDtype().isInteger(32)
                         ? IntRange{std::numeric_limits<int32_t>::min(),
                                    std::numeric_limits<int32_t>::max()}
                         : IntRange::unknown();
            })
            .Default([](Operation *) { return IntRange::unknown(); });
    ranges[op.getResult(0)] = range;
  }
  return ranges;
}

} // namespace attnc::codegen
