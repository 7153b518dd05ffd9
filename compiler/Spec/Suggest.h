//===- Suggest.h - "did you mean" and quoting helpers -----------*- C++ -*-===//
//
// Shared by the JSON-level checks and the expression parser so that both
// suggest corrections and quote user text the same way.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_SUGGEST_H
#define ATTNC_COMPILER_SPEC_SUGGEST_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::spec {

/// Edit distance counting insertions, deletions, substitutions and swaps of
/// adjacent characters as one edit each.
size_t editDistance(std::string_view a, std::string_view b);

/// The candidate nearest to `word`, if it is at most `maxDistance` edits
/// away; ties go to the earlier candidate.
std::optional<std::string_view>
closestMatch(std::string_view word,
             const std::vector<std::string_view> &candidates,
             size_t maxDistance);

/// `text` in single quotes, with control characters escaped and long
/// text shortened, so that any user string can go into a one-line message.
std::string quote(std::string_view text);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_SUGGEST_H
