//===- IndexExprBuilder.h - IndexExprs as i64 arith -------------*- C++ -*-===//
//
// Builds the arith of an IndexExpr (compiler/Analysis/IndexExpr.h) at a
// given query row. Sub-expressions already built for the same row (the
// diagonal of both ends of a window) are reused, so a hook's body reads like
// its formula even before CSE. The kv-tile bounds (IntervalBounds.cpp) build
// the interval ends at a tile's first and last rows; tile.row_keys
// (RowKeys.cpp) at the row it is called for.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CONVERSION_ATTNTOTILE_INDEXEXPRBUILDER_H
#define ATTNC_COMPILER_CONVERSION_ATTNTOTILE_INDEXEXPRBUILDER_H

#include "compiler/Analysis/IndexExpr.h"
#include "compiler/Conversion/AttnToTile/I64Builder.h"

#include <vector>

namespace attnc {

class IndexExprBuilder {
public:
  using Value = mlir::Value;
  using IndexExpr = mlir::attn::IndexExpr;

  /// Expressions of q, sq and skv, the lengths being `sq` and `skv`.
  IndexExprBuilder(I64Builder &m, Value sq, Value skv) : m(m), sq(sq), skv(skv) {}

  /// `e` as arith, with q = `row`.
  Value at(const IndexExpr &e, Value row) {
    // A constant, or an expression free of q, is the same at every row.
    Value key = e.monotonicity() == mlir::attn::Monotonicity::Constant ? Value() : row;
    for (const Built &built : memo)
      if (built.row == key && built.expr == e)
        return built.value;
    Value value = build(e, row);
    memo.push_back({e, key, value});
    return value;
  }

private:
  Value build(const IndexExpr &e, Value row) {
    using Kind = IndexExpr::Kind;
    switch (e.kind()) {
    case Kind::Constant: return m.c(e.value());
    case Kind::Query: return row;
    case Kind::QueryLen: return sq;
    case Kind::KeyLen: return skv;
    default: break;
    }
    Value a = at(e.lhs(), row), b = at(e.rhs(), row);
    switch (e.kind()) {
    case Kind::Add: return m.add(a, b);
    case Kind::Sub: return m.sub(a, b);
    case Kind::Mul: return m.mul(a, b);
    case Kind::FloorDiv: return m.floorDiv(a, b);
    case Kind::CeilDiv: return m.ceilDiv(a, b);
    case Kind::TruncDiv: return m.truncDiv(a, b);
    case Kind::Min: return m.min(a, b);
    case Kind::Max: return m.max(a, b);
    default: break;
    }
    llvm_unreachable("leaf kinds are handled above");
  }

  struct Built {
    IndexExpr expr;
    Value row; ///< null for expressions free of q
    Value value;
  };

  I64Builder &m;
  Value sq, skv;
  std::vector<Built> memo;
};

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_ATTNTOTILE_INDEXEXPRBUILDER_H
