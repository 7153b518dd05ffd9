//===- ScalarEmitter.cpp - arith blocks → C++ statements ------------------===//

#include "compiler/Codegen/ScalarEmitter.h"

#include "compiler/Codegen/IndexRanges.h"
#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

using namespace mlir;

namespace attnc::codegen {
namespace {

class ScalarEmitter {
public:
  ScalarEmitter(raw_ostream &os, StringRef indent, KvScan scanKind,
                llvm::DenseMap<Value, IntRange> ranges)
      : os(os), indent(indent), scanKind(scanKind), ranges(std::move(ranges)) {}

  /// KeySplit: `key` is k, an argument of `block`, whose part at k0 is
  /// `split.rowKey`. Finds, before any op is emitted, the values of the form
  /// ±k + (terms free of k) and the ones a conversion needs the part of.
  void splitKey(Block &block, Value key, const KeySplit &keySplit) {
    split = keySplit;
    keySign[key] = 1;
    partName[key] = keySplit.rowKey;
    const llvm::DenseSet<Value> keyDependent = valuesComputedFrom(block, key);
    for (Operation &op : block.without_terminator()) {
      if (op.getNumResults() != 1 || !keyDependent.contains(op.getResult(0)))
        continue;
      Value result = op.getResult(0);
      if (auto select = dyn_cast<arith::SelectOp>(op)) {
        if (std::optional<Value> x = absOperand(select); x && keySign.contains(*x))
          absOf[result] = *x;
        continue;
      }
      if (!isa<arith::AddIOp, arith::SubIOp>(op) ||
          llvm::any_of(op.getOperands(), [&](Value v) {
            return keyDependent.contains(v) && !keySign.contains(v); // not affine in k
          }))
        continue;
      auto sign = [&](Value v) { return keySign.lookup(v); };
      const int resultSign =
          sign(op.getOperand(0)) + (isa<arith::AddIOp>(op) ? 1 : -1) * sign(op.getOperand(1));
      if (resultSign >= -1 && resultSign <= 1)
        keySign[result] = resultSign;
    }
    // The parts a conversion reads, and the parts those are computed from.
    std::function<void(Value)> need = [&](Value v) {
      if (!keySign.contains(v) || !partsNeeded.insert(v).second)
        return;
      if (Operation *op = v.getDefiningOp())
        for (Value operand : op->getOperands())
          need(operand);
    };
    block.walk([&](arith::SIToFPOp conversion) {
      Value x = conversion.getIn();
      if (auto abs = absOf.find(x); abs != absOf.end())
        x = abs->second;
      if (keySign.lookup(x) != 0)
        need(x);
    });
  }

  void name(Value value, std::string name) { names[value] = std::move(name); }
  /// The C++ type of a value's variable.
  StringRef declaredType(Value value) const {
    return isa<BlockArgument>(value) && value.getType().isInteger(64) ? "int64_t" : cppType(value);
  }
  const std::string &get(Value value) const { return names.find(value)->second; }

  LogicalResult emit(Operation &op) {
    if (auto scan = dyn_cast<tile::ScanKvTilesOp>(op))
      return emitScan(scan);
    std::optional<std::string> expr = expression(op);
    if (!expr)
      return op.emitOpError("cannot be emitted as C++ by attnc");
    Value result = op.getResult(0);
    std::string var = "v" + std::to_string(counter++);
    os << indent << "const " << cppType(result) << " " << var << " = " << *expr << ";\n";
    name(result, var);
    if (partsNeeded.contains(result))
      emitPart(op);
    return success();
  }

private:
  /// tile.scan_kv_tiles: one KvTiles value whose fields are the four results.
  /// Uses the hooks CudaEmitter writes beside it: kBlockM, kBlockN, MaskBox.
  /// The warp form for kernels whose warps cannot all meet at a CTA barrier.
  LogicalResult emitScan(tile::ScanKvTilesOp scan) {
    StringRef function = scanKind == KvScan::Warp ? "attn::device::sm90::warp_scan_kv_tiles"
                                                  : "attn::device::scan_kv_tiles";
    std::string var = "v" + std::to_string(counter++);
    os << indent << "const attn::device::KvTiles " << var << " = " << function << "("
       << get(scan.getQTile()) << ", " << get(scan.getQueryLen()) << ", "
       << get(scan.getKeyLen()) << ", kBlockM, kBlockN, MaskBox{p, b, h, " << get(scan.getQueryLen())
       << ", " << get(scan.getKeyLen()) << "});\n";
    name(scan.getBegin(), var + ".begin");
    name(scan.getFullBegin(), var + ".full_begin");
    name(scan.getFullEnd(), var + ".full_end");
    name(scan.getEnd(), var + ".end");
    return success();
  }

