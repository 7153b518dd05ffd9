//===- Suggest.cpp - "did you mean" and quoting helpers -------------------===//

#include "compiler/Spec/Suggest.h"

#include <algorithm>
#include <cstdio>

namespace attnc::spec {

size_t editDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus swaps of adjacent characters,
  // the commonest typo ("maks" for "mask" is one edit, not two).
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string_view>
closestMatch(std::string_view word,
             const std::vector<std::string_view> &candidates,
             size_t maxDistance) {
  std::optional<std::string_view> best;
  size_t bestDistance = maxDistance + 1;
  for (std::string_view candidate : candidates) {
    // Lengths alone can rule a candidate out, and keep a megabyte-long key
    // from costing a megabyte-sized table.
    size_t lengthGap = word.size() > candidate.size()
                           ? word.size() - candidate.size()
                           : candidate.size() - word.size();
    if (lengthGap > maxDistance)
      continue;
    size_t distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

std::string quote(std::string_view text) {
  // Messages stay on one line and readable whatever the user wrote.
  constexpr size_t kMaxQuoted = 48;
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // Cut only at a character boundary, never inside a UTF-8 sequence.
    if (i >= kMaxQuoted && (c & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x", c);
      out += buffer;
    } else {
      // UTF-8 sequences pass through: names in messages should look as typed.
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

} // namespace attnc::spec
