//===- RowIntervalAnalysis.cpp - A mask region as row intervals -----------===//

#include "compiler/Analysis/RowIntervalAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <variant>

namespace mlir::attn {

namespace {

/// sign·k + offset, sign = ±1.
struct Key {
  int sign;
  IndexExpr offset;
};

/// ⌊(k + offset) / size⌋, size > 0.
struct KeyBlock {
  int64_t size;
  IndexExpr offset;
};

using Abstract = std::variant<IndexExpr, Key, KeyBlock, RowIntervals>;
using MaybeAbstract = std::optional<Abstract>;

template <class T>
const T *as(const MaybeAbstract &value) {
  return value ? std::get_if<T>(&*value) : nullptr;
}

/// Wraps an optional builder result.
template <class T>
MaybeAbstract wrap(std::optional<T> value) {
  if (!value)
    return std::nullopt;
  return Abstract(std::move(*value));
}

using P = arith::CmpIPredicate;

/// x cmp y ⟺ y cmp' x.
std::optional<P> mirrored(P predicate) {
  switch (predicate) {
  case P::eq: return P::eq;
  case P::ne: return P::ne;
  case P::slt: return P::sgt;
  case P::sle: return P::sge;
  case P::sgt: return P::slt;
  case P::sge: return P::sle;
  default: return std::nullopt; // unsigned: not an order on signed indices
  }
}

/// The keys k with `k cmp x`.
std::optional<RowIntervals> solveKey(P predicate, const IndexExpr &x) {
  auto plus = [&](int64_t c) { return IndexExpr::plus(x, c); };
  switch (predicate) {
  case P::slt:
    if (auto below = plus(-1))
      return RowIntervals::between(std::nullopt, *below);
    return std::nullopt;
  case P::sle: return RowIntervals::between(std::nullopt, x);
  case P::sgt:
    if (auto above = plus(1))
      return RowIntervals::between(*above, std::nullopt);
    return std::nullopt;
  case P::sge: return RowIntervals::between(x, std::nullopt);
  case P::eq: return RowIntervals::between(x, x);
  case P::ne: return RowIntervals::complement(RowIntervals::between(x, x));
  default: return std::nullopt;
  }
}

/// The keys with `⌊(k + e) / n⌋ cmp x`: with lo = x·n - e, the block x is
/// k ∈ [lo, lo + n - 1], and the order of blocks is that of keys.
std::optional<RowIntervals> solveKeyBlock(P predicate, const KeyBlock &block,
                                          const IndexExpr &x) {
  std::optional<IndexExpr> scaled = IndexExpr::mul(x, IndexExpr::constant(block.size));
  std::optional<IndexExpr> lo = scaled ? IndexExpr::sub(*scaled, block.offset) : std::nullopt;
  std::optional<IndexExpr> hi = lo ? IndexExpr::plus(*lo, block.size - 1) : std::nullopt;
  if (!hi)
    return std::nullopt;
  switch (predicate) {
  case P::eq: return RowIntervals::between(*lo, *hi);
  case P::ne: return RowIntervals::complement(RowIntervals::between(*lo, *hi));
  case P::slt: return solveKey(P::slt, *lo); // below the block
  case P::sle: return solveKey(P::sle, *hi); // up to its end
  case P::sgt: return solveKey(P::sgt, *hi); // past its end
  case P::sge: return solveKey(P::sge, *lo); // from its start
  default: return std::nullopt;
  }
}

class Analysis {
public:
  explicit Analysis(AttentionOp op) : op(op) {}

  std::optional<RowIntervals> run() {
    MaybeAbstract keep = valueOf(op.getMaskYield());
    const RowIntervals *set = as<RowIntervals>(keep);
    if (!set || set->intervals().size() > kMaxRowIntervals)
      return std::nullopt;
    return *set;
  }

private:
  MaybeAbstract valueOf(Value value) {
    auto found = memo.find(value);
    if (found != memo.end())
      return found->second;
    MaybeAbstract result = compute(value);
    memo.try_emplace(value, result);
    return result;
  }

