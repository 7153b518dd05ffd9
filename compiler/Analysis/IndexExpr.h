//===- IndexExpr.h - Integer expressions of a query row ---------*- C++ -*-===//
//
// The ends of the key intervals a mask keeps per query row (KeyIntervals.h)
// are integer expressions over the query index q, the lengths sq and skv and
// constants. IndexExpr holds such an expression as a small tree, built only
// through operations whose effect on monotonicity in q is known, so that
// every IndexExpr carries a *proof* of how it moves as q grows:
//
//   constant, sq, skv            constant in q
//   q                            non-decreasing
//   a + b                        the common direction of a and b (a constant
//                                term does not change it); fails if a rises
//                                and b falls
//   a - b                        a + (-b): b's direction flips
//   a · c, c > 0 a literal        a's direction (c < 0 flips it); a · b of two
//                                expressions constant in q is constant
//   ⌊a / c⌋, ⌈a / c⌉, trunc(a/c)  a's direction, for a literal c > 0 (x ↦ x/c
//                                and its roundings are non-decreasing)
//   min(a, b), max(a, b)         the common direction; fails on opposite ones
//
// so for rows r0 <= r1 a non-decreasing e has e(r0) <= e(r) <= e(r1) for every
// r between them: the extreme values over a q tile are at its first and last
// rows. Nothing is guessed; an operation outside the table fails to build.
//
// The values are mathematical integers. Each expression also carries a bound
// on its magnitude, given |q|, sq, skv <= 2^31 (lengths are int32 in the
// ABI); a builder fails when the bound would pass kMaxMagnitude (2^60), so
// the int64 arithmetic emitted for an expression, and the mask region's own
// arithmetic the expression stands for, never overflow.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_ANALYSIS_INDEXEXPR_H
#define ATTNC_COMPILER_ANALYSIS_INDEXEXPR_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// How an expression moves as q grows (sq and skv fixed).
enum class Monotonicity {
  Constant,      ///< independent of q
  NonDecreasing, ///< e(q) <= e(q + 1)
  NonIncreasing, ///< e(q) >= e(q + 1)
};

class IndexExpr {
public:
  enum class Kind {
    Constant,
    Query,
    QueryLen,
    KeyLen,
    Add,
    Sub,
    Mul,
    FloorDiv, ///< ⌊a / b⌋
    CeilDiv,  ///< ⌈a / b⌉
    TruncDiv, ///< a / b rounded toward zero (C division)
    Min,
    Max,
  };

  /// Largest magnitude any IndexExpr may reach.
  static constexpr int64_t kMaxMagnitude = int64_t(1) << 60;
  /// Largest magnitude of q, sq and skv (int32 lengths).
  static constexpr int64_t kMaxIndex = int64_t(1) << 31;

  static IndexExpr constant(int64_t value);
  static IndexExpr query();
  static IndexExpr queryLen();
  static IndexExpr keyLen();

  // Each builder returns std::nullopt where the table above has no rule or
  // the magnitude bound would pass kMaxMagnitude. Constants are folded.
  static std::optional<IndexExpr> add(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> sub(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> mul(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> floorDiv(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> ceilDiv(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> truncDiv(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> min(const IndexExpr &a, const IndexExpr &b);
  static std::optional<IndexExpr> max(const IndexExpr &a, const IndexExpr &b);
  /// a + c for a literal c.
  static std::optional<IndexExpr> plus(const IndexExpr &a, int64_t c);

  Kind kind() const { return node->kind; }
  Monotonicity monotonicity() const { return node->monotonicity; }
  int64_t magnitude() const { return node->magnitude; }
  /// The value of a Constant.
  int64_t value() const { return node->value; }
  std::optional<int64_t> asConstant() const;
  /// The two operands of a binary kind.
  const IndexExpr &lhs() const { return node->operands[0]; }
  const IndexExpr &rhs() const { return node->operands[1]; }

  /// The value at (q, sq, skv), in exact integer arithmetic.
  int64_t evaluate(int64_t q, int64_t sq, int64_t skv) const;

  /// Structural equality: the same tree.
  bool operator==(const IndexExpr &other) const;
  bool operator!=(const IndexExpr &other) const { return !(*this == other); }

  /// "⌊(q + (skv - sq)) / 2048⌋ · 2048", for messages and tests.
  std::string str() const;

private:
  struct Node {
    Kind kind;
    Monotonicity monotonicity;
    int64_t magnitude;
    int64_t value = 0;
    std::vector<IndexExpr> operands;
  };
  explicit IndexExpr(std::shared_ptr<const Node> node) : node(std::move(node)) {}
  static std::optional<IndexExpr> binary(Kind kind, const IndexExpr &a, const IndexExpr &b,
                                         Monotonicity monotonicity, int64_t magnitude);
  static std::optional<IndexExpr> divide(Kind kind, const IndexExpr &a, const IndexExpr &b);
  /// min or max (kind): monotone where both operands move the same way.
  static std::optional<IndexExpr> extremum(Kind kind, const IndexExpr &a, const IndexExpr &b);

  std::shared_ptr<const Node> node;
};

/// The direction of a + b, or nullopt when one rises and the other falls.
std::optional<Monotonicity> combine(Monotonicity a, Monotonicity b);
/// The opposite direction (Constant stays).
Monotonicity flip(Monotonicity m);

} // namespace mlir::attn

#endif // ATTNC_COMPILER_ANALYSIS_INDEXEXPR_H
