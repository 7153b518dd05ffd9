//===- AttnOps.cpp - attn dialect operations ------------------------------===//

#include "dialects/Attn/IR/AttnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

/// Names of the mask block arguments, in order; also their printed names.
static constexpr llvm::StringLiteral kMaskArgNames[] = {"b", "h",  "q",
                                                        "k", "sq", "skv"};
static_assert(std::size(kMaskArgNames) == AttentionOp::kNumMaskArgs,
              "one name per mask argument");

/// Names of the score block arguments, in order; also their printed names.
/// The score comes first, then the mask's arguments, then the head count.
static constexpr llvm::StringLiteral kScoreArgNames[] = {
    "s", "b", "h", "q", "k", "sq", "skv", "hq"};
static_assert(std::size(kScoreArgNames) == AttentionOp::kNumScoreArgs,
              "one name per score argument");

/// Names of the sink block arguments, in order; also their printed names.
static constexpr llvm::StringLiteral kSinkArgNames[] = {"b", "h", "hq"};
static_assert(std::size(kSinkArgNames) == AttentionOp::kNumSinkArgs,
              "one name per sink argument");

/// Modes that attnc can compile today.
static constexpr llvm::StringLiteral kSupportedModes[] = {"forward"};

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

void AttentionOp::build(OpBuilder &builder, OperationState &state,
                        StringRef name, int64_t headDim, Type elementType,
                        ArrayRef<StringRef> modes) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getHeadDimAttrName(state.name),
                     builder.getI64IntegerAttr(headDim));
  state.addAttribute(getElementTypeAttrName(state.name),
                     TypeAttr::get(elementType));
  state.addAttribute(getModesAttrName(state.name),
                     builder.getStrArrayAttr(modes));
  Region *mask = state.addRegion();
  Block *block = new Block();
  mask->push_back(block);
  SmallVector<Type> argTypes(kNumMaskArgs, builder.getI64Type());
  SmallVector<Location> argLocs(kNumMaskArgs, state.location);
  block->addArguments(argTypes, argLocs);
  // The score region starts empty: the identity; the sink region too: none.
  state.addRegion();
  state.addRegion();
}

Block &AttentionOp::addSinkBlock() {
  assert(!hasSink() && "the sink region already has its block");
  Builder builder(getContext());
  Block *block = new Block();
  getSink().push_back(block);
  SmallVector<Type> argTypes(kNumSinkArgs, builder.getI64Type());
  SmallVector<Location> argLocs(kNumSinkArgs, getLoc());
  block->addArguments(argTypes, argLocs);
  return *block;
}

Block &AttentionOp::addScoreBlock() {
  assert(!hasScore() && "the score region already has its block");
  Builder builder(getContext());
  Block *block = new Block();
  getScore().push_back(block);
  SmallVector<Type> argTypes(kNumScoreArgs, builder.getI64Type());
  argTypes[0] = builder.getF32Type();
  SmallVector<Location> argLocs(kNumScoreArgs, getLoc());
  block->addArguments(argTypes, argLocs);
  return *block;
}

LogicalResult AttentionOp::verify() {
  int64_t headDim = getHeadDimAttr().getInt();
  if (headDim != 64 && headDim != 128 && headDim != 256)
    return emitOpError("head_dim must be 64, 128 or 256, got ") << headDim;

  Type elementType = getElementType();
  if (!elementType.isF16() && !elementType.isBF16())
    return emitOpError("element_type must be f16 or bf16, got ") << elementType;

  ArrayAttr modes = getModes();
  if (modes.empty())
    return emitOpError("modes must list at least one mode");
  llvm::SmallSet<StringRef, 4> seen;
  for (StringAttr mode : modes.getAsRange<StringAttr>()) {
    if (!llvm::is_contained(kSupportedModes, mode.getValue()))
      return emitOpError("unsupported mode \"")
             << mode.getValue() << "\" (supported: \"forward\")";
    if (!seen.insert(mode.getValue()).second)
      return emitOpError("mode \"") << mode.getValue() << "\" is listed twice";
  }
  if (std::optional<ArrayRef<int64_t>> grid = getGrid()) {
    if (grid->empty() || grid->size() > 3)
      return emitOpError("grid must have 1 to 3 axes, got ") << grid->size();
    int64_t tokens = 1;
    for (int64_t size : *grid) {
      if (size < 1)
        return emitOpError("grid sizes must be positive");
      tokens *= size;
      if (tokens > std::numeric_limits<int32_t>::max())
        return emitOpError("grid has more than 2^31 - 1 tokens");
    }
  }
  return verifyRouting();
}

