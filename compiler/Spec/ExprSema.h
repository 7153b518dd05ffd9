//===- ExprSema.h - Static checks of mask expressions -----------*- C++ -*-===//
//
// Runs after parsing: gives every node its type (int or bool), checks that
// each operator gets the types it takes, and rejects division by a literal
// zero and literal arguments a built-in cannot take (`chunk(0)`). Errors
// quote the offending sub-expression from the source.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_EXPRSEMA_H
#define ATTNC_COMPILER_SPEC_EXPRSEMA_H

#include "compiler/Spec/Expr.h"

#include <optional>
#include <string_view>
#include <vector>

namespace attnc::spec {

/// Checks `expr` (parsed from `source`) and sets the type of each node.
/// `expected`, when given, is the type the whole expression must have (for a
/// mask: bool; the message calls it "the mask"). A node whose operands are
/// already wrong reports nothing more, so one mistake gives one error.
std::vector<ExprError> checkExpr(Expr &expr, std::string_view source,
                                 std::optional<ExprType> expected);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPRSEMA_H