  bool fits(Value value) const {
    auto it = ranges.find(value);
    return it != ranges.end() && it->second.fitsInt32();
  }
  /// Whether the C++ variable of an i64 value is an int32_t: op results whose range fits are
  /// (cppType), and the grid coordinates a caller hands over; the hook's parameters are int64_t.
  bool heldIn32Bits(Value value) const { return !isa<BlockArgument>(value) && fits(value); }
  StringRef cppType(Value value) const {
    Type type = value.getType();
    if (type.isF32())
      return "float";
    if (type.isInteger(1))
      return "bool";
    return fits(value) ? "int32_t" : "int64_t";
  }

  /// Integer ops compute in 32 bits when their integer operands and result all
  /// fit (IndexRanges.h): then nothing overflows. Otherwise in 64.
  bool narrowOp(Operation &op) const {
    for (Value v : op.getOperands())
      if (v.getType().isInteger(64) && !fits(v))
        return false;
    Value result = op.getResult(0);
    return !result.getType().isInteger(64) || fits(result);
  }
  /// An operand in the op's width: cast where its variable has the other one.
  std::string operand(Operation &op, unsigned i) const {
    Value v = op.getOperand(i);
    if (!v.getType().isInteger(64))
      return get(v);
    const bool narrow = narrowOp(op);
    if (narrow == heldIn32Bits(v))
      return get(v);
    return (narrow ? "int32_t(" : "int64_t(") + get(v) + ")";
  }

  std::string bin(Operation &op, StringRef spelling) {
    return operand(op, 0) + " " + spelling.str() + " " + operand(op, 1);
  }
  /// A call of `function` (an attn::device helper or a C math function) on the op's operands.
  std::string call(Operation &op, StringRef function) {
    std::string text = (function + "(").str();
    for (unsigned i = 0; i < op.getNumOperands(); ++i)
      text += (i ? ", " : "") + operand(op, i);
    return text + ")";
  }
  /// An integer helper of attn/device/hooks.h in the op's width: `base` + _i32 / _i64.
  std::string intCall(Operation &op, StringRef base) {
    return call(op, ("attn::device::" + base + (narrowOp(op) ? "_i32" : "_i64")).str());
  }

  /// An exact float literal: C++17 hexadecimal floating point.
  static std::string floatLiteral(const llvm::APFloat &value) {
    if (value.isNaN())
      return "__builtin_nanf(\"\")";
    if (value.isInfinity())
      return value.isNegative() ? "-__builtin_huge_valf()" : "__builtin_huge_valf()";
    char buffer[64];
    snprintf(buffer, sizeof buffer, "%af", value.convertToFloat());
    return buffer;
  }

  static StringRef cmpfSpelling(arith::CmpFPredicate predicate) {
    switch (predicate) {
    case arith::CmpFPredicate::OEQ: return "==";
    case arith::CmpFPredicate::UNE: return "!=";
    case arith::CmpFPredicate::OLT: return "<";
    case arith::CmpFPredicate::OLE: return "<=";
    case arith::CmpFPredicate::OGT: return ">";
    case arith::CmpFPredicate::OGE: return ">=";
    default: return "";  // the spec language makes no other float compares
    }
  }

