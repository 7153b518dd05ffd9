//===- SpecError.cpp - Formatting of spec errors --------------------------===//

#include "compiler/Spec/SpecError.h"

namespace attnc::spec {

std::string SpecError::format(std::string_view file) const {
  std::string out(file);
  if (line > 0)
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": error: ";
  if (!pointer.empty())
    out += "at " + pointer + ": ";
  out += message;
  if (expressionColumn > 0)
    out += " (expression column " + std::to_string(expressionColumn) + ")";
  return out;
}

} // namespace attnc::spec
