//===- Builtins.cpp - The table of built-in functions ---------------------===//

#include "compiler/Spec/Builtins.h"

#include <algorithm>
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

/// strided(n, size): key blocks of `size` keys, every n-th of them per head,
/// starting at block h % n (S2-Attention's head-sharded context). Undefined
/// for n or size that is not positive at run time.
std::optional<int64_t> evalStrided(const Args &args, const Env &env) {
  int64_t n = args[0], size = args[1];
  if (n <= 0 || size <= 0)
    return std::nullopt;
  return floorDiv(env.k, size) % n == env.h % n;
}

/// radial(frame, width): Radial Attention's static mask on frames of `frame`
/// tokens. At frame distance d the spatial band |Δp| < width / 2^r, with
/// r = floor(log2(max(d, 1))), halves with each doubling of d; once the band
/// is under one token, only every ceil(2^r / width)-th frame keeps its
/// diagonal. Undefined for a frame or width that is not positive at run time.
std::optional<int64_t> evalRadial(const Args &args, const Env &env) {
  int64_t frame = args[0], width = args[1];
  if (frame <= 0 || width <= 0)
    return std::nullopt;
  __int128 queryFrame = floorDiv(env.q, frame), keyFrame = floorDiv(env.k, frame);
  __int128 distance = queryFrame - keyFrame;
  if (distance < 0)
    distance = -distance;
  __int128 band = (env.q - queryFrame * frame) - (env.k - keyFrame * frame);
  if (band < 0)
    band = -band;
  __int128 power = 1; // 2^floor(log2(max(d, 1)))
  while (power * 2 <= distance)
    power *= 2;
  if (band * power >= width)
    return false;
  return power <= width || distance % ((power + width - 1) / width) == 0;
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

std::string checkRadial(size_t index, int64_t value) {
  return requirePositive(index == 0 ? "frame size" : "width", value);
}

std::string checkStrided(size_t index, int64_t value) {
  return requirePositive(index == 0 ? "stride" : "block size", value);
}

// Token grids. Each built-in is a conjunction over axes of a predicate on
// the query's and the key's coordinates along that axis (c and c', on an axis
// of n positions).

/// neighborhood along one axis (NATTEN): with dilation d, c sees the keys of
/// its residue class c % d; inside the class (positions i = c / d, m of them)
/// its window is the `kernel` positions starting at i - kernel / 2, shifted
/// inward at the borders: start = max(0, min(i - kernel / 2, m - kernel)).
std::optional<bool> neighborhoodAxis(int64_t c, int64_t ck, int64_t n,
                                     int64_t kernel, int64_t dilation) {
  if (kernel < 1 || dilation < 1)
    return std::nullopt;
  int64_t residue = c % dilation;
  if (ck % dilation != residue)
    return false;
  int64_t positions = (n - residue + dilation - 1) / dilation;
  int64_t i = c / dilation, j = ck / dilation;
  int64_t start = std::max<int64_t>(0, std::min(i - kernel / 2, positions - kernel));
  return start <= j && j - start < kernel;
}

/// causal neighborhood along one axis: the key is at most kernel - 1
/// positions of the query's residue class before it, never after.
std::optional<bool> causalNeighborhoodAxis(int64_t c, int64_t ck, int64_t,
                                           int64_t kernel, int64_t dilation) {
  if (kernel < 1 || dilation < 1)
    return std::nullopt;
  if (ck % dilation != c % dilation)
    return false;
  int64_t i = c / dilation, j = ck / dilation;
  return j <= i && i - j < kernel;
}

/// Swin windows along one axis: the same window of a partition into windows
/// of `window` positions whose boundaries are moved by `shift` (the shifted
/// windows of Swin, with its cyclic-shift mask: the wrapped-around pieces
/// stay apart).
std::optional<bool> swinAxis(int64_t c, int64_t ck, int64_t, int64_t window,
                             int64_t shift) {
  if (window < 1)
    return std::nullopt;
  return floorDiv(c - shift, window) == floorDiv(ck - shift, window);
}

using AxisPredicate = std::optional<bool> (*)(int64_t, int64_t, int64_t, int64_t,
                                              int64_t);

/// `predicate` along every axis of the grid, all of which must hold.
std::optional<int64_t> everyAxis(AxisPredicate predicate, int64_t a, int64_t b,
                                 const Env &env) {
  if (!env.grid)
    return std::nullopt;
  bool keep = true;
  for (size_t axis = 0; axis < env.grid->size(); ++axis) {
    std::optional<bool> kept =
        predicate(gridCoord(*env.grid, axis, env.q), gridCoord(*env.grid, axis, env.k),
                  (*env.grid)[axis], a, b);
    if (!kept)
      return std::nullopt;
    keep = keep && *kept;
  }
  return keep;
}

/// `predicate` along the axis `fromEnd` places before the last one.
template <AxisPredicate predicate, size_t fromEnd>
std::optional<int64_t> evalAxis(const Args &args, const Env &env) {
  if (!env.grid || env.grid->size() <= fromEnd)
    return std::nullopt;
  size_t axis = env.grid->size() - 1 - fromEnd;
  std::optional<bool> kept =
      predicate(gridCoord(*env.grid, axis, env.q), gridCoord(*env.grid, axis, env.k),
                (*env.grid)[axis], args[0], args[1]);
  if (!kept)
    return std::nullopt;
  return *kept;
}

std::optional<int64_t> evalNeighborhood(const Args &args, const Env &env) {
  return everyAxis(neighborhoodAxis, args[0], args.size() > 1 ? args[1] : 1, env);
}

std::optional<int64_t> evalSwin(const Args &args, const Env &env) {
  return everyAxis(swinAxis, args[0], args[1], env);
}

std::string checkKernelDilation(size_t index, int64_t value) {
  return requirePositive(index == 0 ? "kernel size" : "dilation", value);
}

std::string checkSwin(size_t index, int64_t value) {
  return index == 0 ? requirePositive("window size", value) : "";
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
      {"strided", {kInt, kInt}, kBool, kMask, evalStrided, nullptr,
       "floor(k / size) % n == h % n", checkStrided},
      {"radial", {kInt, kInt}, kBool, kMask, evalRadial, nullptr,
       "|q % frame - k % frame| * 2^r < width && (2^r <= width || d % ceil(2^r / width) == 0), "
       "d = |floor(q / frame) - floor(k / frame)|, r = floor(log2(max(d, 1)))",
       checkRadial},
      // Token grids (docs/spec.md, "Token grids"); "every axis a:" is the
      // conjunction over the grid's axes, qa and ka the coordinates there.
      {"neighborhood", {kInt}, kBool, kMask, evalNeighborhood, nullptr,
       "every axis a: neighborhood_a(kernel, 1)", checkKernelDilation, nullptr, 1},
      {"neighborhood", {kInt, kInt}, kBool, kMask, evalNeighborhood, nullptr,
       "every axis a: neighborhood_a(kernel, dilation)", checkKernelDilation, nullptr, 1},
      {"neighborhood_x", {kInt, kInt}, kBool, kMask,
       evalAxis<neighborhoodAxis, 0>, nullptr,
       "qx % d == kx % d && start <= kx / d && kx / d < start + kernel, "
       "start = max(0, min(qx / d - kernel / 2, m - kernel)), "
       "m = (n - qx % d + d - 1) / d positions of the class on an axis of n",
       checkKernelDilation, nullptr, 1},
      {"neighborhood_y", {kInt, kInt}, kBool, kMask,
       evalAxis<neighborhoodAxis, 1>, nullptr, "neighborhood_x along y",
       checkKernelDilation, nullptr, 2},
      {"neighborhood_t", {kInt, kInt}, kBool, kMask,
       evalAxis<neighborhoodAxis, 2>, nullptr, "neighborhood_x along t",
       checkKernelDilation, nullptr, 3},
      {"causal_neighborhood_x", {kInt, kInt}, kBool, kMask,
       evalAxis<causalNeighborhoodAxis, 0>, nullptr,
       "qx % d == kx % d && kx <= qx && qx / d - kx / d < kernel",
       checkKernelDilation, nullptr, 1},
      {"causal_neighborhood_y", {kInt, kInt}, kBool, kMask,
       evalAxis<causalNeighborhoodAxis, 1>, nullptr, "causal_neighborhood_x along y",
       checkKernelDilation, nullptr, 2},
      {"causal_neighborhood_t", {kInt, kInt}, kBool, kMask,
       evalAxis<causalNeighborhoodAxis, 2>, nullptr, "causal_neighborhood_x along t",
       checkKernelDilation, nullptr, 3},
      {"swin", {kInt, kInt}, kBool, kMask, evalSwin, nullptr,
       "every axis a: floor((qa - shift) / window) == floor((ka - shift) / window)",
       checkSwin, nullptr, 1},
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

const Builtin *lookupBuiltin(std::string_view name, size_t arity) {
  for (const Builtin &builtin : builtins())
    if (builtin.name == name && builtin.params.size() == arity)
      return &builtin;
  return nullptr;
}

std::string builtinArityText(std::string_view name) {
  std::vector<size_t> arities;
  for (const Builtin &builtin : builtins())
    if (builtin.name == name)
      arities.push_back(builtin.params.size());
  if (arities.size() == 1 && arities[0] == 0)
    return "no arguments";
  std::string text;
  for (size_t i = 0; i < arities.size(); ++i)
    text += (i == 0 ? "" : i + 1 == arities.size() ? " or " : ", ") +
            std::to_string(arities[i]);
  return text + (arities.size() == 1 && arities[0] == 1 ? " argument" : " arguments");
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