/// The list is the declared i32 tensor of shape [("b")?, ("hq")?,
/// "sq/block", listed] that the attribute describes.
LogicalResult AttentionOp::verifyRouting() {
  if (!getRoutingAttr())
    return success();
  std::optional<RoutingInfo> routing = getRoutingInfo();
  if (!routing)
    return emitOpError("routing must be {batched, block, listed, per_head, tensor}");
  if (getGrid())
    return emitOpError("routing lists blocks of the token sequence; it has no form on a grid");
  ArrayAttr tensors = getTensorsAttr();
  if (!tensors || routing->tensor >= int64_t(tensors.size()))
    return emitOpError("routing names tensor slot ") << routing->tensor << ", which is not declared";
  auto decl = cast<DictionaryAttr>(tensors[routing->tensor]);
  auto dtype = decl.getAs<TypeAttr>("dtype");
  auto shape = decl.getAs<ArrayAttr>("shape");
  Builder b(getContext());
  SmallVector<Attribute> want;
  if (routing->batched)
    want.push_back(b.getStringAttr("b"));
  if (routing->perHead)
    want.push_back(b.getStringAttr("hq"));
  want.push_back(b.getStringAttr("sq/" + std::to_string(routing->block)));
  want.push_back(b.getI64IntegerAttr(routing->listed));
  if (!dtype || !dtype.getValue().isSignlessInteger(32) || shape != b.getArrayAttr(want))
    return emitOpError("the routing tensor must be i32 of shape ") << b.getArrayAttr(want);
  return success();
}

LogicalResult AttentionOp::verifyRegions() {
  Block &mask = getMaskBlock();
  if (mask.getNumArguments() != kNumMaskArgs)
    return emitOpError("mask block must have 6 i64 arguments "
                       "(b, h, q, k, sq, skv), got ")
           << mask.getNumArguments();
  for (auto [index, arg] : llvm::enumerate(mask.getArguments()))
    if (!arg.getType().isSignlessInteger(64))
      return emitOpError("mask argument #")
             << index << " (" << kMaskArgNames[index] << ") must be i64, got "
             << arg.getType();
  if (mask.empty() || !isa<YieldOp>(mask.back()))
    return emitOpError("mask block must end in attn.yield");

  if (hasSink()) {
    Block &sink = getSinkBlock();
    if (sink.getNumArguments() != kNumSinkArgs)
      return emitOpError("sink block must have 3 i64 arguments "
                         "(b, h, hq), got ")
             << sink.getNumArguments();
    for (auto [index, arg] : llvm::enumerate(sink.getArguments()))
      if (!arg.getType().isSignlessInteger(64))
        return emitOpError("sink argument #")
               << index << " (" << kSinkArgNames[index]
               << ") must be i64, got " << arg.getType();
    if (sink.empty() || !isa<YieldOp>(sink.back()))
      return emitOpError("sink block must end in attn.yield");
  }

  if (!hasScore())
    return success();
  Block &score = getScoreBlock();
  if (score.getNumArguments() != kNumScoreArgs)
    return emitOpError("score block must have 8 arguments "
                       "(s: f32, b, h, q, k, sq, skv, hq: i64), got ")
           << score.getNumArguments();
  for (auto [index, arg] : llvm::enumerate(score.getArguments())) {
    bool isScore = index == 0;
    Type type = arg.getType();
    if (isScore ? !type.isF32() : !type.isSignlessInteger(64))
      return emitOpError("score argument #")
             << index << " (" << kScoreArgNames[index] << ") must be "
             << (isScore ? "f32" : "i64") << ", got " << type;
  }
  if (score.empty() || !isa<YieldOp>(score.back()))
    return emitOpError("score block must end in attn.yield");
  return success();
}

