//===- ExprParser.cpp - Parsing mask and score expressions ----------------===//
//
// Recursive descent for the prefix and ternary forms, precedence climbing for
// the binary operators: adding one is a row in kBinaryOperators.
//
//===----------------------------------------------------------------------===//

#include "compiler/Spec/ExprParser.h"

#include "compiler/Spec/Builtins.h"
#include "compiler/Spec/ExprLexer.h"
#include "compiler/Spec/ExprSema.h"
#include "compiler/Spec/Suggest.h"

#include <algorithm>
#include <cctype>

namespace attnc::spec {

namespace {

// Expressions are one-liners; the limits keep every recursive walk of the tree
// (here, in the checker, the evaluator and the lowering) far from the end of
// the stack whatever a spec contains.
constexpr size_t kMaxSourceLength = 4096;
constexpr int kMaxNesting = 100;

struct BinaryInfo {
  TokenKind token;
  BinaryOp op;
  int precedence; // higher binds tighter, as in C
};

// clang-format off
constexpr BinaryInfo kBinaryOperators[] = {
    {TokenKind::PipePipe, BinaryOp::Or, 1},
    {TokenKind::AmpAmp, BinaryOp::And, 2},
    {TokenKind::EqualEqual, BinaryOp::Eq, 3},
    {TokenKind::BangEqual, BinaryOp::Ne, 3},
    {TokenKind::Less, BinaryOp::Lt, 4},
    {TokenKind::LessEqual, BinaryOp::Le, 4},
    {TokenKind::Greater, BinaryOp::Gt, 4},
    {TokenKind::GreaterEqual, BinaryOp::Ge, 4},
    {TokenKind::Plus, BinaryOp::Add, 5},
    {TokenKind::Minus, BinaryOp::Sub, 5},
    {TokenKind::Star, BinaryOp::Mul, 6},
    {TokenKind::Slash, BinaryOp::Div, 6},
    {TokenKind::Percent, BinaryOp::Rem, 6},
};
// clang-format on

const BinaryInfo *binaryInfo(TokenKind kind) {
  for (const BinaryInfo &info : kBinaryOperators)
    if (info.token == kind)
      return &info;
  return nullptr;
}

std::unique_ptr<Expr> makeNode(ExprKind kind, size_t begin, size_t end) {
  auto node = std::make_unique<Expr>(kind);
  node->offset = begin;
  node->length = end - begin;
  return node;
}

std::string joinNames(const std::vector<std::string_view> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

/// "; did you mean 'x'?" for a near miss of one of `candidates`, else "".
std::string suggestion(std::string_view word,
                       const std::vector<std::string_view> &candidates) {
  // A different case is the likeliest slip (Q for q); short words are near
  // everything, so they get no edit-distance guess.
  for (std::string_view candidate : candidates)
    if (candidate.size() == word.size() &&
        std::equal(word.begin(), word.end(), candidate.begin(),
                   [](unsigned char a, unsigned char b) {
                     return std::tolower(a) == std::tolower(b);
                   }))
      return "; did you mean '" + std::string(candidate) + "'?";
  size_t maxDistance = word.size() <= 2 ? 0 : word.size() <= 5 ? 1 : 2;
  if (auto match = closestMatch(word, candidates, maxDistance))
    return "; did you mean '" + std::string(*match) + "'?";
  return "";
}

class Parser {
public:
  Parser(std::vector<Token> tokens, ExprContext context, const Decls &decls)
      : tokens(std::move(tokens)), context(context), decls(decls) {}

  std::unique_ptr<Expr> parseAll() {
    if (peek().kind == TokenKind::End)
      return fail(0, "empty expression");
    std::unique_ptr<Expr> expr = parseConditional();
    if (!expr)
      return nullptr;
    if (peek().kind == TokenKind::RParen)
      return fail(peek().offset, "unmatched ')'");
    if (peek().kind != TokenKind::End)
      return fail(peek().offset, "unexpected " + describeToken(peek()) +
                                     " after a complete expression");
    return expr;
  }

  std::optional<ExprError> error;

private:
  const Token &peek() const { return tokens[pos]; }
  const Token &advance() {
    const Token &token = tokens[pos];
    if (token.kind != TokenKind::End)
      ++pos;
    return token;
  }

  std::unique_ptr<Expr> fail(size_t offset, std::string message) {
    if (!error)
      error = ExprError{offset, std::move(message)};
    return nullptr;
  }

  /// Counts recursion through parentheses, calls, ?: and prefix operators.
  struct NestingScope {
    explicit NestingScope(int &counter) : depth(counter) { ++depth; }
    ~NestingScope() { --depth; }
    int &depth;
  };
  bool tooDeep() const { return nesting > kMaxNesting; }

  std::unique_ptr<Expr> parseConditional() {
    NestingScope scope(nesting);
    if (tooDeep())
      return fail(peek().offset, "expression is nested too deeply");
    std::unique_ptr<Expr> condition = parseBinary(1);
    if (!condition || peek().kind != TokenKind::Question)
      return condition;
    advance();
    std::unique_ptr<Expr> thenExpr = parseConditional();
    if (!thenExpr)
      return nullptr;
    if (peek().kind != TokenKind::Colon)
      return fail(peek().offset,
                  "expected ':' in conditional expression, got " +
                      describeToken(peek()));
    advance();
    std::unique_ptr<Expr> elseExpr = parseConditional();
    if (!elseExpr)
      return nullptr;
    auto node =
        makeNode(ExprKind::Conditional, condition->offset, elseExpr->end());
    node->operands.push_back(std::move(condition));
    node->operands.push_back(std::move(thenExpr));
    node->operands.push_back(std::move(elseExpr));
    return node;
  }

  std::unique_ptr<Expr> parseBinary(int minPrecedence) {
    std::unique_ptr<Expr> lhs = parseUnary();
    while (lhs) {
      const BinaryInfo *info = binaryInfo(peek().kind);
      if (!info || info->precedence < minPrecedence)
        break;
      advance();
      // The right operand binds only tighter operators: left associativity.
      std::unique_ptr<Expr> rhs = parseBinary(info->precedence + 1);
      if (!rhs)
        return nullptr;
      auto node = makeNode(ExprKind::Binary, lhs->offset, rhs->end());
      node->binaryOp = info->op;
      node->operands.push_back(std::move(lhs));
      node->operands.push_back(std::move(rhs));
      lhs = std::move(node);
    }
    return lhs;
  }

  std::unique_ptr<Expr> parseUnary() {
    if (peek().kind != TokenKind::Bang && peek().kind != TokenKind::Minus)
      return parsePrimary();
    NestingScope scope(nesting);
    if (tooDeep())
      return fail(peek().offset, "expression is nested too deeply");
    const Token &op = advance();
    std::unique_ptr<Expr> operand = parseUnary();
    if (!operand)
      return nullptr;
    auto node = makeNode(ExprKind::Unary, op.offset, operand->end());
    node->unaryOp = op.kind == TokenKind::Bang ? UnaryOp::Not : UnaryOp::Neg;
    node->operands.push_back(std::move(operand));
    return node;
  }

  std::unique_ptr<Expr> parsePrimary() {
    const Token &token = peek();
    switch (token.kind) {
    case TokenKind::Integer: {
      advance();
      auto node = makeNode(ExprKind::IntLiteral, token.offset,
                           token.offset + token.text.size());
      node->intValue = token.value;
      return node;
    }
    case TokenKind::Float: {
      advance();
      auto node = makeNode(ExprKind::FloatLiteral, token.offset,
                           token.offset + token.text.size());
      node->floatValue = token.floatValue;
      return node;
    }
    case TokenKind::Identifier:
      return parseIdentifier();
    case TokenKind::LParen: {
      const Token &open = advance();
      std::unique_ptr<Expr> inner = parseConditional();
      if (!inner)
        return nullptr;
      if (peek().kind != TokenKind::RParen)
        return fail(peek().offset,
                    "expected ')' to match '(' at expression column " +
                        std::to_string(open.offset + 1) + ", got " +
                        describeToken(peek()));
      const Token &close = advance();
      // The span takes in the parentheses, so that messages quote "(k < 3)".
      inner->offset = open.offset;
      inner->length = close.offset + 1 - open.offset;
      return inner;
    }
    default: {
      std::string message = "expected an expression";
      if (pos > 0)
        message += " after " + describeToken(tokens[pos - 1]);
      if (token.kind != TokenKind::End)
        message += ", got " + describeToken(token);
      return fail(token.offset, message);
    }
    }
  }

  std::unique_ptr<Expr> parseIdentifier() {
    const Token &name = advance();
    size_t nameEnd = name.offset + name.text.size();
    bool isCall = peek().kind == TokenKind::LParen;

    if (name.text == "true" || name.text == "false") {
      auto node = makeNode(ExprKind::BoolLiteral, name.offset, nameEnd);
      node->boolValue = name.text == "true";
      return node;
    }
    if (name.text == "document" && isCall && context == ExprContext::Mask)
      return parseDocument(name);
    if (std::optional<size_t> slot = decls.tensorSlot(name.text))
      return parseIndex(name, *slot);
    if (std::optional<size_t> slot = decls.paramSlot(name.text)) {
      if (isCall)
        return fail(name.offset,
                    quote(name.text) + " is a parameter, not a function");
      auto node = makeNode(ExprKind::Param, name.offset, nameEnd);
      node->slot = *slot;
      node->name = std::string(name.text);
      return node;
    }
    if (const Builtin *builtin = lookupBuiltin(name.text)) {
      if (isCall)
        return parseCall(name, *builtin);
      if (!builtin->params.empty())
        return fail(name.offset, quote(name.text) + " takes " +
                                     builtinArityText(builtin->name) +
                                     "; call it as " + std::string(name.text) +
                                     "(...)");
      auto node = makeNode(ExprKind::Call, name.offset, nameEnd);
      node->callee = builtin;
      return node;
    }
    if (std::optional<Var> var = lookupVar(name.text)) {
      if (isCall)
        return fail(name.offset,
                    quote(name.text) + " is a variable, not a function");
      auto node = makeNode(ExprKind::Variable, name.offset, nameEnd);
      node->var = *var;
      return node;
    }

    // Suggestions and lists name only what `context` offers.
    std::vector<std::string_view> functions;
    for (const Builtin &builtin : builtins())
      if (isAvailable(builtin, context) && builtin.gridRank <= decls.grid.size() &&
          (functions.empty() || functions.back() != builtin.name)) // one name per overload set
        functions.push_back(builtin.name);
    if (isCall) {
      std::string hint = suggestion(name.text, functions);
      return fail(name.offset,
                  "unknown function " + quote(name.text) +
                      (hint.empty() ? "; the built-in functions are " +
                                          joinNames(functions)
                                    : hint));
    }
    std::vector<std::string_view> variables;
    for (Var var : allVars()) {
      std::optional<size_t> fromEnd = coordAxisFromEnd(var);
      if (isAvailable(var, context) && (!fromEnd || *fromEnd < decls.grid.size()))
        variables.push_back(varName(var));
    }
    for (const ParamDecl &param : decls.params)
      variables.push_back(param.name);
    for (const TensorDecl &tensor : decls.tensors)
      variables.push_back(tensor.name);
    std::vector<std::string_view> names = variables;
    names.insert(names.end(), functions.begin(), functions.end());
    names.push_back("true");
    names.push_back("false");
    std::string hint = suggestion(name.text, names);
    return fail(name.offset, "unknown identifier " + quote(name.text) +
                                 (hint.empty() ? "; the variables are " +
                                                     joinNames(variables)
                                               : hint));
  }

  std::unique_ptr<Expr> parseCall(const Token &name, const Builtin &builtin) {
    NestingScope scope(nesting);
    if (tooDeep())
      return fail(name.offset, "expression is nested too deeply");
    advance(); // '('
    std::vector<std::unique_ptr<Expr>> args;
    if (peek().kind != TokenKind::RParen) {
      while (true) {
        std::unique_ptr<Expr> arg = parseConditional();
        if (!arg)
          return nullptr;
        args.push_back(std::move(arg));
        if (peek().kind != TokenKind::Comma)
          break;
        advance();
      }
    }
    if (peek().kind != TokenKind::RParen)
      return fail(peek().offset,
                  "expected ')' after arguments to " + quote(name.text));
    const Token &close = advance();
    const Builtin *overload = lookupBuiltin(builtin.name, args.size());
    if (!overload)
      return fail(name.offset, quote(name.text) + " takes " +
                                   builtinArityText(builtin.name) + ", got " +
                                   std::to_string(args.size()));
    auto node = makeNode(ExprKind::Call, name.offset, close.offset + 1);
    node->callee = overload;
    node->operands = std::move(args);
    return node;
  }

  /// `t[i, j]`: one index per dimension of tensor `slot` (checked later).
  std::unique_ptr<Expr> parseIndex(const Token &name, size_t slot) {
    NestingScope scope(nesting);
    if (tooDeep())
      return fail(name.offset, "expression is nested too deeply");
    if (peek().kind != TokenKind::LBracket)
      return fail(name.offset, quote(name.text) +
                                   " is a tensor; index it as " +
                                   std::string(name.text) + "[...]");
    advance();
    auto node = makeNode(ExprKind::Index, name.offset, name.offset);
    node->slot = slot;
    node->name = std::string(name.text);
    while (true) {
      std::unique_ptr<Expr> index = parseConditional();
      if (!index)
        return nullptr;
      node->operands.push_back(std::move(index));
      if (peek().kind != TokenKind::Comma)
        break;
      advance();
    }
    if (peek().kind != TokenKind::RBracket)
      return fail(peek().offset, "expected ']' after the indices of " +
                                     quote(name.text) + ", got " +
                                     describeToken(peek()));
    node->length = advance().offset + 1 - name.offset;
    return node;
  }

  /// `document(ids)` is `ids[b, q] == ids[b, k]` (or `ids[q] == ids[k]` for
  /// ids shared by the batch): a query sees the keys of its own document.
  std::unique_ptr<Expr> parseDocument(const Token &name) {
    advance(); // '('
    const Token &arg = peek();
    std::optional<size_t> slot = arg.kind == TokenKind::Identifier
                                     ? decls.tensorSlot(arg.text)
                                     : std::nullopt;
    if (!slot)
      return fail(arg.offset, "document() takes the name of an i32 tensor "
                              "declared in \"tensors\"");
    advance();
    if (peek().kind != TokenKind::RParen)
      return fail(peek().offset, "expected ')' after document(" +
                                     std::string(arg.text));
    size_t end = advance().offset + 1;
    const TensorDecl &ids = decls.tensors[*slot];
    auto read = [&](Var position) {
      auto node = makeNode(ExprKind::Index, name.offset, end);
      node->slot = *slot;
      node->name = ids.name;
      auto variable = [&](Var var) {
        auto v = makeNode(ExprKind::Variable, name.offset, end);
        v->var = var;
        return v;
      };
      if (ids.dims.size() == 2)
        node->operands.push_back(variable(Var::B));
      node->operands.push_back(variable(position));
      return node;
    };
    auto node = makeNode(ExprKind::Binary, name.offset, end);
    node->binaryOp = BinaryOp::Eq;
    node->operands.push_back(read(Var::Q));
    node->operands.push_back(read(Var::K));
    return node;
  }

  std::vector<Token> tokens;
  ExprContext context;
  const Decls &decls;
  size_t pos = 0;
  int nesting = 0;
};

ExprParseResult parse(std::string_view source, ExprContext context,
                      std::optional<ExprType> expected, const Decls &decls) {
  ExprParseResult result;
  if (source.size() > kMaxSourceLength) {
    result.errors.push_back(
        {0, "expression is " + std::to_string(source.size()) +
                " characters long; at most " +
                std::to_string(kMaxSourceLength) + " are allowed"});
    return result;
  }
  LexResult lexed = tokenize(source);
  if (lexed.error) {
    result.errors.push_back(*lexed.error);
    return result;
  }
  Parser parser(std::move(lexed.tokens), context, decls);
  std::unique_ptr<Expr> expr = parser.parseAll();
  if (!expr) {
    result.errors.push_back(*parser.error);
    return result;
  }
  result.errors = checkExpr(*expr, source, context, expected, decls);
  if (result.errors.empty())
    result.expr = std::move(expr);
  return result;
}

} // namespace

ExprParseResult parseExpr(std::string_view source, ExprContext context,
                          const Decls &decls) {
  return parse(source, context, std::nullopt, decls);
}

ExprParseResult parseMask(std::string_view source, const Decls &decls) {
  return parse(source, ExprContext::Mask, ExprType::Bool, decls);
}

ExprParseResult parseScore(std::string_view source, const Decls &decls) {
  return parse(source, ExprContext::Score, ExprType::Float, decls);
}

ExprParseResult parseSink(std::string_view source, const Decls &decls) {
  return parse(source, ExprContext::Sink, ExprType::Float, decls);
}

} // namespace attnc::spec
