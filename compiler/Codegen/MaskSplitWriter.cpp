//===- MaskSplitWriter.cpp - tile.mask_fn with its reads hoisted ----------===//

#include "compiler/Codegen/MaskSplitWriter.h"

#include "compiler/Codegen/ScalarEmitter.h"

using namespace mlir;

namespace attnc::codegen {
namespace {

constexpr unsigned kQueryArg = 2, kKeyArg = 3;

/// One part of the mask: the values of its reads, carried as fields read0, read1, ...
/// of struct `type`, which mask_pair takes as parameter `var` from function mask_<var>.
struct Part {
  StringRef type, var; ///< "MaskRow", "row"
  SmallVector<Value> reads;
};

class MaskSplitWriter {
public:
  MaskSplitWriter(Block &body, raw_ostream &os) : body(body), os(os) {
    const llvm::DenseSet<Value> ofQuery = valuesComputedFrom(body, body.getArgument(kQueryArg));
    const llvm::DenseSet<Value> ofKey = valuesComputedFrom(body, body.getArgument(kKeyArg));
    body.walk([&](tile::ReadOp read) {
      const bool query = ofQuery.contains(read.getValue());
      const bool key = ofKey.contains(read.getValue());
      if (!key)
        rowPart.reads.push_back(read.getValue()); // a read of neither is per row: once per tile
      else if (!query)
        keyPart.reads.push_back(read.getValue());
    });
  }

  LogicalResult write() {
    os << "// tile.mask_fn in three parts (the reads of the row alone, of the key alone, the\n"
       << "// rest), so that a kernel reads each row's and each key's tensors once, not per pair.\n";
    if (failed(writePart(rowPart, "int64_t q")) || failed(writePart(keyPart, "int64_t k")))
      return failure();
    os << "ATTN_HD bool mask_pair(const attn_forward_params &p, int64_t b, int64_t h, int64_t q, "
          "int64_t k, int64_t sq, int64_t skv, const MaskRow &row, const MaskKey &key) {\n";
    ScalarBlockOptions options;
    for (Part *part : {&rowPart, &keyPart})
      for (auto [i, read] : llvm::enumerate(part->reads))
        options.given[read] = (part->var + ".read" + Twine(i)).str();
    auto kept = emitScalarBlock(body, kArgs, os, "  ", options);
    if (failed(kept))
      return failure();
    os << "  return " << (*kept)[0] << ";\n}\n\n";
    return success();
  }

private:
  /// The struct of a part's read values and the function that reads them.
  LogicalResult writePart(Part &part, StringRef indexParam) {
    std::string statements;
    llvm::raw_string_ostream statementsOs(statements);
    SmallVector<std::string> types;
    SmallVector<std::string> values;
    if (!part.reads.empty()) {
      ScalarBlockOptions options;
      options.results = part.reads;
      options.resultTypes = &types;
      auto names = emitScalarBlock(body, kArgs, statementsOs, "  ", options);
      if (failed(names))
        return failure();
      values = std::move(*names);
    }
    os << "struct " << part.type << " {";
    for (auto [i, type] : llvm::enumerate(types))
      os << " " << type << " read" << i << ";";
    os << (types.empty() ? "};\n" : " };\n");
    os << "ATTN_HD " << part.type << " mask_" << part.var
       << "(const attn_forward_params &p, int64_t b, int64_t h, " << indexParam
       << ", int64_t sq, int64_t skv) {\n"
       << statements << "  return {" << llvm::join(values, ", ") << "};\n}\n\n";
    return success();
  }

  const std::string kArgs[6] = {"b", "h", "q", "k", "sq", "skv"}; ///< mask_fn's arguments

  Block &body;
  raw_ostream &os;
  Part rowPart{"MaskRow", "row", {}};
  Part keyPart{"MaskKey", "key", {}};
};

} // namespace

LogicalResult writeMaskSplit(tile::KernelOp kernel, raw_ostream &os) {
  return MaskSplitWriter(*kernel.getMaskFn().getBody(), os).write();
}

} // namespace attnc::codegen