void AttentionOp::getAsmBlockArgumentNames(Region &region,
                                           OpAsmSetValueNameFn setNameFn) {
  if (region.empty())
    return;
  ArrayRef<llvm::StringLiteral> names = kMaskArgNames;
  if (&region == &getScore())
    names = kScoreArgNames;
  else if (&region == &getSink())
    names = kSinkArgNames;
  for (auto [arg, name] : llvm::zip(region.front().getArguments(), names))
    setNameFn(arg, name);
}

YieldOp AttentionOp::getMaskYieldOp() {
  return cast<YieldOp>(getMaskBlock().getTerminator());
}

Value AttentionOp::getMaskYield() { return getMaskYieldOp().getValues()[0]; }

YieldOp AttentionOp::getScoreYieldOp() {
  return cast<YieldOp>(getScoreBlock().getTerminator());
}

Value AttentionOp::getScoreYield() { return getScoreYieldOp().getValues()[0]; }

Value AttentionOp::getSinkYield() {
  return cast<YieldOp>(getSinkBlock().getTerminator()).getValues()[0];
}

bool AttentionOp::hasMode(StringRef mode) {
  return llvm::any_of(getModes().getAsRange<StringAttr>(),
                      [&](StringAttr m) { return m.getValue() == mode; });
}

//===----------------------------------------------------------------------===//
// CausalOp
//===----------------------------------------------------------------------===//

// Custom form, so that the alignment is always printed (also when it is the
// default, as in the contract's example) and may be left out when parsing:
//   %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<...>}
ParseResult CausalOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand, 4> operands;
  if (parser.parseOperandList(operands, /*requiredOperandCount=*/4) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  Builder &builder = parser.getBuilder();
  if (parser.resolveOperands(operands, builder.getI64Type(), result.operands))
    return failure();
  StringAttr alignmentName = getAlignmentAttrName(result.name);
  if (!result.attributes.get(alignmentName))
    result.addAttribute(
        alignmentName,
        AlignmentAttr::get(builder.getContext(), Alignment::bottom_right));
  result.addTypes(builder.getI1Type());
  return success();
}

void CausalOp::print(OpAsmPrinter &printer) {
  printer << ' ' << getOperands();
  NamedAttrList attrs;
  attrs.append(getAlignmentAttrName(), getAlignmentAttr());
  attrs.append((*this)->getDiscardableAttrs());
  printer.printOptionalAttrDict(attrs.getAttrs());
}

/// The causal predicate on concrete indices.
static bool isKept(Alignment alignment, int64_t q, int64_t k, int64_t sq,
                   int64_t skv) {
  if (alignment == Alignment::top_left)
    return k <= q;
  return k <= q + (skv - sq);
}

