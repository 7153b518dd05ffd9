//===- MaskTestSupport.h - attn.attention ops for the analysis tests ------===//
//
// Masks are built the way attnc builds them: a spec's mask expression parsed
// and lowered by SpecToAttn. Ops no spec produces (ceildivsi, unsigned
// compares, i32 values, ...) come from MLIR text instead.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_TEST_UNIT_ANALYSIS_MASKTESTSUPPORT_H
#define ATTNC_TEST_UNIT_ANALYSIS_MASKTESTSUPPORT_H

#include "compiler/Analysis/TileClassifier.h"
#include "compiler/Conversion/SpecToAttn/SpecToAttn.h"
#include "compiler/Spec/Spec.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace mlir::attn {
/// gtest prints intervals as [lo, hi].
inline void PrintTo(const Interval &range, std::ostream *os) {
  *os << "[" << range.lo << ", " << range.hi << "]";
}
} // namespace mlir::attn

namespace attnc::test {

/// One attn.attention and what owns it. `op` is null when building failed
/// (the failure is reported to gtest).
struct TestMask {
  std::optional<spec::Spec> spec; ///< set when built from a spec
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::attn::AttentionOp op;

  const spec::Expr &expr() const { return *spec->mask; }
};

/// The mask `expression` of a bf16, head_dim 128 spec (on the token grid
/// `grid` where one is given), lowered to attn.
inline TestMask maskFromSpec(mlir::MLIRContext &context, const std::string &expression,
                             const std::vector<int64_t> &grid = {}) {
  TestMask mask;
  std::string gridField;
  for (int64_t size : grid)
    gridField += (gridField.empty() ? R"("grid": [)" : ", ") + std::to_string(size);
  if (!gridField.empty())
    gridField += "], ";
  std::string json = R"({"name": "t", "head_dim": 128, "dtype": "bf16", "modes": ["forward"], )" +
                     gridField + R"("mask": ")" + expression + "\"}";
  spec::SpecResult parsed = spec::parseSpec(json);
  if (!parsed.spec) {
    ADD_FAILURE() << "mask does not parse: " << expression << ": "
                  << parsed.errors.front().format("mask");
    return mask;
  }
  mask.spec = std::move(parsed.spec);
  mask.module = buildAttnModule(context, *mask.spec, "mask");
  if (!mask.module) {
    ADD_FAILURE() << "mask does not lower: " << expression;
    return mask;
  }
  mask.op = *mask.module->getOps<mlir::attn::AttentionOp>().begin();
  return mask;
}

/// An attn.attention whose mask block is `body` (ops over %b, %h, %q, %k,
/// %sq, %skv ending in a value %keep : i1).
inline TestMask maskFromIR(mlir::MLIRContext &context, const std::string &body) {
  context.loadDialect<mlir::attn::AttnDialect, mlir::arith::ArithDialect>();
  std::string text =
      "attn.attention @t attributes {element_type = bf16, head_dim = 128 : i64, "
      "modes = [\"forward\"]} {\n"
      "^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):\n" +
      body + "\n  attn.yield %keep : i1\n}\n";
  TestMask mask;
  mask.module = mlir::parseSourceString<mlir::ModuleOp>(text, mlir::ParserConfig(&context));
  if (!mask.module) {
    ADD_FAILURE() << "mask does not parse:\n" << text;
    return mask;
  }
  mask.op = *mask.module->getOps<mlir::attn::AttentionOp>().begin();
  return mask;
}

} // namespace attnc::test

#endif // ATTNC_TEST_UNIT_ANALYSIS_MASKTESTSUPPORT_H
