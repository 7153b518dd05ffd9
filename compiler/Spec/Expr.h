//===- Expr.h - AST of mask and score expressions ---------------*- C++ -*-===//
//
// A mask is a small C-like expression over the integer variables b, h, q, k,
// sq and skv that yields true for the (query, key) pairs attention keeps. A
// score modification is a float expression over the same variables plus the
// score s and the head count hq, whose value replaces s. Every node records
// where it came from in the expression text and, once type-checked, whether
// it is an int, a bool or a float.
//
// Int-to-float promotion is implicit: there is no conversion node. A node of
// type Float may have Int operands (`s * 2`, `q < s`, `c ? s : 0`, `tanh(q)`);
// each such operand is converted to float before the node's operation, which
// is then done in float. A comparison with one float operand compares as
// floats. Nothing ever converts a float to an int or a bool.
//
// One node struct with a kind tag (rather than a class hierarchy) keeps the
// consumers -- the lowering to the attn dialect, the printer, the evaluator --
// plain switches over ExprKind.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_EXPR_H
#define ATTNC_COMPILER_SPEC_EXPR_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::spec {

struct Builtin;

enum class ExprKind {
  IntLiteral,
  FloatLiteral,
  BoolLiteral,
  Variable,
  Unary,
  Binary,
  Conditional,
  Call,
  Param, ///< a runtime scalar parameter declared in the spec
  Index, ///< `t[i, j]`: an element of a runtime tensor declared in the spec
};

/// Int is int64; Float is a double in the evaluator and f32 in the kernels.
enum class ExprType { Int, Bool, Float };

/// Where an expression is written; it decides which variables, built-ins and
/// types the expression may use (see isAvailable()).
enum class ExprContext {
  Mask,  ///< the spec's "mask": int and bool only
  Score, ///< the spec's "score": also floats, s and hq
  Sink,  ///< the spec's "sink": a float per (b, h); no q, k or s
};

/// The variables an expression may read. All are 64-bit integers but s.
enum class Var {
  B,   ///< batch index
  H,   ///< query head index
  Q,   ///< query index, in [0, sq)
  K,   ///< key index, in [0, skv)
  Sq,  ///< query sequence length
  Skv, ///< key/value sequence length
  S,   ///< the score scale * dot(q, k), a float; score expressions only
  Hq,  ///< the number of query heads; score expressions only
  // Coordinates of q and k on the spec's token grid ("grid"), tokens numbered
  // row-major: x is the last axis, y the one before, t the one before that.
  // Only for grids with that axis; masks and scores only.
  Qt,
  Qy,
  Qx,
  Kt,
  Ky,
  Kx,
};

enum class UnaryOp { Not, Neg };

enum class BinaryOp {
  Mul,
  Div,
  Rem,
  Add,
  Sub,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  And,
  Or
};

struct Expr {
  ExprKind kind;
  /// Set by the type checker; every node of a parsed expression has one.
  ExprType type = ExprType::Int;
  /// Byte offset and length of the node's text in the expression source; a
  /// parenthesised node includes its parentheses.
  size_t offset = 0;
  size_t length = 0;

  int64_t intValue = 0;              ///< IntLiteral
  double floatValue = 0;             ///< FloatLiteral: finite, >= 0
  bool boolValue = false;            ///< BoolLiteral
  Var var = Var::B;                  ///< Variable
  UnaryOp unaryOp = UnaryOp::Not;    ///< Unary
  BinaryOp binaryOp = BinaryOp::Add; ///< Binary
  const Builtin *callee = nullptr;   ///< Call: an entry of the builtins() table
  /// Param, Index: the parameter's or tensor's slot in the spec's Decls, and
  /// its name (for printing and messages).
  size_t slot = 0;
  std::string name;
  /// Unary: {operand}; Binary: {lhs, rhs}; Conditional: {condition, then,
  /// else}; Call: the arguments; Index: the indices, one per dimension.
  std::vector<std::unique_ptr<Expr>> operands;

  explicit Expr(ExprKind kind) : kind(kind) {}

  const Expr &operand(size_t i) const { return *operands[i]; }
  size_t end() const { return offset + length; }
};

