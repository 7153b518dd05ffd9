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

// The structured masks of the literature. They are computed exactly in 128
// bits, so each definition holds for every int64 input (no intermediate can
// overflow), and their lowerings keep to differences of indices for the same
// reason.

/// The key on query q's diagonal, bottom-right aligned as in `causal`.
__int128 diagonal(const Env &env) {
  return static_cast<__int128>(env.q) + env.skv - env.sq;
}

/// floor(x / n) for n > 0; C's `/` truncates toward zero instead.
__int128 floorDiv(__int128 x, int64_t n) {
  __int128 quotient = x / n;
  return quotient * n > x ? quotient - 1 : quotient;
}

std::optional<int64_t> evalWindow(const Args &args, const Env &env) {
  __int128 diag = diagonal(env);
  return diag - args[0] <= env.k && env.k <= diag + args[1];
}

/// sink(n) and prefix(n): the first n keys, whatever the query.
std::optional<int64_t> evalFirstKeys(const Args &args, const Env &env) {
  return env.k < args[0];
}

/// chunk(n) and block_diagonal(n) are undefined for a size that is not
/// positive at run time (a literal one is rejected before).
std::optional<int64_t> evalChunk(const Args &args, const Env &env) {
  int64_t size = args[0];
  if (size <= 0)
    return std::nullopt;
  return floorDiv(diagonal(env), size) == floorDiv(env.k, size);
}

std::optional<int64_t> evalBlockDiagonal(const Args &args, const Env &env) {
  int64_t size = args[0];
  if (size <= 0)
    return std::nullopt;
  return floorDiv(env.q, size) == floorDiv(env.k, size);
}

std::string requirePositive(std::string_view what, int64_t value) {
  if (value > 0)
    return "";
  return std::string(what) + " must be positive, got " + std::to_string(value);
}

std::string checkChunkSize(size_t, int64_t value) {
  return requirePositive("chunk size", value);
}

std::string checkBlockSize(size_t, int64_t value) {
  return requirePositive("block size", value);
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
      {"window", {kInt, kInt}, kBool, evalWindow,
       "q + skv - sq - left <= k && k <= q + skv - sq + right"},
      {"sink", {kInt}, kBool, evalFirstKeys, "k < n"},
      {"prefix", {kInt}, kBool, evalFirstKeys, "k < n"},
      {"chunk", {kInt}, kBool, evalChunk,
       "floor((q + skv - sq) / n) == floor(k / n)", checkChunkSize},
      {"block_diagonal", {kInt}, kBool, evalBlockDiagonal,
       "floor(q / n) == floor(k / n)", checkBlockSize},
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
