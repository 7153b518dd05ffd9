//===- ExprEvaluatorTest.cpp - Semantics of mask expressions --------------===//
//
// The evaluator is the reference the generated kernels will be held to, so
// it is checked here against formulas written independently in this file:
// the built-ins against their definitions on random (q, k, sq, skv), and
// random expressions -- printed with as few parentheses as precedence
// allows, then parsed -- against a hand-written interpreter of the generated
// tree.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/ExprParser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

using namespace attnc::spec;

namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

std::unique_ptr<Expr> parsed(std::string_view source) {
  ExprParseResult result = parseExpr(source);
  EXPECT_TRUE(result.errors.empty())
      << source << ": " << result.errors.front().message;
  return std::move(result.expr);
}

/// A random pair of a random problem shape, with sq < skv, sq == skv and
/// sq > skv all likely.
Env randomEnv(std::mt19937_64 &rng) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Env env;
  env.sq = uniform(1, 300);
  env.skv = uniform(0, 2) == 0 ? env.sq : uniform(1, 300);
  env.q = uniform(0, env.sq - 1);
  env.k = uniform(0, env.skv - 1);
  env.b = uniform(0, 7);
  env.h = uniform(0, 31);
  return env;
}

TEST(ExprEvaluator, CausalIsBottomRightAligned) {
  std::unique_ptr<Expr> causal = parsed("causal");
  std::unique_ptr<Expr> called = parsed("causal()");
  std::unique_ptr<Expr> spelledOut = parsed("k <= q + skv - sq");
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    bool expected = env.k <= env.q + env.skv - env.sq;
    ASSERT_EQ(evaluateMask(*causal, env), expected)
        << "q=" << env.q << " k=" << env.k << " sq=" << env.sq
        << " skv=" << env.skv;
    ASSERT_EQ(evaluateMask(*called, env), expected);
    ASSERT_EQ(evaluateMask(*spelledOut, env), expected);
  }
  // The last query sees every key; with sq > skv the first queries see none.
  EXPECT_EQ(evaluateMask(*causal,
                         Env{0, 0, /*q=*/9, /*k=*/19, /*sq=*/10, /*skv=*/20}),
            true);
  EXPECT_EQ(
      evaluateMask(*causal, Env{0, 0, /*q=*/0, /*k=*/0, /*sq=*/20, /*skv=*/10}),
      false);
  EXPECT_EQ(evaluateMask(*causal,
                         Env{0, 0, /*q=*/10, /*k=*/0, /*sq=*/20, /*skv=*/10}),
            true);
}

TEST(ExprEvaluator, CausalTopLeftAndNone) {
  std::unique_ptr<Expr> topLeft = parsed("causal_top_left");
  std::unique_ptr<Expr> none = parsed("none");
  std::mt19937_64 rng(2);
  for (int i = 0; i < 20000; ++i) {
    Env env = randomEnv(rng);
    ASSERT_EQ(evaluateMask(*topLeft, env), env.k <= env.q);
    ASSERT_EQ(evaluateMask(*none, env), true);
  }
}

