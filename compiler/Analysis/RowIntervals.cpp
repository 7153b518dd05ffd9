//===- RowIntervals.cpp - The keys a mask keeps, row by row ---------------===//

#include "compiler/Analysis/RowIntervals.h"

namespace mlir::attn {

namespace {

/// The tighter of two ends of the same side, an unbounded end (nullopt) absorbed:
/// `tighter` is IndexExpr::max for lower ends, IndexExpr::min for upper ones. `ok` turns
/// false where the result loses its monotonicity.
std::optional<IndexExpr> tighterEnd(const std::optional<IndexExpr> &a,
                                    const std::optional<IndexExpr> &b, bool &ok,
                                    std::optional<IndexExpr> (*tighter)(const IndexExpr &,
                                                                        const IndexExpr &)) {
  if (!a)
    return b;
  if (!b)
    return a;
  std::optional<IndexExpr> m = tighter(*a, *b);
  ok &= m.has_value();
  return m;
}

/// Whether the interval keeps nothing for every q: both ends constant, l > h.
bool provablyEmpty(const KeyInterval &interval) {
  if (!interval.lo || !interval.hi)
    return false;
  std::optional<int64_t> lo = interval.lo->asConstant(), hi = interval.hi->asConstant();
  return lo && hi && *lo > *hi;
}

/// Tries to write a ∪ b as one interval, by a shared end.
std::optional<KeyInterval> merged(const KeyInterval &a, const KeyInterval &b) {
  bool ok = true;
  if (a.lo == b.lo) {
    // The larger upper end; +∞ absorbs.
    std::optional<IndexExpr> hi;
    if (a.hi && b.hi) {
      hi = IndexExpr::max(*a.hi, *b.hi);
      ok = hi.has_value();
    }
    if (ok)
      return KeyInterval{a.lo, hi};
    return std::nullopt;
  }
  if (a.hi == b.hi) {
    std::optional<IndexExpr> lo;
    if (a.lo && b.lo) {
      lo = IndexExpr::min(*a.lo, *b.lo);
      ok = lo.has_value();
    }
    if (ok)
      return KeyInterval{lo, a.hi};
  }
  return std::nullopt;
}

} // namespace

bool KeyInterval::contains(int64_t q, int64_t k, int64_t sq, int64_t skv) const {
  return (!lo || lo->evaluate(q, sq, skv) <= k) && (!hi || k <= hi->evaluate(q, sq, skv));
}

std::string KeyInterval::str() const {
  return "[" + (lo ? lo->str() : std::string("-inf")) + ", " +
         (hi ? hi->str() : std::string("+inf")) + "]";
}

RowIntervals RowIntervals::all() { return between(std::nullopt, std::nullopt); }

RowIntervals RowIntervals::none() { return RowIntervals(); }

RowIntervals RowIntervals::between(std::optional<IndexExpr> lo, std::optional<IndexExpr> hi) {
  RowIntervals set;
  KeyInterval interval{std::move(lo), std::move(hi)};
  if (!provablyEmpty(interval))
    set.list.push_back(std::move(interval));
  return set;
}

bool RowIntervals::keepsEverything() const {
  return list.size() == 1 && !list[0].lo && !list[0].hi;
}

bool RowIntervals::contains(int64_t q, int64_t k, int64_t sq, int64_t skv) const {
  return llvm::any_of(list, [&](const KeyInterval &i) { return i.contains(q, k, sq, skv); });
}

std::string RowIntervals::str() const {
  if (list.empty())
    return "{}";
  std::string text;
  for (const KeyInterval &interval : list)
    text += (text.empty() ? "" : " u ") + interval.str();
  return text;
}

std::optional<RowIntervals> RowIntervals::simplified(llvm::SmallVector<KeyInterval, 4> work) {
  llvm::erase_if(work, provablyEmpty);
  // Merge pairs with a shared end until none is left; each merge shrinks
  // the list, so this ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < work.size() && !changed; ++i)
      for (size_t j = i + 1; j < work.size() && !changed; ++j)
        if (std::optional<KeyInterval> one = merged(work[i], work[j])) {
          work[i] = std::move(*one);
          work.erase(work.begin() + j);
          changed = true;
        }
  }
  for (const KeyInterval &interval : work)
    if (!interval.lo && !interval.hi)
      return all();
  if (work.size() > kMaxWorkingIntervals)
    return std::nullopt;
  RowIntervals set;
  set.list.assign(work.begin(), work.end());
  return set;
}

std::optional<RowIntervals> RowIntervals::intersect(const RowIntervals &a, const RowIntervals &b) {
  llvm::SmallVector<KeyInterval, 4> work;
  for (const KeyInterval &x : a.list)
    for (const KeyInterval &y : b.list) {
      bool ok = true;
      KeyInterval both{tighterEnd(x.lo, y.lo, ok, IndexExpr::max),
                       tighterEnd(x.hi, y.hi, ok, IndexExpr::min)};
      if (!ok)
        return std::nullopt;
      work.push_back(std::move(both));
    }
  return simplified(std::move(work));
}

std::optional<RowIntervals> RowIntervals::unite(const RowIntervals &a, const RowIntervals &b) {
  llvm::SmallVector<KeyInterval, 4> work(a.list.begin(), a.list.end());
  work.append(b.list.begin(), b.list.end());
  return simplified(std::move(work));
}

std::optional<RowIntervals> RowIntervals::complement(const RowIntervals &a) {
  // ¬(I1 ∪ ... ∪ In) = ¬I1 ∩ ... ∩ ¬In, and ¬[l, h] = [-∞, l-1] ∪ [h+1, +∞].
  RowIntervals result = all();
  for (const KeyInterval &interval : a.list) {
    llvm::SmallVector<KeyInterval, 4> outside;
    if (interval.lo) {
      std::optional<IndexExpr> below = IndexExpr::plus(*interval.lo, -1);
      if (!below)
        return std::nullopt;
      outside.push_back({std::nullopt, *below});
    }
    if (interval.hi) {
      std::optional<IndexExpr> above = IndexExpr::plus(*interval.hi, 1);
      if (!above)
        return std::nullopt;
      outside.push_back({*above, std::nullopt});
    }
    std::optional<RowIntervals> piece = simplified(std::move(outside));
    std::optional<RowIntervals> next = piece ? intersect(result, *piece) : std::nullopt;
    if (!next)
      return std::nullopt;
    result = std::move(*next);
  }
  return result;
}

} // namespace mlir::attn
