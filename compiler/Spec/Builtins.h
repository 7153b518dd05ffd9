//===- Builtins.h - The table of built-in mask functions --------*- C++ -*-===//
//
// Everything the parser, the type checker and the evaluator know about a
// built-in comes from its one entry in builtins(): adding a built-in (window,
// sink, ...) is adding an entry. Nullary built-ins may be written with or
// without "()"; they read the variables of the pair being decided.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_BUILTINS_H
#define ATTNC_COMPILER_SPEC_BUILTINS_H

#include "compiler/Spec/Expr.h"

#include <optional>
#include <string_view>
#include <vector>

namespace attnc::spec {

struct Builtin {
  std::string_view name;
  std::vector<ExprType> params;
  ExprType result;
  /// Reference semantics, as used by evaluate(): arguments in order (bools as
  /// 0/1), nullopt where the result is undefined.
  std::optional<int64_t> (*evaluate)(const std::vector<int64_t> &args,
                                     const Env &env);
  /// The definition as one line of the expression language, for docs and
  /// error messages.
  std::string_view definition;
};

/// All built-ins, in the order they are listed to users.
const std::vector<Builtin> &builtins();

const Builtin *lookupBuiltin(std::string_view name);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_BUILTINS_H
