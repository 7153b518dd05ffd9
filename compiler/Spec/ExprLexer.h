//===- ExprLexer.h - Tokens of expressions ----------------------*- C++ -*-===//

#ifndef ATTNC_COMPILER_SPEC_EXPRLEXER_H
#define ATTNC_COMPILER_SPEC_EXPRLEXER_H

#include "compiler/Spec/Expr.h"

#include <optional>
#include <string_view>
#include <vector>

namespace attnc::spec {

enum class TokenKind {
  Integer,
  Float,
  Identifier,
  LParen,
  RParen,
  LBracket,
  RBracket,
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
  /// The value of a Float token.
  double floatValue = 0;
};

struct LexResult {
  /// Always ends with an End token when there is no error.
  std::vector<Token> tokens;
  std::optional<ExprError> error;
};

/// Splits `source` into tokens. Stops at the first character that cannot
/// start a token, or at a malformed number literal.
///
/// A literal with a '.' or an exponent is a Float (`0.5`, `2.`, `.5`, `1e-3`,
/// `5E+2`), any other an Integer (`50`). Neither may have a leading zero
/// before its '.' (`010`, `01.5`) or a suffix (`1.0f`).
LexResult tokenize(std::string_view source);

/// How a token is named in messages: 'min', '<=', or "end of expression".
std::string describeToken(const Token &token);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_EXPRLEXER_H