  /// KeySplit: the op's value at k0, the same expression over its operands'
  /// parts (a term free of k is its own part), emitted beside it.
  void emitPart(Operation &op) {
    llvm::SmallVector<std::pair<Value, std::string>, 2> saved;
    for (Value v : op.getOperands())
      if (auto part = partName.find(v); part != partName.end()) {
        saved.push_back({v, names[v]});
        names[v] = part->second;
      }
    std::optional<std::string> expr = expression(op);
    for (auto &[v, original] : saved)
      names[v] = original;
    Value result = op.getResult(0);
    const std::string var = get(result) + "_k0";
    os << indent << "const " << cppType(result) << " " << var << " = " << *expr << ";\n";
    partName[result] = var;
  }

  /// x, where `select` is abs(x) as the front end writes it: x < 0 ? 0 - x : x.
  static std::optional<Value> absOperand(arith::SelectOp select) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
    auto negation = select.getTrueValue().getDefiningOp<arith::SubIOp>();
    if (!cmp || !negation || cmp.getPredicate() != arith::CmpIPredicate::slt)
      return std::nullopt;
    Value x = select.getFalseValue();
    auto isZero = [](Value v) {
      auto c = v.getDefiningOp<arith::ConstantIntOp>();
      return c && c.value() == 0;
    };
    if (cmp.getLhs() != x || !isZero(cmp.getRhs()) || !isZero(negation.getLhs()) ||
        negation.getRhs() != x)
      return std::nullopt;
    return x;
  }

  /// float(v) as float(part at k0) ± float(c), where KeySplit knows that form of v (or of
  /// x, for v = abs(x)); nullopt otherwise.
  std::optional<std::string> splitConversion(Value v) {
    if (!split)
      return std::nullopt;
    auto form = [&](Value x) -> std::optional<std::string> {
      const int sign = keySign.lookup(x);
      if (sign == 0)
        return std::nullopt;
      return "(float(" + partName.find(x)->second + ") " + (sign > 0 ? "+" : "-") + " float(" +
             split->column + "))";
    };
    if (auto abs = absOf.find(v); abs != absOf.end())
      if (std::optional<std::string> x = form(abs->second))
        return "fabsf" + *x;
    return form(v);
  }

  /// Float ops of score hooks, or nullopt.
  std::optional<std::string> floatExpression(Operation &op) {
    return llvm::TypeSwitch<Operation *, std::optional<std::string>>(&op)
        .Case([&](arith::ConstantOp c) -> std::optional<std::string> {
          auto value = dyn_cast<FloatAttr>(c.getValue());
          if (!value)
            return std::nullopt;
          return floatLiteral(value.getValue());
        })
        .Case([&](arith::AddFOp) { return bin(op, "+"); })
        .Case([&](arith::SubFOp) { return bin(op, "-"); })
        .Case([&](arith::MulFOp) { return bin(op, "*"); })
        .Case([&](arith::DivFOp) { return call(op, "attn::device::div_f32"); })
        .Case([&](arith::NegFOp) { return "-" + get(op.getOperand(0)); })
        .Case([&](arith::SIToFPOp) {
          return splitConversion(op.getOperand(0)).value_or("float(" + get(op.getOperand(0)) + ")");
        })
        .Case([&](arith::MaximumFOp) { return call(op, "fmaxf"); })
        .Case([&](arith::MinimumFOp) { return call(op, "fminf"); })
        .Case([&](math::TanhOp) { return call(op, "attn::device::tanh_f32"); })
        .Case([&](math::ExpOp) { return call(op, "attn::device::exp_f32"); })
        .Case([&](math::Exp2Op) { return call(op, "attn::device::exp2_f32"); })
        .Case([&](math::LogOp) { return call(op, "attn::device::log_f32"); })
        .Case([&](math::AbsFOp) { return call(op, "fabsf"); })
        .Case([&](arith::SelectOp) { return select(op); })
        .Default([](Operation *) { return std::nullopt; });
  }

  std::string select(Operation &op) {
    return get(op.getOperand(0)) + " ? " + operand(op, 1) + " : " + operand(op, 2);
  }

  /// Runtime data come from the kernel parameters `p`, which every hook takes.
  static std::string paramExpression(tile::ParamOp param) {
    bool isFloat = param.getValue().getType().isF32();
    return (isFloat ? "p.float_params[" : "p.int_params[") + std::to_string(param.getIndex()) +
           "]";
  }

