//===- Decls.cpp - Names of runtime tensors and parameters ----------------===//

#include "compiler/Spec/Decls.h"

#include <limits>
#include <string>

namespace attnc::spec {

std::optional<size_t> Decls::tensorSlot(std::string_view name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name)
      return i;
  return std::nullopt;
}

std::optional<size_t> Decls::paramSlot(std::string_view name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name)
      return i;
  return std::nullopt;
}

std::string_view dataTypeName(DataType type) {
  switch (type) {
  case DataType::I32:
    return "i32";
  case DataType::F32:
    return "f32";
  case DataType::F16:
    return "f16";
  case DataType::BF16:
    return "bf16";
  }
  return "?";
}

std::optional<DataType> lookupDataType(std::string_view name) {
  for (DataType type :
       {DataType::I32, DataType::F32, DataType::F16, DataType::BF16})
    if (dataTypeName(type) == name)
      return type;
  return std::nullopt;
}

std::string dimName(const Dim &dim) {
  switch (dim.kind) {
  case DimKind::Batch:
    return "b";
  case DimKind::QueryHeads:
    return "hq";
  case DimKind::QueryLen:
    return "sq";
  case DimKind::KeyLen:
    return "skv";
  case DimKind::Fixed:
    return std::to_string(dim.size);
  case DimKind::QueryBlocks:
    return "sq/" + std::to_string(dim.size);
  }
  return "?";
}

std::optional<Dim> lookupDimSymbol(std::string_view name) {
  for (DimKind kind : {DimKind::Batch, DimKind::QueryHeads, DimKind::QueryLen,
                       DimKind::KeyLen})
    if (dimName({kind, 0}) == name)
      return Dim{kind, 0};
  constexpr std::string_view blocks = "sq/";
  if (name.substr(0, blocks.size()) != blocks)
    return std::nullopt;
  std::string_view digits = name.substr(blocks.size());
  if (digits.empty() || digits.size() > 10 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  int64_t block = std::stoll(std::string(digits));
  if (block > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return Dim{DimKind::QueryBlocks, block};
}

std::optional<Var> dimVariable(DimKind kind) {
  switch (kind) {
  case DimKind::Batch:
    return Var::B;
  case DimKind::QueryHeads:
    return Var::H;
  case DimKind::QueryLen:
    return Var::Q;
  case DimKind::KeyLen:
    return Var::K;
  case DimKind::Fixed:
  case DimKind::QueryBlocks:
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace attnc::spec
