//===- KvBoundsSupport.h - Build and run tile.kv_bounds in tests -*- C++ -*-===//
//
// The kv ranges a kernel visits, the way attnc computes them: the mask is
// canonicalized like the driver does, classified, and lowered into a
// tile.kv_bounds body by buildKvBounds; that arith body is then run for
// concrete (q_tile, sq, skv) by a small interpreter (i1 as 0/1). So the tests
// check the emitted formulas themselves, not a second copy of the math.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_TEST_UNIT_ANALYSIS_KVBOUNDSSUPPORT_H
#define ATTNC_TEST_UNIT_ANALYSIS_KVBOUNDSSUPPORT_H

#include "compiler/Analysis/MaskAnalysis.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"
#include "dialects/Tile/IR/TileDialect.h"
#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <gtest/gtest.h>

#include <vector>

namespace attnc::test {

/// One kv range of a q tile: [begin, end) visited, [fullBegin, fullEnd) full.
struct Range {
  int64_t begin, fullBegin, fullEnd, end;
};

/// Runs the canonicalizer over `module`, as attnc does before --attn-to-tile.
inline bool canonicalize(mlir::ModuleOp module) {
  mlir::PassManager pm(module.getContext());
  pm.addPass(mlir::createCanonicalizerPass());
  return mlir::succeeded(pm.run(module));
}

/// A tile.kv_bounds op for one mask class and tile shape, held in its own
/// module, and its interpreter.
class KvBoundsProgram {
public:
  KvBoundsProgram(mlir::MLIRContext &context, const mlir::attn::MaskClass &mask,
                  int64_t blockM, int64_t blockN) {
    context.loadDialect<mlir::tile::TileDialect, mlir::arith::ArithDialect>();
    mlir::OpBuilder b(&context);
    mlir::Location loc = b.getUnknownLoc();
    module = mlir::ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    bounds = mlir::tile::KvBoundsOp::create(b, loc);
    target::TileConfig config{blockM, blockN, /*numWarps=*/4, /*stages=*/2};
    buildKvBounds(bounds, mask, config);
  }

  bool usesScan() {
    return !bounds.getBody()->getOps<mlir::tile::ScanKvTilesOp>().empty();
  }

  /// The ranges of q tile `qTile`, in yield order (the upper range first).
  /// Fails the test on an op the interpreter does not know.
  std::vector<Range> run(int64_t qTile, int64_t sq, int64_t skv) {
    llvm::DenseMap<mlir::Value, int64_t> v;
    mlir::Block &body = *bounds.getBody();
    v[body.getArgument(0)] = qTile;
    v[body.getArgument(1)] = sq;
    v[body.getArgument(2)] = skv;
    for (mlir::Operation &op : body.without_terminator()) {
      auto in = [&](unsigned i) { return v.lookup(op.getOperand(i)); };
      std::optional<int64_t> out =
          llvm::TypeSwitch<mlir::Operation *, std::optional<int64_t>>(&op)
              .Case([&](mlir::arith::ConstantOp c) -> std::optional<int64_t> {
                return mlir::cast<mlir::IntegerAttr>(c.getValue()).getValue().getSExtValue();
              })
              .Case([&](mlir::arith::AddIOp) { return in(0) + in(1); })
              .Case([&](mlir::arith::SubIOp) { return in(0) - in(1); })
              .Case([&](mlir::arith::MulIOp) { return in(0) * in(1); })
              .Case([&](mlir::arith::MinSIOp) { return std::min(in(0), in(1)); })
              .Case([&](mlir::arith::MaxSIOp) { return std::max(in(0), in(1)); })
              .Case([&](mlir::arith::FloorDivSIOp) { return floorDiv(in(0), in(1)); })
              .Case([&](mlir::arith::CeilDivSIOp) { return -floorDiv(-in(0), in(1)); })
              .Case([&](mlir::arith::DivSIOp) { return in(0) / in(1); })
              .Case([&](mlir::arith::AndIOp) { return in(0) & in(1); })
              .Case([&](mlir::arith::OrIOp) { return in(0) | in(1); })
              .Case([&](mlir::arith::SelectOp) { return in(0) ? in(1) : in(2); })
              .Case([&](mlir::arith::CmpIOp cmp) -> std::optional<int64_t> {
                using P = mlir::arith::CmpIPredicate;
                int64_t a = in(0), c = in(1);
                switch (cmp.getPredicate()) {
                case P::eq: return a == c;
                case P::ne: return a != c;
                case P::slt: return a < c;
                case P::sle: return a <= c;
                case P::sgt: return a > c;
                case P::sge: return a >= c;
                default: return std::nullopt;
                }
              })
              .Default([](mlir::Operation *) { return std::nullopt; });
      if (!out) {
        ADD_FAILURE() << "kv_bounds interpreter: unknown op " << op.getName().getStringRef().str();
        return {};
      }
      v[op.getResult(0)] = *out;
    }
    std::vector<Range> ranges;
    auto yielded = bounds.getYieldOp().getValues();
    for (size_t i = 0; i + 3 < yielded.size(); i += 4)
      ranges.push_back({v.lookup(yielded[i]), v.lookup(yielded[i + 1]), v.lookup(yielded[i + 2]),
                        v.lookup(yielded[i + 3])});
    return ranges;
  }

private:
  static int64_t floorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }

  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::tile::KvBoundsOp bounds;
};

} // namespace attnc::test

#endif // ATTNC_TEST_UNIT_ANALYSIS_KVBOUNDSSUPPORT_H