  MaybeAbstract compute(Value value) {
    if (value == op.getQueryArg())
      return Abstract(IndexExpr::query());
    if (value == op.getQueryLenArg())
      return Abstract(IndexExpr::queryLen());
    if (value == op.getKeyLenArg())
      return Abstract(IndexExpr::keyLen());
    if (value == op.getKeyArg())
      return Abstract(Key{1, IndexExpr::constant(0)});
    Operation *def = value.getDefiningOp();
    if (!def || def->getParentRegion() != &op.getMask())
      return std::nullopt; // b, h, or anything from outside
    auto operand = [&](unsigned i) { return valueOf(def->getOperand(i)); };
    return llvm::TypeSwitch<Operation *, MaybeAbstract>(def)
        .Case([&](arith::ConstantOp c) -> MaybeAbstract {
          auto attr = dyn_cast<IntegerAttr>(c.getValue());
          if (!attr)
            return std::nullopt;
          if (attr.getType().isInteger(1))
            return Abstract(attr.getValue().isZero() ? RowIntervals::none()
                                                     : RowIntervals::all());
          if (!attr.getType().isInteger(64))
            return std::nullopt;
          IndexExpr constant = IndexExpr::constant(attr.getInt());
          if (constant.magnitude() > IndexExpr::kMaxMagnitude)
            return std::nullopt;
          return Abstract(constant);
        })
        .Case([&](arith::AddIOp) { return add(operand(0), operand(1)); })
        .Case([&](arith::SubIOp) { return sub(operand(0), operand(1)); })
        .Case([&](arith::MulIOp) { return mul(operand(0), operand(1)); })
        .Case([&](arith::FloorDivSIOp) {
          return divide(operand(0), operand(1), IndexExpr::floorDiv, /*cDivision=*/false);
        })
        .Case([&](arith::DivSIOp) {
          return divide(operand(0), operand(1), IndexExpr::truncDiv, /*cDivision=*/true);
        })
        .Case([&](arith::CeilDivSIOp) { return indices(operand(0), operand(1), IndexExpr::ceilDiv); })
        .Case([&](arith::MinSIOp) { return indices(operand(0), operand(1), IndexExpr::min); })
        .Case([&](arith::MaxSIOp) { return indices(operand(0), operand(1), IndexExpr::max); })
        .Case([&](arith::CmpIOp cmp) { return compare(cmp.getPredicate(), operand(0), operand(1)); })
        .Case([&](CausalOp causal) -> MaybeAbstract {
          // key <= query + (skv - sq), or key <= query.
          MaybeAbstract query = valueOf(causal.getQuery());
          MaybeAbstract diagonal = query;
          if (causal.getAlignment() == Alignment::bottom_right)
            diagonal = add(query, sub(valueOf(causal.getKeyLen()), valueOf(causal.getQueryLen())));
          return compare(P::sle, valueOf(causal.getKey()), diagonal);
        })
        .Case([&](arith::AndIOp) { return sets(operand(0), operand(1), RowIntervals::intersect); })
        .Case([&](arith::OrIOp) { return sets(operand(0), operand(1), RowIntervals::unite); })
        .Case([&](arith::XOrIOp) -> MaybeAbstract {
          // x ^ true = !x; the only xor the spec language writes.
          APInt one;
          if (!matchPattern(def->getOperand(1), m_ConstantInt(&one)) || !one.isOne())
            return std::nullopt;
          MaybeAbstract value = operand(0);
          const RowIntervals *x = as<RowIntervals>(value);
          return x ? wrap(RowIntervals::complement(*x)) : std::nullopt;
        })
        .Case([&](arith::SelectOp select) -> MaybeAbstract {
          // (c ∩ x) ∪ (¬c ∩ y), on i1 only.
          MaybeAbstract condition = operand(0), whenSet = operand(1), otherwise = operand(2);
          const RowIntervals *c = as<RowIntervals>(condition);
          const RowIntervals *x = as<RowIntervals>(whenSet);
          const RowIntervals *y = as<RowIntervals>(otherwise);
          if (!c || !x || !y)
            return std::nullopt;
          std::optional<RowIntervals> notC = RowIntervals::complement(*c);
          std::optional<RowIntervals> whenTrue = RowIntervals::intersect(*c, *x);
          std::optional<RowIntervals> whenFalse =
              notC ? RowIntervals::intersect(*notC, *y) : std::nullopt;
          if (!whenTrue || !whenFalse)
            return std::nullopt;
          return wrap(RowIntervals::unite(*whenTrue, *whenFalse));
        })
        .Default([](Operation *) { return std::nullopt; });
  }

  /// An op on two indices through an IndexExpr builder.
  static MaybeAbstract indices(const MaybeAbstract &a, const MaybeAbstract &b,
                               std::optional<IndexExpr> (*build)(const IndexExpr &,
                                                                 const IndexExpr &)) {
    const IndexExpr *x = as<IndexExpr>(a), *y = as<IndexExpr>(b);
    if (!x || !y)
      return std::nullopt;
    return wrap(build(*x, *y));
  }

  static MaybeAbstract sets(const MaybeAbstract &a, const MaybeAbstract &b,
                            std::optional<RowIntervals> (*combine)(const RowIntervals &,
                                                                   const RowIntervals &)) {
    const RowIntervals *x = as<RowIntervals>(a), *y = as<RowIntervals>(b);
    if (!x || !y)
      return std::nullopt;
    return wrap(combine(*x, *y));
  }

  static MaybeAbstract keyPlus(int sign, std::optional<IndexExpr> offset) {
    if (!offset)
      return std::nullopt;
    return Abstract(Key{sign, std::move(*offset)});
  }

