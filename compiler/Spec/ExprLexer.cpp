//===- ExprLexer.cpp - Tokens of expressions ------------------------------===//

#include "compiler/Spec/ExprLexer.h"

#include "compiler/Spec/Suggest.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace attnc::spec {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Punctuator {
  std::string_view spelling;
  TokenKind kind;
};

// Two-character spellings first, so that "<=" is not read as "<" then "=".
constexpr Punctuator kPunctuators[] = {
    {"||", TokenKind::PipePipe},   {"&&", TokenKind::AmpAmp},
    {"==", TokenKind::EqualEqual}, {"!=", TokenKind::BangEqual},
    {"<=", TokenKind::LessEqual},  {">=", TokenKind::GreaterEqual},
    {"(", TokenKind::LParen},      {")", TokenKind::RParen},
    {",", TokenKind::Comma},       {"?", TokenKind::Question},
    {":", TokenKind::Colon},       {"<", TokenKind::Less},
    {">", TokenKind::Greater},     {"+", TokenKind::Plus},
    {"-", TokenKind::Minus},       {"*", TokenKind::Star},
    {"/", TokenKind::Slash},       {"%", TokenKind::Percent},
    {"!", TokenKind::Bang},        {"[", TokenKind::LBracket},
    {"]", TokenKind::RBracket},
};

/// A hint for characters that are near-misses of C operators.
std::string_view hintFor(char c) {
  switch (c) {
  case '&':
    return "; did you mean '&&'?";
  case '|':
    return "; did you mean '||'?";
  case '=':
    return "; did you mean '=='?";
  default:
    return "";
  }
}

} // namespace

LexResult tokenize(std::string_view source) {
  LexResult result;
  size_t pos = 0;
  auto fail = [&](size_t offset, std::string message) {
    result.error = ExprError{offset, std::move(message)};
    return result;
  };

  while (true) {
    while (pos < source.size() && isSpace(source[pos]))
      ++pos;
    if (pos >= source.size())
      break;
    size_t start = pos;
    char c = source[pos];

    if (isDigit(c) ||
        (c == '.' && pos + 1 < source.size() && isDigit(source[pos + 1]))) {
      auto skipDigits = [&] {
        while (pos < source.size() && isDigit(source[pos]))
          ++pos;
      };
      skipDigits();
      size_t integerDigits = pos - start;
      bool isFloat = false;
      if (pos < source.size() && source[pos] == '.') {
        isFloat = true;
        ++pos;
        skipDigits();
      }
      // An exponent needs digits: "1e" and "1e+" are malformed, below.
      if (pos < source.size() && (source[pos] == 'e' || source[pos] == 'E')) {
        size_t digits = pos + 1;
        if (digits < source.size() &&
            (source[digits] == '+' || source[digits] == '-'))
          ++digits;
        isFloat = true;
        if (digits < source.size() && isDigit(source[digits])) {
          pos = digits;
          skipDigits();
        }
      }
      // Whatever sticks to the literal (`12ab`, `1.0f`, `1.2.3`) makes it
      // malformed.
      bool malformed = false;
      while (pos < source.size() &&
             (isIdentChar(source[pos]) || source[pos] == '.')) {
        malformed = true;
        ++pos;
      }
      std::string_view text = source.substr(start, pos - start);
      std::string_view kind = isFloat ? "float literal " : "integer literal ";
      if (malformed)
        return fail(start, "invalid " + std::string(kind) + quote(text));
      // C would read 010 as octal 8; rejecting it avoids a silent surprise.
      if (integerDigits > 1 && text[0] == '0')
        return fail(start,
                    std::string(kind) + quote(text) + " has a leading zero");
      if (isFloat) {
        // from_chars, unlike strtod, ignores the locale.
        double value = 0;
        std::from_chars_result parsed =
            std::from_chars(text.data(), text.data() + text.size(), value);
        if (parsed.ec != std::errc() || !std::isfinite(value))
          return fail(start, "float literal " + quote(text) +
                                 " is out of the range of a double");
        Token token{TokenKind::Float, start, text};
        token.floatValue = value;
        result.tokens.push_back(token);
        continue;
      }
      int64_t value = 0;
      for (char digit : text) {
        if (value > (std::numeric_limits<int64_t>::max() - (digit - '0')) / 10)
          return fail(start, "integer literal " + quote(text) +
                                 " does not fit in 64 bits");
        value = value * 10 + (digit - '0');
      }
      result.tokens.push_back({TokenKind::Integer, start, text, value});
      continue;
    }

    if (isIdentStart(c)) {
      while (pos < source.size() && isIdentChar(source[pos]))
        ++pos;
      result.tokens.push_back(
          {TokenKind::Identifier, start, source.substr(start, pos - start)});
      continue;
    }

    bool matched = false;
    for (const Punctuator &punctuator : kPunctuators) {
      if (source.substr(pos, punctuator.spelling.size()) ==
          punctuator.spelling) {
        result.tokens.push_back(
            {punctuator.kind, start,
             source.substr(start, punctuator.spelling.size())});
        pos += punctuator.spelling.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      // Quote a whole UTF-8 character, not its first byte.
      size_t length = 1;
      while (start + length < source.size() &&
             (static_cast<unsigned char>(source[start + length]) & 0xC0) ==
                 0x80)
        ++length;
      return fail(start, "unexpected character " +
                             quote(source.substr(start, length)) +
                             std::string(hintFor(c)));
    }
  }
  result.tokens.push_back({TokenKind::End, source.size(), {}});
  return result;
}

std::string describeToken(const Token &token) {
  if (token.kind == TokenKind::End)
    return "end of expression";
  return quote(token.text);
}

} // namespace attnc::spec
