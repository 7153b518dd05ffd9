//===- Spec.h - The validated model of an attention spec --------*- C++ -*-===//
//
// The front door of attnc: a JSON spec (format in docs/spec.md) becomes a
// Spec, or a list of every problem found, each located by JSON pointer and
// line:column. Nothing here throws.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_SPEC_H
#define ATTNC_COMPILER_SPEC_SPEC_H

#include "compiler/Spec/Decls.h"
#include "compiler/Spec/Expr.h"
#include "compiler/Spec/SpecError.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::spec {

enum class ElementType { F16, BF16 };

enum class Mode { Forward };

/// Routed (block-sparse) attention: query q of (b, h) sees key k only if the
/// block k / block is listed in tensor[b, h, q / block, :] (docs/spec.md,
/// "Routing"). The tensor is i32 of shape [("b")?, ("hq")?, "sq/block", K].
struct Routing {
  size_t slot = 0;    ///< the list tensor, in decls.tensors
  int64_t block = 0;  ///< keys (and queries) per block, a multiple of kRoutingBlockMultiple
};

/// Routing blocks are whole q tiles and kv tiles of every kernel (their
/// largest q tile is 128 rows); a list holds at most kMaxRoutedBlocks entries.
constexpr int64_t kRoutingBlockMultiple = 128;
constexpr int64_t kMaxRoutedBlocks = 128;

struct Spec {
  /// A C identifier of at most 64 characters; names the library's symbols
  /// and files.
  std::string name;
  int64_t headDim = 0; ///< 64, 128 or 256
  ElementType elementType = ElementType::F16;
  /// Non-empty, without repeats, in the order written.
  std::vector<Mode> modes;
  /// The mask expression as written ("none" when the spec has no mask).
  std::string maskSource;
  /// `maskSource` parsed and type-checked; bool-typed, never null.
  std::unique_ptr<Expr> mask;
  /// The score expression as written ("s" when the spec has no score).
  std::string scoreSource;
  /// `scoreSource` parsed and type-checked in the Score context: float- or
  /// int-typed (an int result is converted to float). Null when the spec has
  /// no "score" key, which means the identity `s`.
  std::unique_ptr<Expr> score;
  /// Runtime tensors and scalar parameters ("tensors", "params").
  Decls decls;
  /// The sink logit as written ("" when the spec has none) and parsed: a
  /// float per (batch, head) that joins each row's softmax denominator as
  /// one more logit with no value row (off-by-one / gpt-oss attention sinks).
  std::string sinkSource;
  std::unique_ptr<Expr> sink;
  /// "routing": the kv blocks each query block may see, from a runtime list.
  std::optional<Routing> routing;
  /// Some expression reads q into a "skv" dimension: calls need sq <= skv.
  bool requiresQueryNotLonger = false;
  /// The spec document as given, compact, keys in their written order; it
  /// goes into the library manifest.
  std::string json;
};

/// Exactly one of `spec` and `errors` is non-empty. Errors are sorted by
/// position in the file.
struct SpecResult {
  std::optional<Spec> spec;
  std::vector<SpecError> errors;
};

SpecResult parseSpec(std::string_view text);

/// parseSpec() on the contents of `path`. A file that cannot be read gives
/// one error with pointer "" and line 0.
SpecResult parseSpecFile(const std::string &path);

std::string_view elementTypeName(ElementType type); // "f16", "bf16"
std::string_view modeName(Mode mode);               // "forward"

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_SPEC_H