OpFoldResult CausalOp::fold(FoldAdaptor adaptor) {
  Builder builder(getContext());

  // All four indices known: evaluate.
  auto q = dyn_cast_if_present<IntegerAttr>(adaptor.getQuery());
  auto k = dyn_cast_if_present<IntegerAttr>(adaptor.getKey());
  auto sq = dyn_cast_if_present<IntegerAttr>(adaptor.getQueryLen());
  auto skv = dyn_cast_if_present<IntegerAttr>(adaptor.getKeyLen());
  if (q && k && sq && skv)
    return builder.getBoolAttr(isKept(getAlignment(), q.getInt(), k.getInt(),
                                      sq.getInt(), skv.getInt()));

  // skv - sq == 0: bottom_right and top_left are the same mask; prefer the
  // simpler top_left (updated in place).
  bool updated = false;
  if (getAlignment() == Alignment::bottom_right &&
      getQueryLen() == getKeyLen()) {
    setAlignment(Alignment::top_left);
    updated = true;
  }

  // top_left with k == q: k <= k always holds.
  if (getAlignment() == Alignment::top_left && getQuery() == getKey())
    return builder.getBoolAttr(true);

  return updated ? OpFoldResult(getResult()) : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

LogicalResult YieldOp::verify() {
  // The parent is an AttentionOp (HasParent): its mask yields one i1, its
  // score and sink regions one f32.
  auto attention = cast<AttentionOp>((*this)->getParentOp());
  Region *parent = (*this)->getParentRegion();
  bool inSink = parent == &attention.getSink();
  bool inScore = inSink || parent == &attention.getScore();
  StringRef region = inSink ? "sink" : inScore ? "score" : "mask";
  StringRef expected = inScore ? "f32" : "i1";
  if (getValues().size() != 1)
    return emitOpError() << region << " must yield exactly one " << expected
                         << ", got " << getValues().size() << " values";
  Type type = getValues()[0].getType();
  if (inScore ? !type.isF32() : !type.isSignlessInteger(1))
    return emitOpError() << region << " must yield " << expected << ", got "
                         << type;
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ParamOp, ReadOp
//===----------------------------------------------------------------------===//

/// The declaration `slot` of `list` (an attention's `tensors` or `params`).
static FailureOr<DictionaryAttr> lookupDecl(Operation *op,
                                            std::optional<ArrayAttr> list,
                                            int64_t slot, StringRef what) {
  if (!list || slot < 0 || slot >= static_cast<int64_t>(list->size()))
    return op->emitOpError("slot ")
           << slot << " names no " << what << " of the enclosing attn.attention";
  return cast<DictionaryAttr>((*list)[slot]);
}

LogicalResult ParamOp::verify() {
  auto attention = (*this)->getParentOfType<AttentionOp>();
  if (!attention)
    return emitOpError("must be inside an attn.attention");
  FailureOr<DictionaryAttr> decl =
      lookupDecl(*this, attention.getParams(), getSlot(), "parameter");
  if (failed(decl))
    return failure();
  auto type = decl->getAs<TypeAttr>("type");
  if (!type || type.getValue() != getValue().getType())
    return emitOpError("result type ")
           << getValue().getType() << " does not match the declared parameter";
  return success();
}

LogicalResult GridCoordOp::verify() {
  auto attention = (*this)->getParentOfType<AttentionOp>();
  if (!attention)
    return emitOpError("must be inside an attn.attention");
  std::optional<ArrayRef<int64_t>> grid = attention.getGrid();
  if (!grid)
    return emitOpError("needs a 'grid' on the enclosing attn.attention");
  int64_t axis = getAxis();
  if (axis < 0 || axis >= static_cast<int64_t>(grid->size()))
    return emitOpError("axis ") << axis << " is not an axis of a grid of rank "
                                << grid->size();
  int64_t stride = 1;
  for (size_t a = axis + 1; a < grid->size(); ++a)
    stride *= (*grid)[a];
  if (getSize() != (*grid)[axis] || getStride() != stride)
    return emitOpError("size and stride must be the grid's: ")
           << (*grid)[axis] << " and " << stride;
  return success();
}

LogicalResult ReadOp::verify() {
  auto attention = (*this)->getParentOfType<AttentionOp>();
  if (!attention)
    return emitOpError("must be inside an attn.attention");
  FailureOr<DictionaryAttr> decl =
      lookupDecl(*this, attention.getTensors(), getSlot(), "tensor");
  if (failed(decl))
    return failure();
  auto dtype = decl->getAs<TypeAttr>("dtype");
  auto shape = decl->getAs<ArrayAttr>("shape");
  if (!dtype || !shape)
    return emitOpError("tensor declaration needs 'dtype' and 'shape'");
  if (shape.size() != getIndices().size())
    return emitOpError("takes ") << shape.size() << " indices, got "
                                 << getIndices().size();
  Type expected = dtype.getValue().isInteger(32)
                      ? Type(IntegerType::get(getContext(), 64))
                      : Type(Float32Type::get(getContext()));
  if (getValue().getType() != expected)
    return emitOpError("a ") << dtype.getValue() << " tensor reads as "
                             << expected << ", not " << getValue().getType();
  return success();
}
