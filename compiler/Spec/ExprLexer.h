//===- ExprLexer.h - Tokens of mask expressions -----------------*- C++ -*-===//

#ifndef ATTNC_COMPILER_SPEC_EXPRLEXER_H
#define ATTNC_COMPILER_SPEC_EXPRLEXER_H

#include "compiler/Spec/Expr.h"

#include <optional>
#include <string_view>
#include <vector>

namespace attnc::spec {

enum class TokenKind {
  Integer,
  Identifier,
  LParen,
  RParen,
  Comma,
  Question,
  Colon,
  PipePipe,
  AmpAmp,
  EqualEqual,
  BangEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  End,
};

struct Token {
  TokenKind kind;
  size_t offset;
  /// The token's text, a view into the source (empty for End).
  std::string_view text;
  /// The value of an Integer token.
  int64_t value = 0;
};

struct LexResult {
  /// Always ends with an End token when there is no error.
  std::vector<Token> tokens;
  std::optional<ExprError> error;
};

/// Splits `source` into tokens. Stops at the first character that cannot
/// start a token, or at a malformed integer literal.
LexResult tokenize(std::string_view source);

/// How a token is named in messages: 'min', '<=', or "end of expression".
std::string describeToken(const Token &token);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPRLEXER_H
