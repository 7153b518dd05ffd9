//===- Builtins.h - The table of built-in functions -------------*- C++ -*-===//
//
// Everything the parser, the type checker and the evaluator know about a
// built-in comes from its one entry in builtins(): adding a built-in is adding
// an entry (and its lowering in SpecToAttn). Nullary built-ins may be written
// with or without "()"; they read the variables of the pair being decided, as
// do the structured masks (window, chunk, ...) besides their arguments.
//
// An overloaded built-in (min, max, abs) is still one entry: its parameters
// are Numeric, and it returns float if any argument is float, else `result`.
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

/// What a built-in accepts as one argument.
enum class ParamKind {
  Int,     ///< an int
  Float,   ///< a float; an int argument is converted to float
  Numeric, ///< an int or a float (the overloads of min, max and abs)
};

/// Where a built-in may be called.
enum class BuiltinUse {
  Mask,  ///< masks only: the bool masks (causal, window, ...)
  Score, ///< float expressions (score, sink): the float functions (tanh, ...)
  Any,   ///< both: min, max, abs
};

struct Builtin {
  std::string_view name;
  std::vector<ParamKind> params;
  /// The result type; for a built-in with Numeric parameters, the type when
  /// every argument is int (it is Float when any argument is float).
  ExprType result;
  BuiltinUse use;
  /// Reference semantics on ints, as used by evaluate(): arguments in order
  /// (bools as 0/1), nullopt where the result is undefined. Set for every
  /// built-in whose result can be int or bool, null for the float-only ones.
  std::optional<int64_t> (*evaluate)(const std::vector<int64_t> &args,
                                     const Env &env);
  /// Reference semantics on floats, in double with IEEE semantics (never
  /// undefined): arguments in order, int arguments converted. Set for every
  /// built-in whose result can be float, null for the others.
  double (*evaluateFloat)(const std::vector<double> &args, const Env &env);
  /// The definition as one line of the expression language, for docs and
  /// error messages; `floor(x / n)` there is division rounded toward -inf
  /// (the language's `/` truncates). The primitives exp, exp2 and log are
  /// defined in words, as the functions of the C math library.
  std::string_view definition;
  /// Static check of an argument written as a literal (`0`, `-8`, `50.0`,
  /// `-0.5`): the message for a value the built-in rejects, or "" to accept
  /// it. The value is given as a double for a Float parameter and as an int
  /// for an Int one (Numeric parameters are never checked). Null where every
  /// value is accepted. Arguments that are not literals are only known at run
  /// time, where evaluate() says what they mean.
  std::string (*checkLiteralArgument)(size_t index, int64_t value) = nullptr;
  std::string (*checkFloatLiteralArgument)(size_t index,
                                           double value) = nullptr;
  /// The fewest grid axes the built-in needs ("grid" in the spec); 0 for
  /// built-ins that work on the sequence.
  size_t gridRank = 0;
};

/// All built-ins, in the order they are listed to users.
const std::vector<Builtin> &builtins();

/// The first built-in called `name` (a name may have overloads of several
/// arities, such as neighborhood(kernel) and neighborhood(kernel, dilation)).
const Builtin *lookupBuiltin(std::string_view name);
/// The overload of `name` that takes `arity` arguments, if any.
const Builtin *lookupBuiltin(std::string_view name, size_t arity);
/// "1 argument", "1 or 2 arguments": what the overloads of `name` take.
std::string builtinArityText(std::string_view name);

/// Whether `builtin` may be called in `context`.
bool isAvailable(const Builtin &builtin, ExprContext context);

/// The type of a call of `builtin` with arguments of types `args` (already
/// accepted by its parameters): `result`, or Float for an overloaded built-in
/// with a float argument.
ExprType callResultType(const Builtin &builtin,
                        const std::vector<ExprType> &args);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_BUILTINS_H