std::string_view varName(Var var); // "q", "skv", "s", "hq", ...
std::optional<Var> lookupVar(std::string_view name);
/// Every variable, in the order they are listed to users.
const std::vector<Var> &allVars();
ExprType varType(Var var); // Float for s, Int for the others
/// Whether `var` may be read in `context`: s and hq only in scores.
bool isAvailable(Var var, ExprContext context);
/// For a grid coordinate variable, its axis counted from the last one (x is
/// 0, y 1, t 2); nullopt for the others.
std::optional<size_t> coordAxisFromEnd(Var var);
/// Whether a grid coordinate variable is one of the query's (qt, qy, qx).
bool isQueryCoord(Var var);
/// The coordinate along `axis` (0 = the first) of token `index` on a
/// row-major grid of sizes `grid`.
int64_t gridCoord(const std::vector<int64_t> &grid, size_t axis, int64_t index);
/// The distance between neighbours along `axis`: the product of the later sizes.
int64_t gridStride(const std::vector<int64_t> &grid, size_t axis);
std::string_view unaryOpSpelling(UnaryOp op);          // "!", "-"
std::string_view binaryOpSpelling(BinaryOp op);        // "&&", "<=", ...
std::string_view exprTypeName(ExprType type);          // "int", "bool", "float"
std::string_view exprContextName(ExprContext context); // "mask", "score", "sink"

/// The shortest text that the lexer reads back as exactly `value` (finite,
/// >= 0), always with a '.' or an exponent so that it stays a float literal:
/// "50.0", "0.001", "1e+20".
std::string formatFloatLiteral(double value);

/// A deep copy (Spec is move-only because it owns its mask).
std::unique_ptr<Expr> cloneExpr(const Expr &expr);

/// Canonical, fully parenthesised form: every unary, binary and conditional
/// node in parentheses, calls as `min(a, b)`, nullary built-ins as their bare
/// name (`causal`), float literals as by formatFloatLiteral(). Two expressions
/// print the same iff they parse to the same tree, so tests compare shapes
/// through it.
std::string printExpr(const Expr &expr);

/// A problem in an expression, at a byte offset of its source.
struct ExprError {
  size_t offset = 0;
  std::string message;
  int column() const { return static_cast<int>(offset) + 1; }
};

/// The values of a spec's runtime parameters and tensors for one call.
struct Bindings {
  /// By parameter slot; an int parameter's value is exact up to 2^53.
  std::vector<double> params;
  /// The element of tensor `slot` at `index` (one entry per dimension, in
  /// bounds); an i32 tensor's value is exact.
  std::function<double(size_t slot, const std::vector<int64_t> &index)> read;
};

/// The values of the variables for one (query, key) pair.
struct Env {
  int64_t b = 0, h = 0, q = 0, k = 0, sq = 0, skv = 0;
  int64_t hq = 0; ///< number of query heads
  double s = 0;   ///< the score scale * dot(q, k) of the pair
  /// Needed by expressions that read parameters or tensors.
  const Bindings *bindings = nullptr;
  /// The token grid ("grid"), needed by grid coordinates and the built-ins
  /// that use them (neighborhood, swin).
  const std::vector<int64_t> *grid = nullptr;
  /// The value of an int variable (not s); a grid coordinate needs `grid`.
  int64_t get(Var var) const;
};

/// Reference evaluation of a type-checked int or bool expression: the value
/// of an int node, or 0/1 for a bool node. `&&`, `||` and `?:` skip the
/// operand they do not need, as in C. Returns nullopt where C would be
/// undefined: integer division or remainder by zero, and int results that
/// overflow int64. Float sub-expressions (in `tanh(s) < 0.5`) are computed in
/// double with IEEE semantics, where nothing is undefined: log(-1) is NaN and
/// 1.0 / 0 is inf. A float-typed `expr` gives nullopt: use evaluateScore().
std::optional<int64_t> evaluate(const Expr &expr, const Env &env);

/// evaluate() for a bool-typed expression, such as a mask.
std::optional<bool> evaluateMask(const Expr &expr, const Env &env);

/// Reference evaluation of a score expression (float- or int-typed; an int
/// result is converted to double): the modified score of the pair whose
/// original score is env.s. nullopt only where an int sub-expression is
/// undefined, as in evaluate().
std::optional<double> evaluateScore(const Expr &expr, const Env &env);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPR_H
