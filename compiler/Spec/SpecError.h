//===- SpecError.h - A located problem in a spec file -----------*- C++ -*-===//
//
// A spec error is located twice: logically, by the JSON pointer of the value
// it is about (stable across reformatting, good for tools), and physically, by
// the line:column where that value starts (what a person needs in an editor).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_SPECERROR_H
#define ATTNC_COMPILER_SPEC_SPECERROR_H

#include <string>
#include <string_view>

namespace attnc::spec {

struct SpecError {
  /// RFC 6901 pointer to the offending value ("/mask", "/modes/1"), or "" for
  /// the document itself.
  std::string pointer;
  /// 1-based position in the file where the offending value starts (for an
  /// unknown or duplicate key: where the key starts). 0 when the error has no
  /// position, e.g. the file could not be read.
  int line = 0;
  int column = 0;
  std::string message;
  /// For an error inside the mask expression: the 1-based column within the
  /// expression text (after JSON unescaping); 0 otherwise.
  int expressionColumn = 0;

  /// `FILE:LINE:COL: error: at POINTER: MESSAGE (expression column N)`.
  /// Parts that carry no information (no position, root pointer, no
  /// expression column) are left out.
  std::string format(std::string_view file) const;
};

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_SPECERROR_H
