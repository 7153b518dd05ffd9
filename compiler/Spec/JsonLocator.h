//===- JsonLocator.h - Source positions of JSON values ----------*- C++ -*-===//
//
// nlohmann::json 3.11 keeps no source positions, so errors found after parsing
// could not say where they are. JsonLocator scans the same text once, following
// only its structure (strings with escapes, numbers, literals, nesting), and
// records where each value and each object key starts, indexed by RFC 6901
// JSON pointer. It is meant for text that a JSON parser has already accepted;
// on malformed text it keeps what it found before the problem. Values nested
// more than 64 containers deep are not recorded (a spec is two deep).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_JSONLOCATOR_H
#define ATTNC_COMPILER_SPEC_JSONLOCATOR_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnc::spec {

/// 1-based line and column. Columns count characters (UTF-8 code points), not
/// bytes, so they match what an editor shows; a tab counts as one.
struct SourceLocation {
  int line = 0;
  int column = 0;
};

/// `base` extended by one reference token, escaped per RFC 6901 ('~' becomes
/// "~0", '/' becomes "~1").
std::string appendPointer(std::string_view base, std::string_view token);

class JsonLocator {
public:
  /// Scans `text`, which must outlive the locator.
  explicit JsonLocator(std::string_view text);

  /// Where the value at `pointer` starts ("" is the whole document).
  std::optional<SourceLocation> value(std::string_view pointer) const;
  /// Where the key of the object member at `pointer` starts (its opening
  /// quote). Not defined for array elements or the root.
  std::optional<SourceLocation> key(std::string_view pointer) const;

  /// A member whose key repeats an earlier key of the same object. JSON
  /// parsers keep only one of them, so callers usually reject these.
  struct DuplicateKey {
    std::string key;
    std::string pointer;
    SourceLocation location;
  };
  const std::vector<DuplicateKey> &duplicateKeys() const { return duplicates; }

  /// The line:column of byte `offset` of the text (clamped to its end).
  SourceLocation locate(size_t offset) const;

private:
  void scan();

  std::string_view text;
  std::vector<size_t> lineStarts;
  // Byte offsets; a repeated key maps to its last occurrence, the one that
  // nlohmann keeps.
  std::unordered_map<std::string, size_t> valueOffsets;
  std::unordered_map<std::string, size_t> keyOffsets;
  std::vector<DuplicateKey> duplicates;
};

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_JSONLOCATOR_H
