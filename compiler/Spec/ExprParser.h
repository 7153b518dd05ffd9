//===- ExprParser.h - Parsing mask and score expressions --------*- C++ -*-===//
//
// Grammar, lowest precedence first (as in C; binary operators are left
// associative, ?: is right associative):
//
//   expr     := or ('?' expr ':' expr)?
//   or       := and ('||' and)*
//   and      := equality ('&&' equality)*
//   equality := relation (('==' | '!=') relation)*
//   relation := additive (('<' | '<=' | '>' | '>=') additive)*
//   additive := term (('+' | '-') term)*
//   term     := unary (('*' | '/' | '%') unary)*
//   unary    := ('!' | '-') unary | primary
//   primary  := INTEGER | FLOAT | 'true' | 'false' | IDENT
//             | IDENT '(' (expr (',' expr)*)? ')' | '(' expr ')'
//             | IDENT '[' expr (',' expr)* ']'
//
// Identifiers are the variables b h q k sq skv s hq, the built-ins of
// Builtins.h (nullary ones may omit "()"), and the parameters and tensors the
// spec declares (Decls.h); only tensors are indexed. `document(ids)` is
// sugar for `ids[b, q] == ids[b, k]`. The grammar is the same for
// masks and scores; which variables, built-ins and types an expression may
// use depends on its ExprContext and is checked after parsing (ExprSema.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_EXPRPARSER_H
#define ATTNC_COMPILER_SPEC_EXPRPARSER_H

#include "compiler/Spec/Decls.h"
#include "compiler/Spec/Expr.h"

#include <memory>
#include <string_view>
#include <vector>

namespace attnc::spec {

/// Exactly one of `expr` and `errors` is non-empty. A syntax error stops the
/// parse (it is the only error); type errors are all reported.
struct ExprParseResult {
  std::unique_ptr<Expr> expr;
  std::vector<ExprError> errors;
};

/// The declarations of a spec with neither tensors nor parameters.
inline const Decls &noDecls() {
  static const Decls none;
  return none;
}

/// Parses and type-checks an expression of any type, written in `context`.
ExprParseResult parseExpr(std::string_view source,
                          ExprContext context = ExprContext::Mask,
                          const Decls &decls = noDecls());

/// Parses and type-checks a mask: the expression must be bool.
ExprParseResult parseMask(std::string_view source,
                          const Decls &decls = noDecls());

/// Parses and type-checks a score modification: the expression must be float
/// or int (an int result is converted to float; the root's type says which).
ExprParseResult parseScore(std::string_view source,
                           const Decls &decls = noDecls());

/// Parses and type-checks a sink logit (float or int, per batch and head).
ExprParseResult parseSink(std::string_view source,
                          const Decls &decls = noDecls());

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPRPARSER_H
