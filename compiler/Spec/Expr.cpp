//===- Expr.cpp - Names, copying and printing of expressions --------------===//

#include "compiler/Spec/Expr.h"

#include "compiler/Spec/Builtins.h"

#include <charconv>
#include <system_error>

namespace attnc::spec {

std::string_view varName(Var var) {
  switch (var) {
  case Var::B:
    return "b";
  case Var::H:
    return "h";
  case Var::Q:
    return "q";
  case Var::K:
    return "k";
  case Var::Sq:
    return "sq";
  case Var::Skv:
    return "skv";
  case Var::S:
    return "s";
  case Var::Hq:
    return "hq";
  case Var::Qt:
    return "qt";
  case Var::Qy:
    return "qy";
  case Var::Qx:
    return "qx";
  case Var::Kt:
    return "kt";
  case Var::Ky:
    return "ky";
  case Var::Kx:
    return "kx";
  }
  return "?";
}

const std::vector<Var> &allVars() {
  static const std::vector<Var> vars = {
      Var::B,  Var::H,  Var::Q,  Var::K,  Var::Sq, Var::Skv, Var::S,
      Var::Hq, Var::Qt, Var::Qy, Var::Qx, Var::Kt, Var::Ky,  Var::Kx};
  return vars;
}

std::optional<size_t> coordAxisFromEnd(Var var) {
  switch (var) {
  case Var::Qx:
  case Var::Kx:
    return 0;
  case Var::Qy:
  case Var::Ky:
    return 1;
  case Var::Qt:
  case Var::Kt:
    return 2;
  default:
    return std::nullopt;
  }
}

bool isQueryCoord(Var var) {
  return var == Var::Qt || var == Var::Qy || var == Var::Qx;
}

int64_t gridStride(const std::vector<int64_t> &grid, size_t axis) {
  int64_t stride = 1;
  for (size_t a = axis + 1; a < grid.size(); ++a)
    stride *= grid[a];
  return stride;
}

int64_t gridCoord(const std::vector<int64_t> &grid, size_t axis, int64_t index) {
  return index / gridStride(grid, axis) % grid[axis];
}

ExprType varType(Var var) {
  return var == Var::S ? ExprType::Float : ExprType::Int;
}

bool isAvailable(Var var, ExprContext context) {
  switch (context) {
  case ExprContext::Mask:
    return var != Var::S && var != Var::Hq;
  case ExprContext::Score:
    return true;
  case ExprContext::Sink:
    return var == Var::B || var == Var::H || var == Var::Hq;
  }
  return false;
}

std::optional<Var> lookupVar(std::string_view name) {
  for (Var var : allVars())
    if (varName(var) == name)
      return var;
  return std::nullopt;
}

std::string_view unaryOpSpelling(UnaryOp op) {
  return op == UnaryOp::Not ? "!" : "-";
}

std::string_view binaryOpSpelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Rem:
    return "%";
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::And:
    return "&&";
  case BinaryOp::Or:
    return "||";
  }
  return "?";
}

std::string_view exprTypeName(ExprType type) {
  switch (type) {
  case ExprType::Int:
    return "int";
  case ExprType::Bool:
    return "bool";
  case ExprType::Float:
    return "float";
  }
  return "?";
}

std::string_view exprContextName(ExprContext context) {
  switch (context) {
  case ExprContext::Mask:
    return "mask";
  case ExprContext::Score:
    return "score";
  case ExprContext::Sink:
    return "sink";
  }
  return "?";
}

std::string formatFloatLiteral(double value) {
  // to_chars without a format gives the shortest text that reads back as
  // exactly `value`, in fixed or scientific notation, whichever is shorter.
  char buffer[64];
  std::to_chars_result printed =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, printed.ptr);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

int64_t Env::get(Var var) const {
  switch (var) {
  case Var::B:
    return b;
  case Var::H:
    return h;
  case Var::Q:
    return q;
  case Var::K:
    return k;
  case Var::Sq:
    return sq;
  case Var::Skv:
    return skv;
  case Var::Hq:
    return hq;
  case Var::S:
    break; // a float: evaluators read env.s
  case Var::Qt:
  case Var::Qy:
  case Var::Qx:
  case Var::Kt:
  case Var::Ky:
  case Var::Kx: {
    size_t fromEnd = *coordAxisFromEnd(var);
    if (!grid || grid->size() <= fromEnd)
      return 0; // the checker allows coordinates only on a grid with the axis
    return gridCoord(*grid, grid->size() - 1 - fromEnd, isQueryCoord(var) ? q : k);
  }
  }
  return 0;
}

std::unique_ptr<Expr> cloneExpr(const Expr &expr) {
  auto copy = std::make_unique<Expr>(expr.kind);
  copy->type = expr.type;
  copy->offset = expr.offset;
  copy->length = expr.length;
  copy->intValue = expr.intValue;
  copy->floatValue = expr.floatValue;
  copy->boolValue = expr.boolValue;
  copy->var = expr.var;
  copy->unaryOp = expr.unaryOp;
  copy->binaryOp = expr.binaryOp;
  copy->callee = expr.callee;
  copy->slot = expr.slot;
  copy->name = expr.name;
  for (const auto &operand : expr.operands)
    copy->operands.push_back(cloneExpr(*operand));
  return copy;
}

std::string printExpr(const Expr &expr) {
  switch (expr.kind) {
  case ExprKind::IntLiteral:
    return std::to_string(expr.intValue);
  case ExprKind::FloatLiteral:
    return formatFloatLiteral(expr.floatValue);
  case ExprKind::BoolLiteral:
    return expr.boolValue ? "true" : "false";
  case ExprKind::Variable:
    return std::string(varName(expr.var));
  case ExprKind::Unary:
    return "(" + std::string(unaryOpSpelling(expr.unaryOp)) +
           printExpr(expr.operand(0)) + ")";
  case ExprKind::Binary:
    return "(" + printExpr(expr.operand(0)) + " " +
           std::string(binaryOpSpelling(expr.binaryOp)) + " " +
           printExpr(expr.operand(1)) + ")";
  case ExprKind::Conditional:
    return "(" + printExpr(expr.operand(0)) + " ? " +
           printExpr(expr.operand(1)) + " : " + printExpr(expr.operand(2)) +
           ")";
  case ExprKind::Param:
    return expr.name;
  case ExprKind::Index: {
    std::string out = expr.name + "[";
    for (size_t i = 0; i < expr.operands.size(); ++i)
      out += (i ? ", " : "") + printExpr(expr.operand(i));
    return out + "]";
  }
  case ExprKind::Call: {
    std::string out(expr.callee->name);
    if (expr.operands.empty())
      return out;
    out += "(";
    for (size_t i = 0; i < expr.operands.size(); ++i)
      out += (i ? ", " : "") + printExpr(expr.operand(i));
    return out + ")";
  }
  }
  return "?";
}

} // namespace attnc::spec