  std::string readExpression(tile::ReadOp read) {
    Type dtype = read.getDtype();
    StringRef reader = dtype.isInteger(32) ? "read_i32"
                       : dtype.isF32()     ? "read_f32"
                       : dtype.isF16()     ? "read_f16"
                                           : "read_bf16";
    std::string tensor = "p.tensors[" + std::to_string(read.getSlot()) + "]";
    std::string offset = "attn::device::tensor_offset(" + tensor;
    for (Value index : read.getIndices())
      offset += ", " + get(index);
    return ("attn::device::" + reader + "(").str() + tensor + ", " + offset + "))";
  }

  static StringRef cmpSpelling(arith::CmpIPredicate predicate) {
    switch (predicate) {
    case arith::CmpIPredicate::eq: return "==";
    case arith::CmpIPredicate::ne: return "!=";
    case arith::CmpIPredicate::slt: return "<";
    case arith::CmpIPredicate::sle: return "<=";
    case arith::CmpIPredicate::sgt: return ">";
    case arith::CmpIPredicate::sge: return ">=";
    default: return "";  // unsigned compares never come from a spec
    }
  }

  /// The C++ expression for `op`, or nullopt if it has none. i1 and/or/xor are
  /// logical operators (`&&`, `||`, `!=`) so the result stays a bool.
  std::optional<std::string> expression(Operation &op) {
    if (op.getNumResults() != 1)
      return std::nullopt;
    if (auto param = dyn_cast<tile::ParamOp>(op))
      return paramExpression(param);
    if (auto read = dyn_cast<tile::ReadOp>(op))
      return readExpression(read);
    if (auto coord = dyn_cast<tile::GridCoordOp>(op))
      return "attn::device::grid_coord(" + get(coord.getIndex()) + ", " +
             std::to_string(coord.getStride()) + ", " + std::to_string(coord.getSize()) + ")";
    Type type = op.getResult(0).getType();
    if (type.isF32())
      return floatExpression(op);
    if (auto cmpf = dyn_cast<arith::CmpFOp>(op)) {
      StringRef spelling = cmpfSpelling(cmpf.getPredicate());
      if (spelling.empty())
        return std::nullopt;
      return bin(op, spelling);
    }
    if (!type.isInteger(1) && !type.isInteger(64))
      return std::nullopt;
    bool logical = type.isInteger(1);
    return llvm::TypeSwitch<Operation *, std::optional<std::string>>(&op)
        .Case([&](arith::ConstantOp c) -> std::optional<std::string> {
          auto value = dyn_cast<IntegerAttr>(c.getValue());
          if (!value)
            return std::nullopt;
          if (logical)
            return std::string(value.getValue().isZero() ? "false" : "true");
          return (narrowOp(op) ? "int32_t(" : "int64_t(") + std::to_string(value.getInt()) + ")";
        })
        .Case([&](arith::AddIOp) { return bin(op, "+"); })
        .Case([&](arith::SubIOp) { return bin(op, "-"); })
        .Case([&](arith::MulIOp) { return bin(op, "*"); })
        .Case([&](arith::DivSIOp) { return intCall(op, "div_or_zero"); })
        .Case([&](arith::RemSIOp) { return intCall(op, "rem_or_zero"); })
        .Case([&](arith::FloorDivSIOp) { return intCall(op, "floor_div"); })
        .Case([&](arith::CeilDivSIOp) { return intCall(op, "ceil_div"); })
        .Case([&](arith::MinSIOp) { return intCall(op, "min"); })
        .Case([&](arith::MaxSIOp) { return intCall(op, "max"); })
        .Case([&](arith::ShLIOp) { return intCall(op, "shl"); })
        .Case([&](arith::ShRSIOp) { return intCall(op, "shr"); })
        .Case([&](math::CountLeadingZerosOp) { return intCall(op, "ctlz"); })
        .Case([&](arith::AndIOp) -> std::optional<std::string> {
          return logical ? bin(op, "&&") : std::optional<std::string>();
        })
        .Case([&](arith::OrIOp) -> std::optional<std::string> {
          return logical ? bin(op, "||") : std::optional<std::string>();
        })
        .Case([&](arith::XOrIOp) -> std::optional<std::string> {
          return logical ? bin(op, "!=") : std::optional<std::string>();
        })
        .Case([&](arith::CmpIOp cmp) -> std::optional<std::string> {
          StringRef spelling = cmpSpelling(cmp.getPredicate());
          if (spelling.empty())
            return std::nullopt;
          return bin(op, spelling);
        })
        .Case([&](arith::SelectOp) { return select(op); })
        .Default([](Operation *) { return std::nullopt; });
  }

