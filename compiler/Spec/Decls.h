//===- Decls.h - Runtime tensors and parameters a spec declares -*- C++ -*-===//
//
// A spec may declare data that arrives with each call rather than at compile
// time: tensors (document ids, a bias, per-head slopes or sink logits) that
// expressions index as `ids[b, k]`, and scalar parameters (a window size, a
// temperature) that expressions read by name. Each gets a slot, its position
// in the declaration, which is also its position in the kernel parameters
// (abi.h: attn_forward_params::tensors / int_params / float_params).
//
// Dimensions are symbols bound at each call (B, Hq, Sq, Skv) or fixed sizes.
// An index into a symbolic dimension must be the variable that ranges over
// it, so every read is in bounds by construction; see ExprSema.h.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_SPEC_DECLS_H
#define ATTNC_COMPILER_SPEC_DECLS_H

#include "compiler/Spec/Expr.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnc::spec {

/// Element types of runtime tensors. i32 tensors are read as ints; the others
/// as floats (converted to f32 in the kernels, to double by the evaluator).
enum class DataType { I32, F32, F16, BF16 };

enum class DimKind {
  Batch,      ///< "b": the batch size B
  QueryHeads, ///< "hq": the number of query heads
  QueryLen,   ///< "sq"
  KeyLen,     ///< "skv"
  Fixed,      ///< an integer size given in the spec
  QueryBlocks, ///< "sq/N": ceil(sq / N) blocks of N queries (a routing list)
};

struct Dim {
  DimKind kind = DimKind::Fixed;
  int64_t size = 0; ///< Fixed: the size, >= 1; QueryBlocks: the block N
};

struct TensorDecl {
  std::string name;
  DataType dtype = DataType::I32;
  std::vector<Dim> dims; ///< 1 to kMaxTensorRank entries
};

struct ParamDecl {
  std::string name;
  ExprType type = ExprType::Int; ///< Int (int64) or Float (f32)
};

/// Limits shared with the ABI (abi.h ATTN_MAX_TENSORS, ATTN_MAX_TENSOR_RANK,
/// ATTN_MAX_PARAMS).
constexpr size_t kMaxTensors = 8;
constexpr size_t kMaxTensorRank = 4;
constexpr size_t kMaxParams = 8;

/// The most axes a token grid may have (t, y, x).
constexpr size_t kMaxGridRank = 3;

struct Decls {
  std::vector<TensorDecl> tensors;
  std::vector<ParamDecl> params;
  /// The token grid ("grid"): 1 to kMaxGridRank axis sizes, tokens numbered
  /// row-major; empty when the spec declares none. With a grid, both the
  /// queries and the keys of a call are the grid's tokens (sq = skv = the
  /// product of the sizes), and expressions may read grid coordinates.
  std::vector<int64_t> grid;

  std::optional<size_t> tensorSlot(std::string_view name) const;
  std::optional<size_t> paramSlot(std::string_view name) const;
  bool empty() const { return tensors.empty() && params.empty(); }
};

std::string_view dataTypeName(DataType type); // "i32", "f32", "f16", "bf16"
std::optional<DataType> lookupDataType(std::string_view name);
/// "b", "hq", "sq", "skv", "sq/N", or the size as a decimal number.
std::string dimName(const Dim &dim);
/// The symbolic dimension a shape entry names: "b", "hq", "sq", "skv", or
/// "sq/N" with N a positive decimal below 2^31.
std::optional<Dim> lookupDimSymbol(std::string_view name);
/// The variable an index into `kind` must be (b, h, q or k); none for Fixed
/// and QueryBlocks (which expressions do not index).
std::optional<Var> dimVariable(DimKind kind);

} // namespace attnc::spec

#endif // ATTNC_COMPILER_SPEC_DECLS_H
