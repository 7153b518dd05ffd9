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

std::string arityText(size_t count) {
  if (count == 0)
    return "no arguments";
  return std::to_string(count) + (count == 1 ? " argument" : " arguments");
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
  Parser(std::vector<Token> tokens, ExprContext context)
      : tokens(std::move(tokens)), context(context) {}

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
    if (const Builtin *builtin = lookupBuiltin(name.text)) {
      if (isCall)
        return parseCall(name, *builtin);
      if (!builtin->params.empty())
        return fail(name.offset, quote(name.text) + " takes " +
                                     arityText(builtin->params.size()) +
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
      if (isAvailable(builtin, context))
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
    for (Var var : allVars())
      if (isAvailable(var, context))
        variables.push_back(varName(var));
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
    if (args.size() != builtin.params.size())
      return fail(name.offset, quote(name.text) + " takes " +
                                   arityText(builtin.params.size()) + ", got " +
                                   std::to_string(args.size()));
    auto node = makeNode(ExprKind::Call, name.offset, close.offset + 1);
    node->callee = &builtin;
    node->operands = std::move(args);
    return node;
  }

  std::vector<Token> tokens;
  ExprContext context;
  size_t pos = 0;
  int nesting = 0;
};

ExprParseResult parse(std::string_view source, ExprContext context,
                      std::optional<ExprType> expected) {
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
  Parser parser(std::move(lexed.tokens), context);
  std::unique_ptr<Expr> expr = parser.parseAll();
  if (!expr) {
    result.errors.push_back(*parser.error);
    return result;
  }
  result.errors = checkExpr(*expr, source, context, expected);
  if (result.errors.empty())
    result.expr = std::move(expr);
  return result;
}

} // namespace

ExprParseResult parseExpr(std::string_view source, ExprContext context) {
  return parse(source, context, std::nullopt);
}

ExprParseResult parseMask(std::string_view source) {
  return parse(source, ExprContext::Mask, ExprType::Bool);
}

ExprParseResult parseScore(std::string_view source) {
  return parse(source, ExprContext::Score, ExprType::Float);
}

} // namespace attnc::spec
