//===- ExprSema.h - Static checks of expressions ----------------*- C++ -*-===//
//
// Runs after parsing: gives every node its type (int, bool or float), checks
// that each operator gets the types it takes and that each variable and
// built-in is available where the expression is written, and rejects
// division by a literal zero and literal arguments a built-in cannot take
// (`chunk(0)`, `softcap(s, 0.0)`). Errors quote the offending
// sub-expression from the source.
//
// Typing, with int promoted to float where the two meet:
//   int ⊕ int -> int, and float ⊕ int, int ⊕ float, float ⊕ float -> float
//     for ⊕ in + - * /   (int / int stays C's truncating division)
//   int % int -> int; `%` takes no float
//   number ⋈ number -> bool for ⋈ in < <= > >= == != (compared as floats
//     when either side is one); bools are not compared
//   -int -> int, -float -> float; !bool -> bool; bool && bool, bool || bool
//   c ? a : b: c bool; a and b both bool, both numbers (float if either is)
//   a parameter has its declared type; `t[i, ...]` is int for an i32 tensor
//     and float otherwise; floats of either kind are not allowed in masks
//
// Reads of runtime tensors are in bounds by construction: an index into a
// symbolic dimension must be the variable ranging over it (b for "b", h for
// "hq", q for "sq", k for "skv", and also q for "skv", which the runtime then
// requires sq <= skv for), and an index into a fixed dimension of size n must
// be provably in [0, n) by interval arithmetic over the index expression
// (clamp it with min and max).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_EXPRSEMA_H
#define ATTNC_COMPILER_SPEC_EXPRSEMA_H

#include "compiler/Spec/Decls.h"
#include "compiler/Spec/Expr.h"

#include <optional>
#include <string_view>
#include <vector>

namespace attnc::spec {

/// Checks `expr` (parsed from `source`, written in `context`) and sets the
/// type of each node. `expected`, when given, is the type the whole
/// expression must have (for a mask: bool; for a score: float, where an int
/// is accepted too and converted); the message calls it "the mask" or "the
/// score". A node whose operands are already wrong reports nothing more, so
/// one mistake gives one error.
std::vector<ExprError> checkExpr(Expr &expr, std::string_view source,
                                 ExprContext context,
                                 std::optional<ExprType> expected,
                                 const Decls &decls);

/// Whether `expr` indexes a "skv" dimension with q, which is in bounds only
/// when sq <= skv (the runtime checks it).
bool readsQueryInKeyDim(const Expr &expr, const Decls &decls);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPRSEMA_H
