//===- JsonLocator.cpp - Source positions of JSON values ------------------===//

#include "compiler/Spec/JsonLocator.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace attnc::spec {

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

/// Containers deeper than this are scanned but their contents not recorded.
/// A spec is two levels deep; the limit only bounds pathological input.
constexpr size_t kMaxRecordedDepth = 64;

bool isJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Characters that may appear in a number or in true/false/null.
bool isScalarChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' ||
         c == '+' || c == '.' || c == 'E';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xC0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xE0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (codePoint & 0x3F));
  }
}

/// Reads the four hex digits of a \u escape starting at `pos`.
std::optional<uint32_t> readHex4(std::string_view text, size_t pos) {
  if (pos + 4 > text.size())
    return std::nullopt;
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) {
    int digit = hexValue(text[pos + i]);
    if (digit < 0)
      return std::nullopt;
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  return value;
}

/// Reads the string literal whose opening quote is at `pos`, leaving `pos`
/// after its closing quote. Decodes it into `out` when given (keys must be
/// decoded: "\u006dask" is the key "mask"). Returns false if malformed.
bool readString(std::string_view text, size_t &pos, std::string *out) {
  ++pos; // opening quote
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '"')
      return true;
    if (c != '\\') {
      if (out)
        *out += c;
      continue;
    }
    if (pos >= text.size())
      return false;
    char escape = text[pos++];
    uint32_t decoded = 0;
    switch (escape) {
    case '"':
    case '\\':
    case '/':
      decoded = static_cast<uint32_t>(escape);
      break;
    case 'b':
      decoded = '\b';
      break;
    case 'f':
      decoded = '\f';
      break;
    case 'n':
      decoded = '\n';
      break;
    case 'r':
      decoded = '\r';
      break;
    case 't':
      decoded = '\t';
      break;
    case 'u': {
      std::optional<uint32_t> unit = readHex4(text, pos);
      if (!unit)
        return false;
      pos += 4;
      decoded = *unit;
      // A high surrogate followed by an escaped low surrogate is one code
      // point.
      if (decoded >= 0xD800 && decoded <= 0xDBFF &&
          text.substr(pos, 2) == "\\u") {
        std::optional<uint32_t> low = readHex4(text, pos + 2);
        if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
          decoded = 0x10000 + ((decoded - 0xD800) << 10) + (*low - 0xDC00);
          pos += 6;
        }
      }
      if (decoded >= 0xD800 && decoded <= 0xDFFF)
        decoded = 0xFFFD; // a lone surrogate has no UTF-8 form
      break;
    }
    default:
      return false;
    }
    if (out)
      appendUtf8(*out, decoded);
  }
  return false; // unterminated
}

/// Moves an array's element counter on, and names the element that follows.
void nextElement(bool recorded, const std::string &arrayPointer,
                 size_t &nextIndex, std::string &valuePointer) {
  if (recorded)
    valuePointer = appendPointer(arrayPointer, std::to_string(nextIndex));
  ++nextIndex;
}

} // namespace

std::string appendPointer(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

JsonLocator::JsonLocator(std::string_view text) : text(text) {
  lineStarts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n')
      lineStarts.push_back(i + 1);
  scan();
}

std::optional<SourceLocation>
JsonLocator::value(std::string_view pointer) const {
  auto it = valueOffsets.find(std::string(pointer));
  if (it == valueOffsets.end())
    return std::nullopt;
  return locate(it->second);
}

std::optional<SourceLocation> JsonLocator::key(std::string_view pointer) const {
  auto it = keyOffsets.find(std::string(pointer));
  if (it == keyOffsets.end())
    return std::nullopt;
  return locate(it->second);
}

SourceLocation JsonLocator::locate(size_t offset) const {
  offset = std::min(offset, text.size());
  size_t line = static_cast<size_t>(
      std::upper_bound(lineStarts.begin(), lineStarts.end(), offset) -
      lineStarts.begin());
  size_t start = lineStarts[line - 1];
  // The byte order mark is not a character the user sees.
  if (start == 0 && text.substr(0, kByteOrderMark.size()) == kByteOrderMark)
    start = std::min(offset, kByteOrderMark.size());
  int column = 1;
  for (size_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) !=
        0x80) // not a UTF-8 continuation
      ++column;
  return {static_cast<int>(line), column};
}

void JsonLocator::scan() {
  // An explicit stack rather than recursion: the JSON parser in front of us
  // accepts any nesting depth, so the locator must not overflow on it either.
  // Pointers grow with depth, so recording every level would cost memory
  // quadratic in it; levels past kMaxRecordedDepth are followed, not recorded.
  struct Frame {
    bool isObject;
    bool recorded;
    std::string pointer;
    size_t nextIndex = 0;
    std::unordered_set<std::string> keys;
  };
  std::vector<Frame> stack;
  enum class Expect { Value, Key, AfterValue } expect = Expect::Value;
  std::string valuePointer; // pointer of the value expected next
  auto recording = [&] { return stack.empty() || stack.back().recorded; };
  auto skipSpace = [&](size_t &pos) {
    while (pos < text.size() && isJsonSpace(text[pos]))
      ++pos;
  };

  size_t pos = text.substr(0, kByteOrderMark.size()) == kByteOrderMark
                   ? kByteOrderMark.size()
                   : 0;
  while (true) {
    skipSpace(pos);
    if (pos >= text.size())
      return;
    char c = text[pos];

    switch (expect) {
    case Expect::Value: {
      if (recording())
        valueOffsets[valuePointer] = pos;
      if (c == '{' || c == '[') {
        bool recorded = recording() && stack.size() < kMaxRecordedDepth;
        stack.push_back(
            Frame{c == '{', recorded, recorded ? valuePointer : "", 0, {}});
        ++pos;
        skipSpace(pos);
        if (pos < text.size() && text[pos] == (c == '{' ? '}' : ']')) {
          ++pos;
          stack.pop_back();
          expect = Expect::AfterValue;
        } else if (c == '{') {
          expect = Expect::Key;
        } else {
          nextElement(stack.back().recorded, stack.back().pointer,
                      stack.back().nextIndex, valuePointer);
        }
        break;
      }
      if (c == '"') {
        if (!readString(text, pos, nullptr))
          return;
      } else {
        size_t start = pos;
        while (pos < text.size() && isScalarChar(text[pos]))
          ++pos;
        if (pos == start)
          return;
      }
      expect = Expect::AfterValue;
      break;
    }

    case Expect::Key: {
      if (c != '"')
        return;
      size_t keyOffset = pos;
      Frame &top = stack.back();
      std::string name;
      if (!readString(text, pos, top.recorded ? &name : nullptr))
        return;
      if (top.recorded) {
        std::string pointer = appendPointer(top.pointer, name);
        if (!top.keys.insert(name).second)
          duplicates.push_back({name, pointer, locate(keyOffset)});
        keyOffsets[pointer] = keyOffset;
        valuePointer = std::move(pointer);
      }
      skipSpace(pos);
      if (pos >= text.size() || text[pos] != ':')
        return;
      ++pos;
      expect = Expect::Value;
      break;
    }

    case Expect::AfterValue: {
      if (stack.empty())
        return; // the document is complete
      Frame &top = stack.back();
      if (c == ',') {
        ++pos;
        if (top.isObject) {
          expect = Expect::Key;
        } else {
          nextElement(top.recorded, top.pointer, top.nextIndex, valuePointer);
          expect = Expect::Value;
        }
      } else if (c == (top.isObject ? '}' : ']')) {
        ++pos;
        stack.pop_back();
      } else {
        return;
      }
      break;
    }
    }
  }
}

} // namespace attnc::spec
