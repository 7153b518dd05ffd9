//===- IntervalEmitter.cpp - arith blocks → interval C++ ------------------===//

#include "compiler/Codegen/IntervalEmitter.h"

#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace attnc::codegen {
namespace {

/// The interval.h function that is the image of an integer op, or "".
StringRef intervalFunction(Operation &op) {
  return llvm::TypeSwitch<Operation *, StringRef>(&op)
      .Case([](arith::AddIOp) { return "iv_add"; })
      .Case([](arith::SubIOp) { return "iv_sub"; })
      .Case([](arith::MulIOp) { return "iv_mul"; })
      .Case([](arith::DivSIOp) { return "iv_div"; })
      .Case([](arith::RemSIOp) { return "iv_rem"; })
      .Case([](arith::FloorDivSIOp) { return "iv_floor_div"; })
      .Case([](arith::CeilDivSIOp) { return "iv_ceil_div"; })
      .Case([](arith::MinSIOp) { return "iv_min"; })
      .Case([](arith::MaxSIOp) { return "iv_max"; })
      .Case([](arith::ShLIOp) { return "iv_shl"; })
      .Case([](arith::ShRSIOp) { return "iv_shr"; })
      .Case([](math::CountLeadingZerosOp) { return "iv_ctlz"; })
      .Case([](arith::AndIOp) { return "tri_and"; })
      .Case([](arith::OrIOp) { return "tri_or"; })
      .Case([](arith::XOrIOp) { return "tri_xor"; })
      .Case([](arith::CmpIOp cmp) -> StringRef {
        switch (cmp.getPredicate()) {
        case arith::CmpIPredicate::eq: return "iv_eq";
        case arith::CmpIPredicate::ne: return "iv_ne";
        case arith::CmpIPredicate::slt: return "iv_lt";
        case arith::CmpIPredicate::sle: return "iv_le";
        case arith::CmpIPredicate::sgt: return "iv_gt";
        case arith::CmpIPredicate::sge: return "iv_ge";
        default: return "";
        }
      })
      .Case([](arith::SelectOp select) {
        return select.getType().isInteger(1) ? "tri_select" : "iv_select";
      })
      .Default([](Operation *) { return ""; });
}

/// The interval image of a tile.read: the plan's hull over the index range
/// for a summarised tensor (attn/device/plan.h), else any int32.
std::string readInterval(tile::ReadOp read, llvm::DenseMap<Value, std::string> &names) {
  std::string length = summarizedLength(read);
  if (length.empty())
    return "attn::device::iv_int32()";
  auto indices = read.getIndices();
  std::string batch = indices.size() == 2 ? names[indices[0]] : "attn::device::iv_point(0)";
  return "attn::device::iv_read_summary(p.summaries[" + std::to_string(read.getSlot()) + "], " +
         length + ", " + batch + ", " + names[indices.back()] + ")";
}

} // namespace

std::string summarizedLength(tile::ReadOp read) {
  if (!read.getDtype().isInteger(32))
    return "";
  ArrayAttr shape = read.getShape();
  auto symbol = [&](size_t i) {
    auto name = dyn_cast<StringAttr>(shape[i]);
    return name ? name.getValue() : StringRef();
  };
  bool batched = shape.size() == 2 && symbol(0) == "b";
  if (shape.size() != 1 && !batched)
    return "";
  StringRef sequence = symbol(shape.size() - 1);
  if (sequence == "sq")
    return "p.seqlen_q";
  if (sequence == "skv")
    return "p.seqlen_k";
  return "";
}

FailureOr<SmallVector<std::string>> emitIntervalBlock(Block &block,
                                                      ArrayRef<std::string> argNames,
                                                      raw_ostream &os, StringRef indent,
                                                      ArrayRef<std::string> gridBoxNames) {
  llvm::DenseMap<Value, std::string> names, boxes;
  for (auto [arg, name] : llvm::zip(block.getArguments(), argNames))
    names[arg] = name;
  for (auto [arg, box] : llvm::zip(block.getArguments(), gridBoxNames))
    if (!box.empty())
      boxes[arg] = box;
  unsigned counter = 0;
  for (Operation &op : block.without_terminator()) {
    if (op.getNumResults() != 1)
      return op.emitOpError("has no interval image");
    Type type = op.getResult(0).getType();
    bool logical = type.isInteger(1);
    if (!logical && !type.isInteger(64))
      return op.emitOpError("has no interval image");
    std::string expr;
    if (auto param = dyn_cast<tile::ParamOp>(op)) {
      // Known for the whole call: a point.
      expr = "attn::device::iv_point(p.int_params[" + std::to_string(param.getIndex()) + "])";
    } else if (auto read = dyn_cast<tile::ReadOp>(op)) {
      expr = readInterval(read, names);
    } else if (auto coord = dyn_cast<tile::GridCoordOp>(op)) {
      auto box = boxes.find(coord.getIndex());
      expr = box != boxes.end()
                 ? box->second + ".axis[" + std::to_string(coord.getAxis()) + "]"
                 : "attn::device::iv_grid_coord(" + names[coord.getIndex()] + ", " +
                       std::to_string(coord.getStride()) + ", " +
                       std::to_string(coord.getSize()) + ")";
    } else if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto value = dyn_cast<IntegerAttr>(constant.getValue());
      if (!value)
        return op.emitOpError("has no interval image");
      expr = logical ? (value.getValue().isZero() ? "attn::device::tri_const(false)"
                                                  : "attn::device::tri_const(true)")
                     : "attn::device::iv_point(" + std::to_string(value.getInt()) + ")";
    } else {
      StringRef function = intervalFunction(op);
      if (function.empty())
        return op.emitOpError("has no interval image");
      expr = ("attn::device::" + function + "(").str();
      for (auto [i, operand] : llvm::enumerate(op.getOperands()))
        expr += (i ? ", " : "") + names[operand];
      expr += ")";
    }
    std::string var = "v" + std::to_string(counter++);
    os << indent << "const attn::device::" << (logical ? "Tri " : "Interval ") << var << " = "
       << expr << ";\n";
    names[op.getResult(0)] = var;
  }
  SmallVector<std::string> results;
  for (Value operand : block.getTerminator()->getOperands())
    results.push_back(names[operand]);
  return results;
}

} // namespace attnc::codegen
