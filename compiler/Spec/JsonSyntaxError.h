//===- JsonSyntaxError.h - Locating JSON syntax errors ----------*- C++ -*-===//
//
// nlohmann::json reports a syntax error as a byte offset and a message in its
// own byte-based coordinates. This turns them into a SpecError located like
// every other one: line and character column, at the start of the offending
// token, with a hint for the commonest slip.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_JSONSYNTAXERROR_H
#define ATTNC_COMPILER_SPEC_JSONSYNTAXERROR_H

#include "compiler/Spec/SpecError.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace attnc::spec {

/// `byte` and `what` are nlohmann::json::parse_error's fields for a parse of
/// `text`.
SpecError jsonSyntaxError(std::string_view text, size_t byte,
                          const std::string &what);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_JSONSYNTAXERROR_H
