//===- Expr.h - AST of mask expressions -------------------------*- C++ -*-===//
//
// A mask is a small C-like expression over the integer variables b, h, q, k,
// sq and skv that yields true for the (query, key) pairs attention keeps.
// Every node records where it came from in the expression text and, once
// type-checked, whether it is an int or a bool.
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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::spec {

struct Builtin;

enum class ExprKind {
  IntLiteral,
  BoolLiteral,
  Variable,
  Unary,
  Binary,
  Conditional,
  Call
};

enum class ExprType { Int, Bool };

/// The variables a mask may read. All are 64-bit integers.
enum class Var {
  B,   ///< batch index
  H,   ///< query head index
  Q,   ///< query index, in [0, sq)
  K,   ///< key index, in [0, skv)
  Sq,  ///< query sequence length
  Skv, ///< key/value sequence length
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
  bool boolValue = false;            ///< BoolLiteral
  Var var = Var::B;                  ///< Variable
  UnaryOp unaryOp = UnaryOp::Not;    ///< Unary
  BinaryOp binaryOp = BinaryOp::Add; ///< Binary
  const Builtin *callee = nullptr;   ///< Call: an entry of the builtins() table
  /// Unary: {operand}; Binary: {lhs, rhs}; Conditional: {condition, then,
  /// else}; Call: the arguments.
  std::vector<std::unique_ptr<Expr>> operands;

  explicit Expr(ExprKind kind) : kind(kind) {}

  const Expr &operand(size_t i) const { return *operands[i]; }
  size_t end() const { return offset + length; }
};

std::string_view varName(Var var); // "q", "skv", ...
std::optional<Var> lookupVar(std::string_view name);
const std::vector<Var> &allVars();
std::string_view unaryOpSpelling(UnaryOp op);   // "!", "-"
std::string_view binaryOpSpelling(BinaryOp op); // "&&", "<=", ...
std::string_view exprTypeName(ExprType type);   // "int", "bool"

/// A deep copy (Spec is move-only because it owns its mask).
std::unique_ptr<Expr> cloneExpr(const Expr &expr);

/// Canonical, fully parenthesised form: every unary, binary and conditional
/// node in parentheses, calls as `min(a, b)`, nullary built-ins as their bare
/// name (`causal`). Two expressions print the same iff they parse to the same
/// tree, so tests compare shapes through it.
std::string printExpr(const Expr &expr);

/// A problem in an expression, at a byte offset of its source.
struct ExprError {
  size_t offset = 0;
  std::string message;
  int column() const { return static_cast<int>(offset) + 1; }
};

/// The values of the variables for one (query, key) pair.
struct Env {
  int64_t b = 0, h = 0, q = 0, k = 0, sq = 0, skv = 0;
  int64_t get(Var var) const;
};

/// Reference evaluation of a type-checked expression: the value of an int
/// node, or 0/1 for a bool node. `&&`, `||` and `?:` skip the operand they do
/// not need, as in C. Returns nullopt where C would be undefined: division or
/// remainder by zero, and results that overflow int64.
std::optional<int64_t> evaluate(const Expr &expr, const Env &env);

/// evaluate() for a bool-typed expression, such as a mask.
std::optional<bool> evaluateMask(const Expr &expr, const Env &env);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPR_H
