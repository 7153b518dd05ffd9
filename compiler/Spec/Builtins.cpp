//===- Builtins.cpp - The table of built-in mask functions ----------------===//

#include "compiler/Spec/Builtins.h"

#include <limits>

namespace attnc::spec {

namespace {

using Args = std::vector<int64_t>;
constexpr auto kInt = ExprType::Int;
constexpr auto kBool = ExprType::Bool;

std::optional<int64_t> evalNone(const Args &, const Env &) { return 1; }

std::optional<int64_t> evalCausal(const Args &, const Env &env) {
  // Bottom-right alignment: the last query sees the last key. Computed in
  // 128 bits so the definition holds for every int64 input.
  __int128 limit = static_cast<__int128>(env.q) + env.skv - env.sq;
  return env.k <= limit;
}

std::optional<int64_t> evalCausalTopLeft(const Args &, const Env &env) {
  return env.k <= env.q;
}

std::optional<int64_t> evalMin(const Args &args, const Env &) {
  return args[0] < args[1] ? args[0] : args[1];
}

std::optional<int64_t> evalMax(const Args &args, const Env &) {
  return args[0] > args[1] ? args[0] : args[1];
}

std::optional<int64_t> evalAbs(const Args &args, const Env &) {
  if (args[0] == std::numeric_limits<int64_t>::min())
    return std::nullopt;
  return args[0] < 0 ? -args[0] : args[0];
}

} // namespace

const std::vector<Builtin> &builtins() {
  static const std::vector<Builtin> table = {
      {"none", {}, kBool, evalNone, "true"},
      {"causal", {}, kBool, evalCausal, "k <= q + skv - sq"},
      {"causal_top_left", {}, kBool, evalCausalTopLeft, "k <= q"},
      {"min", {kInt, kInt}, kInt, evalMin, "a < b ? a : b"},
      {"max", {kInt, kInt}, kInt, evalMax, "a > b ? a : b"},
      {"abs", {kInt}, kInt, evalAbs, "a < 0 ? -a : a"},
  };
  return table;
}

const Builtin *lookupBuiltin(std::string_view name) {
  for (const Builtin &builtin : builtins())
    if (builtin.name == name)
      return &builtin;
  return nullptr;
}

} // namespace attnc::spec
