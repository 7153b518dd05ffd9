//===- Builtins.h - The table of built-in mask functions --------*- C++ -*-===//
//
// Everything the parser, the type checker and the evaluator know about a
// built-in comes from its one entry in builtins(): adding a built-in is adding
// an entry (and its lowering in SpecToAttn). Nullary built-ins may be written
// with or without "()"; they read the variables of the pair being decided, as
// do the structured masks (window, chunk, ...) besides their arguments.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_BUILTINS_H
#define ATTNC_COMPILER_SPEC_BUILTINS_H

#include "compiler/Spec/Expr.h"

#include <optional>
#include <string>
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
  /// error messages; `floor(x / n)` there is division rounded toward -inf
  /// (the language's `/` truncates).
  std::string_view definition;
  /// Static check of an argument written as an integer literal (`0`, `-8`):
  /// the message for a value the built-in rejects, or "" to accept it. Null
  /// where every value is accepted. Arguments that are not literals are only
  /// known at run time, where evaluate() says what they mean.
  std::string (*checkLiteralArgument)(size_t index, int64_t value) = nullptr;
};

/// All built-ins, in the order they are listed to users.
const std::vector<Builtin> &builtins();

const Builtin *lookupBuiltin(std::string_view name);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_BUILTINS_H