  raw_ostream &os;
  std::string indent;
  KvScan scanKind;
  llvm::DenseMap<Value, IntRange> ranges;
  llvm::DenseMap<Value, std::string> names;
  unsigned counter = 0;

  /// KeySplit: v = (v at k0) + sign·c for the values in keySign (a sign of
  /// 0: k cancels); the C++ names of the parts emitted so far.
  std::optional<KeySplit> split;
  llvm::DenseMap<Value, int> keySign;
  llvm::DenseMap<Value, Value> absOf; ///< abs(x) → x
  llvm::DenseSet<Value> partsNeeded;
  llvm::DenseMap<Value, std::string> partName;
};

} // namespace

llvm::DenseSet<Value> valuesComputedFrom(Block &block, Value value) {
  llvm::DenseSet<Value> values{value};
  for (Operation &op : block.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value v) { return values.contains(v); }))
      values.insert(op.result_begin(), op.result_end());
  return values;
}

/// The ops of `block` that `results` need, stopping at the values in `given`.
static llvm::DenseSet<Operation *> neededOps(Block &block, ArrayRef<Value> results,
                                             const llvm::DenseMap<Value, std::string> &given) {
  llvm::DenseSet<Operation *> needed;
  SmallVector<Value> work(results.begin(), results.end());
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Operation *op = v.getDefiningOp();
    if (!op || op->getBlock() != &block || given.contains(v) || !needed.insert(op).second)
      continue;
    llvm::append_range(work, op->getOperands());
  }
  return needed;
}

FailureOr<SmallVector<std::string>> emitScalarBlock(Block &block,
                                                    ArrayRef<std::string> argNames,
                                                    raw_ostream &os, StringRef indent,
                                                    const ScalarBlockOptions &options) {
  SmallVector<IntRange> argRanges;
  for (const std::string &name : argNames)
    argRanges.push_back(hookArgumentRange(name));
  ScalarEmitter emitter(os, indent, options.scan, deriveIndexRanges(block, argRanges));
  for (auto [arg, name] : llvm::zip(block.getArguments(), argNames))
    emitter.name(arg, name);
  for (auto &[value, name] : options.given)
    emitter.name(value, name);
  if (options.split)
    emitter.splitKey(block, block.getArgument(options.split->keyArg), *options.split);
  llvm::DenseMap<Value, std::string> points;
  for (auto [arg, point] : llvm::zip(block.getArguments(), options.gridPointNames))
    if (!point.empty())
      points[arg] = point;
  SmallVector<Value> results = options.results;
  if (results.empty())
    llvm::append_range(results, block.getTerminator()->getOperands());
  const llvm::DenseSet<Operation *> needed = neededOps(block, results, options.given);
  for (Operation &op : block.without_terminator()) {
    if (!needed.contains(&op))
      continue;
    auto coord = dyn_cast<tile::GridCoordOp>(op);
    auto point = coord ? points.find(coord.getIndex()) : points.end();
    if (point != points.end()) {
      emitter.name(coord.getCoord(),
                   point->second + ".axis[" + std::to_string(coord.getAxis()) + "]");
      continue;
    }
    if (failed(emitter.emit(op)))
      return failure();
  }
  SmallVector<std::string> names;
  for (Value result : results) {
    names.push_back(emitter.get(result));
    if (options.resultTypes)
      options.resultTypes->push_back(emitter.declaredType(result).str());
  }
  return names;
}

} // namespace attnc::codegen
