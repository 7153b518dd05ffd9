//===- Builtins.cpp - The table of built-in functions ---------------------===//

#include "compiler/Spec/Builtins.h"

#include <cmath>
#include <limits>

namespace attnc::spec {

namespace {

using Args = std::vector<int64_t>;
using FloatArgs = std::vector<double>;
constexpr auto kBool = ExprType::Bool;
constexpr auto kIntResult = ExprType::Int;
constexpr auto kFloatResult = ExprType::Float;
constexpr auto kMask = BuiltinUse::Mask;
constexpr auto kScore = BuiltinUse::Score;
constexpr auto kAny = BuiltinUse::Any;
constexpr auto kInt = ParamKind::Int;
constexpr auto kFloat = ParamKind::Float;
constexpr auto kNumeric = ParamKind::Numeric;

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

// The float overloads follow the definitions to the letter, NaN and -0.0
// included: min(NaN, 1.0) is 1.0 but min(1.0, NaN) is NaN, and abs(-0.0) is
// -0.0. Kernels lower them as the same compare-and-select.

double evalMinFloat(const FloatArgs &args, const Env &) {
  return args[0] < args[1] ? args[0] : args[1];
}

double evalMaxFloat(const FloatArgs &args, const Env &) {
  return args[0] > args[1] ? args[0] : args[1];
}

double evalAbsFloat(const FloatArgs &args, const Env &) {
  return args[0] < 0 ? -args[0] : args[0];
}

// The float functions of score modifications. Their reference is the C
// library in double; kernels compute them in f32 (and may use approximations
// such as tanh.approx), so they are compared with a tolerance.

double evalTanh(const FloatArgs &args, const Env &) {
  return std::tanh(args[0]);
}

double evalExp(const FloatArgs &args, const Env &) { return std::exp(args[0]); }

double evalExp2(const FloatArgs &args, const Env &) {
  return std::exp2(args[0]);
}

double evalLog(const FloatArgs &args, const Env &) { return std::log(args[0]); }

double evalSigmoid(const FloatArgs &args, const Env &) {
  return 1.0 / (1.0 + std::exp(-args[0]));
}

/// Gemma 2's logit soft-capping: squashes x smoothly into (-cap, cap).
double evalSoftcap(const FloatArgs &args, const Env &) {
  double cap = args[1];
  return cap * std::tanh(args[0] / cap);
}

std::string checkSoftcapCap(size_t index, double value) {
  if (index != 1 || value > 0)
    return "";
  return "softcap cap must be positive, got " + formatFloatLiteral(value);
}

} // namespace

const std::vector<Builtin> &builtins() {
  static const std::vector<Builtin> table = {
      // clang-format off
      // name, params, result, use, evaluate, evaluateFloat, definition,
      // checkLiteralArgument, checkFloatLiteralArgument
      {"none", {}, kBool, kMask, evalNone, nullptr, "true"},
      {"causal", {}, kBool, kMask, evalCausal, nullptr, "k <= q + skv - sq"},
      {"causal_top_left", {}, kBool, kMask, evalCausalTopLeft, nullptr,
       "k <= q"},
      {"window", {kInt, kInt}, kBool, kMask, evalWindow, nullptr,
       "q + skv - sq - left <= k && k <= q + skv - sq + right"},
      {"sink", {kInt}, kBool, kMask, evalFirstKeys, nullptr, "k < n"},
      {"prefix", {kInt}, kBool, kMask, evalFirstKeys, nullptr, "k < n"},
      {"chunk", {kInt}, kBool, kMask, evalChunk, nullptr,
       "floor((q + skv - sq) / n) == floor(k / n)", checkChunkSize},
      {"block_diagonal", {kInt}, kBool, kMask, evalBlockDiagonal, nullptr,
       "floor(q / n) == floor(k / n)", checkBlockSize},
      {"min", {kNumeric, kNumeric}, kIntResult, kAny, evalMin, evalMinFloat,
       "a < b ? a : b"},
      {"max", {kNumeric, kNumeric}, kIntResult, kAny, evalMax, evalMaxFloat,
       "a > b ? a : b"},
      {"abs", {kNumeric}, kIntResult, kAny, evalAbs, evalAbsFloat,
       "a < 0 ? -a : a"},
      {"tanh", {kFloat}, kFloatResult, kScore, nullptr, evalTanh,
       "(exp(x) - exp(-x)) / (exp(x) + exp(-x))"},
      {"exp", {kFloat}, kFloatResult, kScore, nullptr, evalExp, "e to the x"},
      {"exp2", {kFloat}, kFloatResult, kScore, nullptr, evalExp2,
       "2 to the x"},
      {"log", {kFloat}, kFloatResult, kScore, nullptr, evalLog,
       "the natural logarithm: log(0.0) == -inf, NaN below 0"},
      {"sigmoid", {kFloat}, kFloatResult, kScore, nullptr, evalSigmoid,
       "1.0 / (1.0 + exp(-x))"},
      {"softcap", {kFloat, kFloat}, kFloatResult, kScore, nullptr, evalSoftcap,
       "c * tanh(x / c), c > 0", nullptr, checkSoftcapCap},
      // clang-format on
  };
  return table;
}

const Builtin *lookupBuiltin(std::string_view name) {
  for (const Builtin &builtin : builtins())
    if (builtin.name == name)
      return &builtin;
  return nullptr;
}

bool isAvailable(const Builtin &builtin, ExprContext context) {
  switch (builtin.use) {
  case BuiltinUse::Mask:
    return context == ExprContext::Mask;
  case BuiltinUse::Score:
    return context != ExprContext::Mask; // score and sink: float contexts
  case BuiltinUse::Any:
    return true;
  }
  return false;
}

ExprType callResultType(const Builtin &builtin,
                        const std::vector<ExprType> &args) {
  for (size_t i = 0; i < args.size() && i < builtin.params.size(); ++i)
    if (builtin.params[i] == ParamKind::Numeric && args[i] == ExprType::Float)
      return ExprType::Float;
  return builtin.result;
}

} // namespace attnc::spec