TEST(ExprEvaluator, MinMaxAbs) {
  std::unique_ptr<Expr> min = parsed("min(q, k)");
  std::unique_ptr<Expr> max = parsed("max(q, k)");
  std::unique_ptr<Expr> abs = parsed("abs(q - k)");
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> value(-1000000, 1000000);
  for (int i = 0; i < 20000; ++i) {
    Env env;
    env.q = value(rng);
    env.k = value(rng);
    ASSERT_EQ(evaluate(*min, env), std::min(env.q, env.k));
    ASSERT_EQ(evaluate(*max, env), std::max(env.q, env.k));
    ASSERT_EQ(evaluate(*abs, env),
              env.q > env.k ? env.q - env.k : env.k - env.q);
  }
  Env extreme;
  extreme.q = kInt64Min;
  EXPECT_EQ(evaluate(*parsed("abs(q)"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("min(q, 0)"), extreme), kInt64Min);
}

TEST(ExprEvaluator, DivisionTruncatesLikeC) {
  EXPECT_EQ(evaluate(*parsed("-7 / 2"), Env{}), -3);
  EXPECT_EQ(evaluate(*parsed("-7 % 2"), Env{}), -1);
  EXPECT_EQ(evaluate(*parsed("7 / -2"), Env{}), -3);
  EXPECT_EQ(evaluate(*parsed("7 % -2"), Env{}), 1);
  EXPECT_EQ(evaluate(*parsed("7 % 2"), Env{}), 1);
}

TEST(ExprEvaluator, UndefinedResultsHaveNoValue) {
  Env zero;
  EXPECT_EQ(evaluate(*parsed("q / k"), zero), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("q % k"), zero), std::nullopt);
  Env extreme;
  extreme.q = kInt64Min;
  extreme.k = -1;
  EXPECT_EQ(evaluate(*parsed("q / k"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("q % k"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("-q"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("q - 1"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("q * k"), extreme), std::nullopt);
  EXPECT_EQ(evaluate(*parsed("q + 1"), extreme), kInt64Min + 1);
  // Undefinedness propagates through everything that uses the value.
  EXPECT_EQ(evaluateMask(*parsed("q / k < 1 || true"), zero), std::nullopt);
}

TEST(ExprEvaluator, ShortCircuitLikeC) {
  Env zero; // k == 0
  EXPECT_EQ(evaluateMask(*parsed("k != 0 && q / k > 1"), zero), false);
  EXPECT_EQ(evaluateMask(*parsed("k == 0 || q / k > 1"), zero), true);
  EXPECT_EQ(evaluate(*parsed("k == 0 ? 0 : q / k"), zero), 0);
  EXPECT_EQ(evaluate(*parsed("k != 0 ? q / k : -1"), zero), -1);
}

TEST(ExprEvaluator, Conditional) {
  std::unique_ptr<Expr> clamp = parsed("q < k ? k - q : q - k > 5 ? 5 : q - k");
  std::mt19937_64 rng(4);
  for (int i = 0; i < 10000; ++i) {
    Env env = randomEnv(rng);
    int64_t expected =
        env.q < env.k ? env.k - env.q : std::min<int64_t>(env.q - env.k, 5);
    ASSERT_EQ(evaluate(*clamp, env), expected);
  }
}

//===----------------------------------------------------------------------===//
// Random expressions
//===----------------------------------------------------------------------===//

/// A generated expression: its own tree, independent of attnc::spec::Expr.
struct Node {
  enum Kind { Literal, Bool, Variable, Unary, Binary, Conditional, Call } kind;
  int64_t value = 0; // Literal; Bool (0/1)
  std::string name;  // Variable, Call: name; Unary, Binary: operator
  std::vector<Node> kids;
};

/// Binding strength, as in C: ?: 0, || 1, && 2, == != 3, < <= > >= 4,
/// + - 5, * / % 6, prefix 7, primary 8.
int precedenceOf(const std::string &op) {
  if (op == "||")
    return 1;
  if (op == "&&")
    return 2;
  if (op == "==" || op == "!=")
    return 3;
  if (op == "<" || op == "<=" || op == ">" || op == ">=")
    return 4;
  if (op == "+" || op == "-")
    return 5;
  return 6;
}

class Generator {
public:
  explicit Generator(uint64_t seed) : rng(seed) {}

  Node generate(bool wantBool, int depth) {
    if (depth == 0 || chance(25))
      return leaf(wantBool);
    if (chance(12)) {
      Node cond = generate(true, depth - 1);
      Node yes = generate(wantBool, depth - 1);
      Node no = generate(wantBool, depth - 1);
      return {Node::Conditional, 0, "", {cond, yes, no}};
    }
    if (wantBool) {
      switch (pick(4)) {
      case 0:
        return {Node::Unary, 0, "!", {generate(true, depth - 1)}};
      case 1:
        return binary(pickOf({"&&", "||"}), true, depth);
      default:
        return binary(pickOf({"<", "<=", ">", ">=", "==", "!="}), false, depth);
      }
    }
    switch (pick(5)) {
    case 0:
      return {Node::Unary, 0, "-", {generate(false, depth - 1)}};
    case 1: {
      std::string callee = pickOf({"min", "max", "abs"});
      Node call{Node::Call, 0, callee, {generate(false, depth - 1)}};
      if (callee != "abs")
        call.kids.push_back(generate(false, depth - 1));
      return call;
    }
    default: {
      Node node = binary(pickOf({"+", "-", "*", "/", "%"}), false, depth);
      // A literal zero divisor is a compile-time error, not a test case.
      Node &divisor = node.kids[1];
      if ((node.name == "/" || node.name == "%") &&
          divisor.kind == Node::Literal && divisor.value == 0)
        divisor.value = 3;
      return node;
    }
    }
  }

private:
  bool chance(int percent) { return pick(100) < percent; }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  std::string pickOf(std::vector<std::string> options) {
    return options[pick(options.size())];
  }

  Node leaf(bool wantBool) {
    if (wantBool) {
      switch (pick(4)) {
      case 0:
        return {Node::Bool, pick(2), "", {}};
      default:
        return {
            Node::Call, 0, pickOf({"none", "causal", "causal_top_left"}), {}};
      }
    }
    if (chance(50))
      return {Node::Literal, pick(21), "", {}};
    return {Node::Variable, 0, pickOf({"b", "h", "q", "k", "sq", "skv"}), {}};
  }

  Node binary(const std::string &op, bool operandsBool, int depth) {
    return {
        Node::Binary,
        0,
        op,
        {generate(operandsBool, depth - 1), generate(operandsBool, depth - 1)}};
  }

  std::mt19937_64 rng;
};

/// The generated tree as source with the fewest parentheses precedence and
/// associativity allow; sets `level` to the binding strength of the result.
std::string toSource(const Node &node, int &level) {
  auto operand = [](const Node &kid, int minLevel) {
    int kidLevel = 0;
    std::string text = toSource(kid, kidLevel);
    return kidLevel < minLevel ? "(" + text + ")" : text;
  };
  switch (node.kind) {
  case Node::Literal:
    level = 8;
    return std::to_string(node.value);
  case Node::Bool:
    level = 8;
    return node.value ? "true" : "false";
  case Node::Variable:
    level = 8;
    return node.name;
  case Node::Unary:
    level = 7;
    return node.name + operand(node.kids[0], 7);
  case Node::Binary: {
    level = precedenceOf(node.name);
    // Left associative: an equal-strength right operand needs parentheses.
    return operand(node.kids[0], level) + " " + node.name + " " +
           operand(node.kids[1], level + 1);
  }
  case Node::Conditional:
    level = 0;
    return operand(node.kids[0], 1) + " ? " + operand(node.kids[1], 0) + " : " +
           operand(node.kids[2], 0);
  case Node::Call: {
    level = 8;
    if (node.kids.empty())
      return node.name;
    std::string text = node.name + "(";
    for (size_t i = 0; i < node.kids.size(); ++i)
      text += (i ? ", " : "") + operand(node.kids[i], 0);
    return text + ")";
  }
  }
  return "";
}

/// The form printExpr must produce for the generated tree.
std::string canonical(const Node &node) {
  switch (node.kind) {
  case Node::Literal:
    return std::to_string(node.value);
  case Node::Bool:
    return node.value ? "true" : "false";
  case Node::Variable:
    return node.name;
  case Node::Unary:
    return "(" + node.name + canonical(node.kids[0]) + ")";
  case Node::Binary:
    return "(" + canonical(node.kids[0]) + " " + node.name + " " +
           canonical(node.kids[1]) + ")";
  case Node::Conditional:
    return "(" + canonical(node.kids[0]) + " ? " + canonical(node.kids[1]) +
           " : " + canonical(node.kids[2]) + ")";
  case Node::Call: {
    if (node.kids.empty())
      return node.name;
    std::string text = node.name + "(";
    for (size_t i = 0; i < node.kids.size(); ++i)
      text += (i ? ", " : "") + canonical(node.kids[i]);
    return text + ")";
  }
  }
  return "";
}

/// Hand-written interpreter of the generated tree: C semantics, 128-bit
/// intermediates to detect int64 overflow, nullopt where C is undefined.
std::optional<int64_t> reference(const Node &node, const Env &env) {
  auto fits = [](__int128 v) -> std::optional<int64_t> {
    if (v < std::numeric_limits<int64_t>::min() ||
        v > std::numeric_limits<int64_t>::max())
      return std::nullopt;
    return static_cast<int64_t>(v);
  };
  switch (node.kind) {
  case Node::Literal:
  case Node::Bool:
    return node.value;
  case Node::Variable: {
    const std::string &n = node.name;
    return n == "b"    ? env.b
           : n == "h"  ? env.h
           : n == "q"  ? env.q
           : n == "k"  ? env.k
           : n == "sq" ? env.sq
                       : env.skv;
  }
  case Node::Unary: {
    std::optional<int64_t> x = reference(node.kids[0], env);
    if (!x)
      return std::nullopt;
    return node.name == "!" ? std::optional<int64_t>(*x == 0)
                            : fits(-static_cast<__int128>(*x));
  }
  case Node::Binary: {
    const std::string &op = node.name;
    std::optional<int64_t> a = reference(node.kids[0], env);
    if (!a)
      return std::nullopt;
    if (op == "&&" && *a == 0)
      return 0;
    if (op == "||" && *a != 0)
      return 1;
    std::optional<int64_t> b = reference(node.kids[1], env);
    if (!b)
      return std::nullopt;
    __int128 x = *a, y = *b;
    if (op == "&&" || op == "||")
      return *b != 0;
    if (op == "+")
      return fits(x + y);
    if (op == "-")
      return fits(x - y);
    if (op == "*")
      return fits(x * y);
    if (op == "/")
      return y == 0 ? std::nullopt : fits(x / y); // __int128 also truncates
    if (op == "%")
      return y == 0 || !fits(x / y) ? std::nullopt : fits(x % y);
    if (op == "<")
      return x < y;
    if (op == "<=")
      return x <= y;
    if (op == ">")
      return x > y;
    if (op == ">=")
      return x >= y;
    if (op == "==")
      return x == y;
    return x != y;
  }
  case Node::Conditional: {
    std::optional<int64_t> c = reference(node.kids[0], env);
    if (!c)
      return std::nullopt;
    return reference(node.kids[*c ? 1 : 2], env);
  }
  case Node::Call: {
    const std::string &f = node.name;
    if (f == "none")
      return 1;
    if (f == "causal")
      return env.k <= env.q + env.skv - env.sq;
    if (f == "causal_top_left")
      return env.k <= env.q;
    std::optional<int64_t> a = reference(node.kids[0], env);
    if (!a)
      return std::nullopt;
    if (f == "abs")
      return fits(*a < 0 ? -static_cast<__int128>(*a) : *a);
    std::optional<int64_t> b = reference(node.kids[1], env);
    if (!b)
      return std::nullopt;
    return f == "min" ? std::min(*a, *b) : std::max(*a, *b);
  }
  }
  return std::nullopt;
}

TEST(ExprEvaluator, RandomExpressionsMatchTheReference) {
  Generator generator(0x5eed);
  std::mt19937_64 rng(5);
  int defined = 0, total = 0;
  for (int i = 0; i < 3000; ++i) {
    bool isMask = i % 2 == 0;
    Node node = generator.generate(isMask, /*depth=*/1 + i % 5);
    int level = 0;
    std::string source = toSource(node, level);
    ExprParseResult result = isMask ? parseMask(source) : parseExpr(source);
    ASSERT_TRUE(result.expr) << source << ": " << result.errors.front().message;
    ASSERT_EQ(printExpr(*result.expr), canonical(node)) << source;
    ASSERT_EQ(result.expr->type, isMask ? ExprType::Bool : ExprType::Int)
        << source;
    for (int j = 0; j < 20; ++j) {
      Env env = randomEnv(rng);
      std::optional<int64_t> expected = reference(node, env);
      ASSERT_EQ(evaluate(*result.expr, env), expected)
          << source << " at b=" << env.b << " h=" << env.h << " q=" << env.q
          << " k=" << env.k << " sq=" << env.sq << " skv=" << env.skv;
      defined += expected.has_value();
      ++total;
    }
  }
  // Division by a zero variable is allowed to be undefined, but most cases
  // must exercise real values for the test to mean something.
  EXPECT_GT(defined, total * 3 / 4);
}

} // namespace
