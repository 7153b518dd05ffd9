//===- IndexExpr.cpp - Integer expressions of a query row -----------------===//

#include "compiler/Analysis/IndexExpr.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::attn {

namespace {

int64_t floorDivide(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t ceilDivide(int64_t a, int64_t b) { return -floorDivide(-a, b); }

/// a + b of two magnitude bounds, or nullopt past kMaxMagnitude.
std::optional<int64_t> sumBound(int64_t a, int64_t b) {
  if (a > IndexExpr::kMaxMagnitude - b)
    return std::nullopt;
  return a + b;
}

std::optional<int64_t> productBound(int64_t a, int64_t b) {
  if (a != 0 && b > IndexExpr::kMaxMagnitude / a)
    return std::nullopt;
  return a * b;
}

int64_t magnitudeOf(int64_t value) {
  return value == INT64_MIN ? INT64_MAX : (value < 0 ? -value : value);
}

} // namespace

std::optional<Monotonicity> combine(Monotonicity a, Monotonicity b) {
  if (a == Monotonicity::Constant)
    return b;
  if (b == Monotonicity::Constant || a == b)
    return a;
  return std::nullopt;
}

Monotonicity flip(Monotonicity m) {
  switch (m) {
  case Monotonicity::Constant: return Monotonicity::Constant;
  case Monotonicity::NonDecreasing: return Monotonicity::NonIncreasing;
  case Monotonicity::NonIncreasing: return Monotonicity::NonDecreasing;
  }
  llvm_unreachable("unknown monotonicity");
}

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

IndexExpr IndexExpr::constant(int64_t value) {
  return IndexExpr(std::make_shared<const Node>(
      Node{Kind::Constant, Monotonicity::Constant, magnitudeOf(value), value, {}}));
}

IndexExpr IndexExpr::query() {
  return IndexExpr(std::make_shared<const Node>(
      Node{Kind::Query, Monotonicity::NonDecreasing, kMaxIndex, 0, {}}));
}

IndexExpr IndexExpr::queryLen() {
  return IndexExpr(std::make_shared<const Node>(
      Node{Kind::QueryLen, Monotonicity::Constant, kMaxIndex, 0, {}}));
}

IndexExpr IndexExpr::keyLen() {
  return IndexExpr(std::make_shared<const Node>(
      Node{Kind::KeyLen, Monotonicity::Constant, kMaxIndex, 0, {}}));
}

std::optional<int64_t> IndexExpr::asConstant() const {
  if (kind() == Kind::Constant)
    return value();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Builders: each states the monotonicity rule it applies.
//===----------------------------------------------------------------------===//

std::optional<IndexExpr> IndexExpr::binary(Kind kind, const IndexExpr &a, const IndexExpr &b,
                                           Monotonicity monotonicity, int64_t magnitude) {
  if (magnitude > kMaxMagnitude)
    return std::nullopt;
  // Two constants fold: the result is the exact value (it fits: its
  // magnitude is within the bound just checked).
  if (a.asConstant() && b.asConstant()) {
    IndexExpr folded(std::make_shared<const Node>(
        Node{kind, monotonicity, magnitude, 0, {a, b}}));
    return constant(folded.evaluate(0, 0, 0));
  }
  return IndexExpr(
      std::make_shared<const Node>(Node{kind, monotonicity, magnitude, 0, {a, b}}));
}

/// 0 - e: the negation the mask region writes as a subtraction from zero.
static const IndexExpr *negated(const IndexExpr &e) {
  if (e.kind() == IndexExpr::Kind::Sub && e.lhs().asConstant() == 0)
    return &e.rhs();
  return nullptr;
}

std::optional<IndexExpr> IndexExpr::add(const IndexExpr &a, const IndexExpr &b) {
  if (b.asConstant() == 0)
    return a;
  if (a.asConstant() == 0)
    return b;
  // a + (0 - e) = a - e: solving k - e <= x for k gives x + e, not x - (0 - e).
  if (const IndexExpr *e = negated(b))
    return sub(a, *e);
  std::optional<Monotonicity> m = combine(a.monotonicity(), b.monotonicity());
  std::optional<int64_t> bound = sumBound(a.magnitude(), b.magnitude());
  if (!m || !bound)
    return std::nullopt;
  return binary(Kind::Add, a, b, *m, *bound);
}

std::optional<IndexExpr> IndexExpr::sub(const IndexExpr &a, const IndexExpr &b) {
  if (b.asConstant() == 0)
    return a;
  if (const IndexExpr *e = negated(b))
    return add(a, *e);
  std::optional<Monotonicity> m = combine(a.monotonicity(), flip(b.monotonicity()));
  std::optional<int64_t> bound = sumBound(a.magnitude(), b.magnitude());
  if (!m || !bound)
    return std::nullopt;
  return binary(Kind::Sub, a, b, *m, *bound);
}

std::optional<IndexExpr> IndexExpr::plus(const IndexExpr &a, int64_t c) {
  if (magnitudeOf(c) > kMaxMagnitude)
    return std::nullopt;
  return add(a, constant(c));
}

std::optional<IndexExpr> IndexExpr::mul(const IndexExpr &a, const IndexExpr &b) {
  // Keep a literal factor on the right.
  if (a.asConstant() && !b.asConstant())
    return mul(b, a);
  if (b.asConstant() == 1)
    return a;
  std::optional<int64_t> bound = productBound(a.magnitude(), b.magnitude());
  if (!bound)
    return std::nullopt;
  Monotonicity m;
  if (a.monotonicity() == Monotonicity::Constant && b.monotonicity() == Monotonicity::Constant)
    m = Monotonicity::Constant;
  else if (std::optional<int64_t> c = b.asConstant())
    m = *c == 0 ? Monotonicity::Constant : (*c > 0 ? a.monotonicity() : flip(a.monotonicity()));
  else
    return std::nullopt; // the sign of a factor that is not a literal is unknown
  return binary(Kind::Mul, a, b, m, *bound);
}

/// The three divisions: by a positive literal only, which keeps the
/// direction (and cannot divide by zero).
std::optional<IndexExpr> IndexExpr::divide(Kind kind, const IndexExpr &a, const IndexExpr &b) {
  std::optional<int64_t> c = b.asConstant();
  if (!c || *c <= 0)
    return std::nullopt;
  if (*c == 1)
    return a;
  return binary(kind, a, b, a.monotonicity(), a.magnitude());
}

std::optional<IndexExpr> IndexExpr::floorDiv(const IndexExpr &a, const IndexExpr &b) {
  return divide(Kind::FloorDiv, a, b);
}

std::optional<IndexExpr> IndexExpr::ceilDiv(const IndexExpr &a, const IndexExpr &b) {
  return divide(Kind::CeilDiv, a, b);
}

std::optional<IndexExpr> IndexExpr::truncDiv(const IndexExpr &a, const IndexExpr &b) {
  return divide(Kind::TruncDiv, a, b);
}

std::optional<IndexExpr> IndexExpr::extremum(Kind kind, const IndexExpr &a, const IndexExpr &b) {
  if (a == b)
    return a;
  std::optional<Monotonicity> m = combine(a.monotonicity(), b.monotonicity());
  if (!m)
    return std::nullopt;
  return binary(kind, a, b, *m, std::max(a.magnitude(), b.magnitude()));
}

std::optional<IndexExpr> IndexExpr::min(const IndexExpr &a, const IndexExpr &b) {
  return extremum(Kind::Min, a, b);
}

std::optional<IndexExpr> IndexExpr::max(const IndexExpr &a, const IndexExpr &b) {
  return extremum(Kind::Max, a, b);
}

//===----------------------------------------------------------------------===//
// Evaluation, equality, printing
//===----------------------------------------------------------------------===//

int64_t IndexExpr::evaluate(int64_t q, int64_t sq, int64_t skv) const {
  switch (kind()) {
  case Kind::Constant: return value();
  case Kind::Query: return q;
  case Kind::QueryLen: return sq;
  case Kind::KeyLen: return skv;
  default: break;
  }
  const int64_t a = lhs().evaluate(q, sq, skv), b = rhs().evaluate(q, sq, skv);
  switch (kind()) {
  case Kind::Add: return a + b;
  case Kind::Sub: return a - b;
  case Kind::Mul: return a * b;
  case Kind::FloorDiv: return floorDivide(a, b);
  case Kind::CeilDiv: return ceilDivide(a, b);
  case Kind::TruncDiv: return a / b;
  case Kind::Min: return std::min(a, b);
  case Kind::Max: return std::max(a, b);
  default: break;
  }
  llvm_unreachable("leaf kinds are handled above");
}

bool IndexExpr::operator==(const IndexExpr &other) const {
  if (node == other.node)
    return true;
  if (kind() != other.kind())
    return false;
  switch (kind()) {
  case Kind::Constant: return value() == other.value();
  case Kind::Query:
  case Kind::QueryLen:
  case Kind::KeyLen: return true;
  default: return lhs() == other.lhs() && rhs() == other.rhs();
  }
}

std::string IndexExpr::str() const {
  auto infix = [&](const char *op) {
    return "(" + lhs().str() + " " + op + " " + rhs().str() + ")";
  };
  auto call = [&](const char *name) {
    return std::string(name) + "(" + lhs().str() + ", " + rhs().str() + ")";
  };
  switch (kind()) {
  case Kind::Constant: return std::to_string(value());
  case Kind::Query: return "q";
  case Kind::QueryLen: return "sq";
  case Kind::KeyLen: return "skv";
  case Kind::Add: return infix("+");
  case Kind::Sub: return infix("-");
  case Kind::Mul: return infix("*");
  case Kind::FloorDiv: return call("floordiv");
  case Kind::CeilDiv: return call("ceildiv");
  case Kind::TruncDiv: return call("div");
  case Kind::Min: return call("min");
  case Kind::Max: return call("max");
  }
  llvm_unreachable("unknown kind");
}

} // namespace mlir::attn