  static MaybeAbstract add(const MaybeAbstract &a, const MaybeAbstract &b) {
    const IndexExpr *ia = as<IndexExpr>(a), *ib = as<IndexExpr>(b);
    const Key *ka = as<Key>(a), *kb = as<Key>(b);
    if (ia && ib)
      return wrap(IndexExpr::add(*ia, *ib));
    if (ka && ib)
      return keyPlus(ka->sign, IndexExpr::add(ka->offset, *ib));
    if (ia && kb)
      return keyPlus(kb->sign, IndexExpr::add(*ia, kb->offset));
    if (ka && kb && ka->sign != kb->sign) // k cancels
      return wrap(IndexExpr::add(ka->offset, kb->offset));
    return std::nullopt;
  }

  static MaybeAbstract sub(const MaybeAbstract &a, const MaybeAbstract &b) {
    const IndexExpr *ia = as<IndexExpr>(a), *ib = as<IndexExpr>(b);
    const Key *ka = as<Key>(a), *kb = as<Key>(b);
    if (ia && ib)
      return wrap(IndexExpr::sub(*ia, *ib));
    if (ka && ib)
      return keyPlus(ka->sign, IndexExpr::sub(ka->offset, *ib));
    if (ia && kb) // e - (s·k + f) = -s·k + (e - f)
      return keyPlus(-kb->sign, IndexExpr::sub(*ia, kb->offset));
    if (ka && kb && ka->sign == kb->sign) // k cancels
      return wrap(IndexExpr::sub(ka->offset, kb->offset));
    return std::nullopt;
  }

  static MaybeAbstract mul(const MaybeAbstract &a, const MaybeAbstract &b) {
    const IndexExpr *ia = as<IndexExpr>(a), *ib = as<IndexExpr>(b);
    if (ia && ib)
      return wrap(IndexExpr::mul(*ia, *ib));
    // (s·k + e) · -1, the negation; other multiples of k are not intervals'
    // business (k · 2 <= x skips every other key).
    const Key *key = as<Key>(a) ? as<Key>(a) : as<Key>(b);
    const IndexExpr *factor = ia ? ia : ib;
    if (key && factor && factor->asConstant() == -1)
      return keyPlus(-key->sign, IndexExpr::sub(IndexExpr::constant(0), key->offset));
    return std::nullopt;
  }

  /// Division of indices, or of k + e by a positive literal: a key block.
  /// C division (divsi) rounds toward zero, the floor only where k + e >= 0,
  /// which holds for every key k >= 0 when e is a literal >= 0.
  static MaybeAbstract divide(const MaybeAbstract &a, const MaybeAbstract &b,
                              std::optional<IndexExpr> (*build)(const IndexExpr &,
                                                                const IndexExpr &),
                              bool cDivision) {
    if (as<IndexExpr>(a))
      return indices(a, b, build);
    const Key *key = as<Key>(a);
    const IndexExpr *divisor = as<IndexExpr>(b);
    std::optional<int64_t> size = divisor ? divisor->asConstant() : std::nullopt;
    if (!key || key->sign != 1 || !size || *size <= 0)
      return std::nullopt;
    if (cDivision) {
      std::optional<int64_t> offset = key->offset.asConstant();
      if (!offset || *offset < 0)
        return std::nullopt;
    }
    return Abstract(KeyBlock{*size, key->offset});
  }

  static MaybeAbstract compare(P predicate, const MaybeAbstract &a, const MaybeAbstract &b) {
    // Put the key side on the left.
    if (as<IndexExpr>(a)) {
      std::optional<P> swapped = mirrored(predicate);
      if (!swapped || as<IndexExpr>(b))
        return std::nullopt; // two indices: a condition on q alone
      return compare(*swapped, b, a);
    }
    const IndexExpr *x = as<IndexExpr>(b);
    if (!x || !mirrored(predicate))
      return std::nullopt;
    if (const Key *key = as<Key>(a)) {
      // k + e cmp x ⟺ k cmp x - e;  -k + e cmp x ⟺ k cmp' e - x.
      std::optional<IndexExpr> bound =
          key->sign == 1 ? IndexExpr::sub(*x, key->offset) : IndexExpr::sub(key->offset, *x);
      if (!bound)
        return std::nullopt;
      return wrap(solveKey(key->sign == 1 ? predicate : *mirrored(predicate), *bound));
    }
    if (const KeyBlock *block = as<KeyBlock>(a))
      return wrap(solveKeyBlock(predicate, *block, *x));
    return std::nullopt;
  }

  AttentionOp op;
  llvm::DenseMap<Value, MaybeAbstract> memo;
};

} // namespace

std::optional<RowIntervals> deriveRowIntervals(AttentionOp op) { return Analysis(op).run(); }

} // namespace mlir::attn
