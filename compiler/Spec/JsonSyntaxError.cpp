//===- JsonSyntaxError.cpp - Locating JSON syntax errors ------------------===//

#include "compiler/Spec/JsonSyntaxError.h"

#include "compiler/Spec/JsonLocator.h"

namespace attnc::spec {

namespace {

/// nlohmann's messages start with "[json.exception...] parse error at line
/// L, column C: " in its own (byte) coordinates; ours replace them.
std::string syntaxMessage(const std::string &what) {
  size_t column = what.find("column ");
  size_t colon =
      column == std::string::npos ? std::string::npos : what.find(": ", column);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

/// nlohmann reports a syntax error at the last character it read, which for
/// "unexpected string literal" is the closing quote. People expect the start
/// of the token, so walk back to it. (Errors inside a token -- "invalid
/// literal; last read: ..." -- are already where they belong.)
size_t tokenStart(std::string_view text, size_t offset,
                  const std::string &message) {
  if (offset >= text.size() ||
      message.find("; last read:") != std::string::npos)
    return offset;
  auto isScalarChar = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '+' || c == '.' || c == 'E';
  };
  if (text[offset] == '"') {
    // Inside a valid string every quote is escaped, i.e. follows an odd run
    // of backslashes; the opening quote follows an even (empty) run.
    for (size_t quote = offset; quote-- > 0;) {
      if (text[quote] != '"')
        continue;
      size_t backslashes = 0;
      while (backslashes < quote && text[quote - 1 - backslashes] == '\\')
        ++backslashes;
      if (backslashes % 2 == 0)
        return quote;
    }
    return offset;
  }
  while (offset > 0 && isScalarChar(text[offset]) &&
         isScalarChar(text[offset - 1]))
    --offset;
  return offset;
}

/// Whether the '}' or ']' at `offset` closes a container right after a comma,
/// the commonest JSON slip and one nlohmann's message does not name.
bool followsTrailingComma(std::string_view text, size_t offset) {
  if (offset == 0 || offset >= text.size() ||
      (text[offset] != '}' && text[offset] != ']'))
    return false;
  size_t before = text.find_last_not_of(" \t\r\n", offset - 1);
  return before != std::string_view::npos && text[before] == ',';
}

} // namespace

SpecError jsonSyntaxError(std::string_view text, size_t byte,
                          const std::string &what) {
  // `byte` is 1-based and points at the last character read: the one that
  // broke the syntax, or one past the end for a truncated document.
  std::string message = syntaxMessage(what);
  size_t offset = tokenStart(text, byte > 0 ? byte - 1 : 0, message);
  if (followsTrailingComma(text, offset))
    message += " (JSON does not allow a comma before '" +
               std::string(1, text[offset]) + "')";
  SourceLocation location = JsonLocator(text).locate(offset);
  return {"", location.line, location.column, "invalid JSON: " + message};
}

} // namespace attnc::spec
