//===- TileOps.cpp - tile dialect operations ------------------------------===//

#include "dialects/Tile/IR/TileOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tile;

/// Block argument names of tile.mask_fn, tile.score_fn, tile.sink_fn,
/// tile.row_keys and tile.kv_bounds
/// (also printed). The score s of score_fn is f32, every other argument i64.
static constexpr llvm::StringLiteral kMaskFnArgNames[] = {"b", "h",  "q",
                                                          "k", "sq", "skv"};
static constexpr llvm::StringLiteral kScoreFnArgNames[] = {
    "s", "b", "h", "q", "k", "sq", "skv", "hq"};
static constexpr llvm::StringLiteral kSinkFnArgNames[] = {"b", "h", "hq"};
static constexpr llvm::StringLiteral kKvBoundsArgNames[] = {"q_tile", "sq",
                                                            "skv"};
static constexpr llvm::StringLiteral kRowKeysArgNames[] = {"q", "sq", "skv"};
static_assert(std::size(kMaskFnArgNames) == MaskFnOp::kNumArgs);
static_assert(std::size(kScoreFnArgNames) == ScoreFnOp::kNumArgs);
static_assert(std::size(kSinkFnArgNames) == SinkFnOp::kNumArgs);
static_assert(std::size(kKvBoundsArgNames) == KvBoundsOp::kNumArgs);
static_assert(std::size(kRowKeysArgNames) == RowKeysOp::kNumArgs);

/// Modes that a kernel can implement today.
static constexpr llvm::StringLiteral kSupportedModes[] = {"forward"};

/// Adds `state`'s single region with one block of `types` arguments.
static void addEntryBlock(OperationState &state, ArrayRef<Type> types) {
  Region *region = state.addRegion();
  Block *block = new Block();
  region->push_back(block);
  SmallVector<Location> locs(types.size(), state.location);
  block->addArguments(types, locs);
}

/// addEntryBlock() with `numArgs` i64 arguments.
static void addEntryBlockWithI64Args(OpBuilder &builder, OperationState &state,
                                     unsigned numArgs) {
  SmallVector<Type> types(numArgs, builder.getI64Type());
  addEntryBlock(state, types);
}

/// Checks that the single block of `op` has `names.size()` arguments, all
/// i64 but a leading f32 score when `scoreFirst`, and ends in tile.yield
/// (whose operands YieldOp::verify checks).
static LogicalResult verifyHookBlock(Operation *op, Block &block,
                                     ArrayRef<llvm::StringLiteral> names,
                                     bool scoreFirst) {
  if (block.getNumArguments() != names.size()) {
    InFlightDiagnostic diag = op->emitOpError("block must have ")
                              << names.size();
    ArrayRef<llvm::StringLiteral> indices = names;
    if (scoreFirst) {
      diag << " arguments (" << names.front() << ": f32, ";
      indices = names.drop_front();
    } else {
      diag << " i64 arguments (";
    }
    llvm::interleaveComma(indices, diag);
    if (scoreFirst)
      diag << ": i64";
    return diag << "), got " << block.getNumArguments();
  }
  for (auto [index, arg] : llvm::enumerate(block.getArguments())) {
    bool isScore = scoreFirst && index == 0;
    Type type = arg.getType();
    if (isScore ? !type.isF32() : !type.isSignlessInteger(64))
      return op->emitOpError("argument #")
             << index << " (" << names[index] << ") must be "
             << (isScore ? "f32" : "i64") << ", got " << type;
  }
  if (block.empty() || !isa<YieldOp>(block.back()))
    return op->emitOpError("block must end in tile.yield");
  return success();
}

static void setHookArgNames(Region &region, ArrayRef<llvm::StringLiteral> names,
                            OpAsmSetValueNameFn setNameFn) {
  if (region.empty())
    return;
  for (auto [arg, name] : llvm::zip(region.front().getArguments(), names))
    setNameFn(arg, name);
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

void KernelOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                     ConfigAttr config, Type elementType, int64_t headDim,
                     StringRef mode) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getConfigAttrName(state.name), config);
  state.addAttribute(getElementTypeAttrName(state.name),
                     TypeAttr::get(elementType));
  state.addAttribute(getHeadDimAttrName(state.name),
                     builder.getI64IntegerAttr(headDim));
  state.addAttribute(getModeAttrName(state.name), builder.getStringAttr(mode));
  state.addRegion()->push_back(new Block());
}

LogicalResult KernelOp::verify() {
  int64_t headDim = getHeadDimAttr().getInt();
  if (headDim != 64 && headDim != 128 && headDim != 256)
    return emitOpError("head_dim must be 64, 128 or 256, got ") << headDim;
  Type elementType = getElementType();
  if (!elementType.isF16() && !elementType.isBF16())
    return emitOpError("element_type must be f16 or bf16, got ") << elementType;
  if (!llvm::is_contained(kSupportedModes, getMode()))
    return emitOpError("unsupported mode \"")
           << getMode() << "\" (supported: \"forward\")";
  if (failed(verifyGridTiling()))
    return failure();
  return verifyRouting();
}

/// A routed kernel's blocks are whole q tiles and kv tiles of the sequence.
LogicalResult KernelOp::verifyRouting() {
  if (!getRoutingAttr())
    return success();
  std::optional<RoutingInfo> routing = getRoutingInfo();
  if (!routing)
    return emitOpError("routing must be {batched, block, listed, per_head, tensor}");
  if (tilesGrid())
    return emitOpError("routing lists blocks of the token sequence; a kernel that tiles a "
                       "grid in N-d cannot have it");
  if (routing->block % getConfig().getBlockM() != 0 ||
      routing->block % getConfig().getBlockN() != 0)
    return emitOpError("routing block ")
           << routing->block << " must be a multiple of the q tile (" << getConfig().getBlockM()
           << " rows) and the kv tile (" << getConfig().getBlockN() << " keys)";
  return success();
}

/// A grid of 1 to 3 positive sizes; boxes only with a grid of 2 or 3 axes
/// (one axis is a sequence) and both or neither, of its rank, covering
/// block_m and block_n tokens. Either kernel family may tile a grid in N-d.
LogicalResult KernelOp::verifyGridTiling() {
  std::optional<ArrayRef<int64_t>> grid = getGrid();
  std::optional<ArrayRef<int64_t>> qBox = getQBox(), kvBox = getKvBox();
  if (!grid) {
    if (qBox || kvBox)
      return emitOpError("q_box and kv_box need a grid");
    return success();
  }
  if (grid->empty() || grid->size() > 3 || llvm::any_of(*grid, [](int64_t n) { return n < 1; }))
    return emitOpError("grid must have 1 to 3 positive sizes");
  if (!qBox && !kvBox)
    return success();
  if (!qBox || !kvBox)
    return emitOpError("q_box and kv_box come together");
  if (getConfig().getEpilogue() == Epilogue::tma)
    return emitOpError("epilogue = tma stores rows of a sequence; a kernel with q_box tiles a "
                       "grid in boxes of tokens (epilogue = direct)");
  if (grid->size() < 2)
    return emitOpError("q_box and kv_box need a grid of 2 or 3 axes: a grid of one axis is "
                       "tiled as the token sequence");
  auto check = [&](ArrayRef<int64_t> box, int64_t rows, StringRef name) -> LogicalResult {
    int64_t product = 1;
    for (int64_t extent : box)
      product *= extent;
    if (box.size() != grid->size() || llvm::any_of(box, [](int64_t n) { return n < 1; }) ||
        product != rows)
      return emitOpError(name) << " must have one positive extent per grid axis, "
                               << rows << " tokens in all";
    return success();
  };
  if (failed(check(*qBox, getConfig().getBlockM(), "q_box")))
    return failure();
  return check(*kvBox, getConfig().getBlockN(), "kv_box");
}

/// The body is a fixed schedule: hooks, prologue, kv loops, epilogue.
LogicalResult KernelOp::verifyRegions() {
  unsigned numMaskFns = 0, numScoreFns = 0, numSinkFns = 0, numRowKeys = 0, numKvBounds = 0,
           numLoadQs = 0, numEpilogues = 0;
  bool seenLoop = false;
  // The non-empty loops, and whether each applies the score.
  SmallVector<std::pair<KvLoopOp, bool>, 6> loops;
  // (range, span) of the previous loop: loops come in that order.
  std::optional<std::pair<int64_t, KvSpan>> lastLoop;
  unsigned numRanges = 0;
  Operation *lastOp = nullptr;
  for (Operation &op : *getBody()) {
    lastOp = &op;
    if (!isa_and_present<TileDialect>(op.getDialect()))
      return emitOpError("body may contain only tile ops, found '")
             << op.getName() << "'";
    // A prologue op after the first loop would run after the loop it feeds.
    auto requireBeforeLoops = [&](StringRef what) -> LogicalResult {
      if (seenLoop)
        return emitOpError() << what << " must come before every tile.kv_loop";
      return success();
    };
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](MaskFnOp) -> LogicalResult {
              if (++numMaskFns > 1)
                return emitOpError("must contain exactly one tile.mask_fn, "
                                   "found a second one");
              return requireBeforeLoops("tile.mask_fn");
            })
            .Case([&](ScoreFnOp) -> LogicalResult {
              if (++numScoreFns > 1)
                return emitOpError("must contain at most one tile.score_fn, "
                                   "found a second one");
              if (numMaskFns == 0 || numKvBounds > 0)
                return emitOpError("tile.score_fn must come after "
                                   "tile.mask_fn and before tile.kv_bounds");
              if (numSinkFns > 0)
                return emitOpError("tile.score_fn must come before "
                                   "tile.sink_fn");
              return requireBeforeLoops("tile.score_fn");
            })
            .Case([&](SinkFnOp) -> LogicalResult {
              if (++numSinkFns > 1)
                return emitOpError("must contain at most one tile.sink_fn, "
                                   "found a second one");
              if (numMaskFns == 0 || numKvBounds > 0)
                return emitOpError("tile.sink_fn must come after "
                                   "tile.mask_fn and before tile.kv_bounds");
              return requireBeforeLoops("tile.sink_fn");
            })
            .Case([&](RowKeysOp) -> LogicalResult {
              if (++numRowKeys > 1)
                return emitOpError("must contain at most one tile.row_keys, "
                                   "found a second one");
              if (numMaskFns == 0 || numKvBounds > 0)
                return emitOpError("tile.row_keys must come after "
                                   "tile.mask_fn and before tile.kv_bounds");
              return requireBeforeLoops("tile.row_keys");
            })
            .Case([&](KvBoundsOp bounds) -> LogicalResult {
              if (!bounds.getBody()->empty() &&
                  isa<YieldOp>(bounds.getBody()->back()))
                numRanges = bounds.getNumRanges();
              if (++numKvBounds > 1)
                return emitOpError("must contain exactly one tile.kv_bounds, "
                                   "found a second one");
              return requireBeforeLoops("tile.kv_bounds");
            })
            .Case([&](LoadQOp) -> LogicalResult {
              if (++numLoadQs > 1)
                return emitOpError("must contain exactly one tile.load_q, "
                                   "found a second one");
              return requireBeforeLoops("tile.load_q");
            })
            .Case([&](LoadOp) -> LogicalResult {
              return requireBeforeLoops("the prologue tile.load");
            })
            .Case([&](KvLoopOp loop) -> LogicalResult {
              seenLoop = true;
              KvSpan span = loop.getSpan();
              int64_t range = loop.getRange();
              // Printed as the loop prints: the range only when not 0.
              std::string loopName =
                  ("tile.kv_loop {span = " + stringifyKvSpan(span) +
                   (range != 0 ? ", range = " + std::to_string(range) : "") + "}")
                      .str();
              if (numKvBounds > 0 && (range < 0 || range >= int64_t(numRanges)))
                return emitOpError() << loopName << " names a kv range that tile.kv_bounds does not "
                          "yield (it yields "
                       << numRanges << ")";
              if ((span == KvSpan::routed) != bool(getRoutingAttr()))
                return emitOpError()
                       << loopName
                       << (span == KvSpan::routed
                               ? " needs a routed kernel (attribute routing)"
                               : " in a routed kernel: its one loop is span = routed");
              if ((span == KvSpan::boxes) != tilesGrid())
                return emitOpError()
                       << loopName
                       << (span == KvSpan::boxes
                               ? " needs a kernel that tiles a grid in N-d (attributes q_box "
                                 "and kv_box)"
                               : " in a kernel that tiles a grid in N-d: its one loop is "
                                 "span = boxes");
              if (span == KvSpan::boxes && range != 0)
                return emitOpError() << loopName
                                     << " walks the kv boxes of the grid, not a kv range";
              if (span == KvSpan::routed && numKvBounds > 0 && numRanges != 1)
                return emitOpError() << loopName << " walks one kv range; tile.kv_bounds yields "
                                     << numRanges;
              std::pair<int64_t, KvSpan> key{range, span};
              if (lastLoop && *lastLoop >= key)
                return emitOpError() << loopName << " out of order: at most one loop per span, in the "
                          "order partial_high, full, partial_low"
                       << (numRanges > 1 ? ", range 0 before range 1" : "");
              lastLoop = key;
              Block &body = *loop.getBody();
              if (!body.without_terminator().empty())
                loops.push_back({loop, !body.getOps<ApplyScoreOp>().empty()});
              return success();
            })
            .Case([&](EpilogueOp) -> LogicalResult {
              ++numEpilogues;
              return success();
            })
            .Default([](Operation *) { return success(); });
    if (failed(result))
      return failure();
  }

  if (numMaskFns == 0)
    return emitOpError("must contain exactly one tile.mask_fn, found none");
  if (numKvBounds == 0)
    return emitOpError("must contain exactly one tile.kv_bounds, found none");
  if (numLoadQs == 0)
    return emitOpError("must contain exactly one tile.load_q, found none");
  if (numEpilogues != 1)
    return emitOpError("must contain exactly one tile.epilogue, found ")
           << numEpilogues;
  if (!isa<EpilogueOp>(lastOp))
    return emitOpError("tile.epilogue must be the last op of the kernel");
  if (getRoutingAttr() && !getKvLoop(KvSpan::routed))
    return emitOpError("is routed: it must contain a tile.kv_loop {span = routed}");
  if (tilesGrid() && !getKvLoop(KvSpan::boxes))
    return emitOpError("tiles a grid in N-d: it must contain a tile.kv_loop {span = boxes}");

  // Every score goes through score_fn, in full and partial tiles alike, and
  // apply_score has nothing to call without one.
  bool hasScoreFn = numScoreFns > 0;
  for (auto [loop, appliesScore] : loops) {
    if (hasScoreFn && !appliesScore)
      return emitOpError("has a tile.score_fn, so every non-empty "
                         "tile.kv_loop must apply it: tile.kv_loop {span = ")
             << stringifyKvSpan(loop.getSpan()) << "} has no tile.apply_score";
    if (!hasScoreFn && appliesScore)
      return emitOpError("tile.kv_loop {span = ")
             << stringifyKvSpan(loop.getSpan())
             << "} has a tile.apply_score, but the kernel has no "
                "tile.score_fn";
  }
  return success();
}

MaskFnOp KernelOp::getMaskFn() {
  auto ops = getBody()->getOps<MaskFnOp>();
  return ops.empty() ? MaskFnOp() : *ops.begin();
}

ScoreFnOp KernelOp::getScoreFn() {
  auto ops = getBody()->getOps<ScoreFnOp>();
  return ops.empty() ? ScoreFnOp() : *ops.begin();
}

SinkFnOp KernelOp::getSinkFn() {
  auto ops = getBody()->getOps<SinkFnOp>();
  return ops.empty() ? SinkFnOp() : *ops.begin();
}

RowKeysOp KernelOp::getRowKeys() {
  auto ops = getBody()->getOps<RowKeysOp>();
  return ops.empty() ? RowKeysOp() : *ops.begin();
}

KvBoundsOp KernelOp::getKvBounds() {
  auto ops = getBody()->getOps<KvBoundsOp>();
  return ops.empty() ? KvBoundsOp() : *ops.begin();
}

EpilogueOp KernelOp::getEpilogue() {
  auto ops = getBody()->getOps<EpilogueOp>();
  return ops.empty() ? EpilogueOp() : *ops.begin();
}

SmallVector<KvLoopOp, 3> KernelOp::getKvLoops() {
  return llvm::to_vector<3>(getBody()->getOps<KvLoopOp>());
}

KvLoopOp KernelOp::getKvLoop(KvSpan span) {
  for (KvLoopOp loop : getBody()->getOps<KvLoopOp>())
    if (loop.getSpan() == span)
      return loop;
  return KvLoopOp();
}

//===----------------------------------------------------------------------===//
// MaskFnOp
//===----------------------------------------------------------------------===//

void MaskFnOp::build(OpBuilder &builder, OperationState &state) {
  addEntryBlockWithI64Args(builder, state, kNumArgs);
}

LogicalResult MaskFnOp::verifyRegions() {
  return verifyHookBlock(*this, *getBody(), kMaskFnArgNames,
                         /*scoreFirst=*/false);
}

void MaskFnOp::getAsmBlockArgumentNames(Region &region,
                                        OpAsmSetValueNameFn setNameFn) {
  setHookArgNames(region, kMaskFnArgNames, setNameFn);
}

YieldOp MaskFnOp::getYieldOp() { return cast<YieldOp>(getBody()->back()); }
Value MaskFnOp::getKeep() { return getYieldOp().getValues()[0]; }

//===----------------------------------------------------------------------===//
// ScoreFnOp
//===----------------------------------------------------------------------===//

void ScoreFnOp::build(OpBuilder &builder, OperationState &state) {
  SmallVector<Type> types(kNumArgs, builder.getI64Type());
  types[0] = builder.getF32Type();
  addEntryBlock(state, types);
}

LogicalResult ScoreFnOp::verifyRegions() {
  return verifyHookBlock(*this, *getBody(), kScoreFnArgNames,
                         /*scoreFirst=*/true);
}

void ScoreFnOp::getAsmBlockArgumentNames(Region &region,
                                         OpAsmSetValueNameFn setNameFn) {
  setHookArgNames(region, kScoreFnArgNames, setNameFn);
}

YieldOp ScoreFnOp::getYieldOp() { return cast<YieldOp>(getBody()->back()); }
Value ScoreFnOp::getModifiedScore() { return getYieldOp().getValues()[0]; }

//===----------------------------------------------------------------------===//
// SinkFnOp
//===----------------------------------------------------------------------===//

void SinkFnOp::build(OpBuilder &builder, OperationState &state) {
  addEntryBlockWithI64Args(builder, state, kNumArgs);
}

LogicalResult SinkFnOp::verifyRegions() {
  return verifyHookBlock(*this, *getBody(), kSinkFnArgNames,
                         /*scoreFirst=*/false);
}

void SinkFnOp::getAsmBlockArgumentNames(Region &region,
                                        OpAsmSetValueNameFn setNameFn) {
  setHookArgNames(region, kSinkFnArgNames, setNameFn);
}

YieldOp SinkFnOp::getYieldOp() { return cast<YieldOp>(getBody()->back()); }
Value SinkFnOp::getSinkLogit() { return getYieldOp().getValues()[0]; }

//===----------------------------------------------------------------------===//
// RowKeysOp
//===----------------------------------------------------------------------===//

void RowKeysOp::build(OpBuilder &builder, OperationState &state) {
  addEntryBlockWithI64Args(builder, state, kNumArgs);
}

LogicalResult RowKeysOp::verifyRegions() {
  return verifyHookBlock(*this, *getBody(), kRowKeysArgNames,
                         /*scoreFirst=*/false);
}

void RowKeysOp::getAsmBlockArgumentNames(Region &region,
                                         OpAsmSetValueNameFn setNameFn) {
  setHookArgNames(region, kRowKeysArgNames, setNameFn);
}

YieldOp RowKeysOp::getYieldOp() { return cast<YieldOp>(getBody()->back()); }
unsigned RowKeysOp::getNumIntervals() { return getYieldOp().getValues().size() / 2; }

//===----------------------------------------------------------------------===//
// KvBoundsOp
//===----------------------------------------------------------------------===//

void KvBoundsOp::build(OpBuilder &builder, OperationState &state) {
  addEntryBlockWithI64Args(builder, state, kNumArgs);
}

LogicalResult KvBoundsOp::verifyRegions() {
  return verifyHookBlock(*this, *getBody(), kKvBoundsArgNames,
                         /*scoreFirst=*/false);
}

void KvBoundsOp::getAsmBlockArgumentNames(Region &region,
                                          OpAsmSetValueNameFn setNameFn) {
  setHookArgNames(region, kKvBoundsArgNames, setNameFn);
}

YieldOp KvBoundsOp::getYieldOp() { return cast<YieldOp>(getBody()->back()); }
unsigned KvBoundsOp::getNumRanges() { return getYieldOp().getValues().size() / 4; }
Value KvBoundsOp::getBegin(unsigned range) {
  return getYieldOp().getValues()[4 * range + 0];
}
Value KvBoundsOp::getFullBegin(unsigned range) {
  return getYieldOp().getValues()[4 * range + 1];
}
Value KvBoundsOp::getFullEnd(unsigned range) {
  return getYieldOp().getValues()[4 * range + 2];
}
Value KvBoundsOp::getEnd(unsigned range) {
  return getYieldOp().getValues()[4 * range + 3];
}

//===----------------------------------------------------------------------===//
// KvLoopOp
//===----------------------------------------------------------------------===//

void KvLoopOp::build(OpBuilder &builder, OperationState &state, KvSpan span,
                     int64_t range) {
  state.addAttribute(getSpanAttrName(state.name),
                     KvSpanAttr::get(builder.getContext(), span));
  state.addAttribute(getRangeAttrName(state.name),
                     builder.getI64IntegerAttr(range));
  Region *region = state.addRegion();
  ensureTerminator(*region, builder, state.location);
}

/// A non-empty body reads: [wait k] mma_qk [apply_score] [apply_mask] [wait v]
/// online_softmax mma_pv, with loads anywhere in between. Whether apply_score
/// is there is the kernel's to check (it has a score_fn or not).
LogicalResult KvLoopOp::verifyRegions() {
  Block &body = *getBody();
  if (body.without_terminator().empty())
    return success();

  // Position of the first occurrence of each step; -1 when absent.
  int mmaQk = -1, applyScore = -1, applyMask = -1, softmax = -1, mmaPv = -1;
  int waitK = -1, waitV = -1;
  auto record = [&](int &slot, int index, StringRef name) -> LogicalResult {
    if (slot >= 0)
      return emitOpError("body must contain ") << name << " at most once";
    slot = index;
    return success();
  };
  for (auto [index, op] : llvm::enumerate(body.without_terminator())) {
    int i = static_cast<int>(index);
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](MmaQkOp) -> LogicalResult {
              return record(mmaQk, i, "tile.mma_qk");
            })
            .Case([&](ApplyScoreOp) -> LogicalResult {
              return record(applyScore, i, "tile.apply_score");
            })
            .Case([&](ApplyMaskOp) -> LogicalResult {
              return record(applyMask, i, "tile.apply_mask");
            })
            .Case([&](OnlineSoftmaxOp) -> LogicalResult {
              return record(softmax, i, "tile.online_softmax");
            })
            .Case([&](MmaPvOp) -> LogicalResult {
              return record(mmaPv, i, "tile.mma_pv");
            })
            .Case([&](WaitOp wait) -> LogicalResult {
              int &slot = wait.getOperand() == KvOperand::k ? waitK : waitV;
              if (slot < 0)
                slot = i;
              return success();
            })
            .Default([](Operation *) { return success(); });
    if (failed(result))
      return failure();
  }

  if (mmaQk < 0 || softmax < 0 || mmaPv < 0 || !(mmaQk < softmax) ||
      !(softmax < mmaPv))
    return emitOpError("body must contain tile.mma_qk, tile.online_softmax "
                       "and tile.mma_pv, in that order");

  // The score modification sees the raw scores of mma_qk, before the mask.
  if (applyScore >= 0 && applyScore != mmaQk + 1)
    return emitOpError("tile.apply_score must come right after tile.mma_qk");

  bool isFull = getSpan() == KvSpan::full;
  if (isFull && applyMask >= 0)
    return emitOpError("full tiles carry no mask code: tile.apply_mask is not "
                       "allowed in a kv_loop with span = full");
  if (!isFull && applyMask < 0)
    return emitOpError("partial tiles must be masked: tile.apply_mask is "
                       "required in a kv_loop with span = ")
           << stringifyKvSpan(getSpan());
  if (applyMask >= 0 && !(mmaQk < applyMask && applyMask < softmax))
    return emitOpError("tile.apply_mask must come after tile.mma_qk and "
                       "before tile.online_softmax");

  if (waitK < 0 || waitK > mmaQk)
    return emitOpError("tile.mma_qk reads K: a tile.wait {operand = k} must "
                       "come before it");
  if (waitV < 0 || waitV > mmaPv)
    return emitOpError("tile.mma_pv reads V: a tile.wait {operand = v} must "
                       "come before it");
  return success();
}

namespace {
/// A kv loop whose body holds only its terminator does nothing: erase it.
struct EraseEmptyKvLoop : OpRewritePattern<KvLoopOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(KvLoopOp loop,
                                PatternRewriter &rewriter) const override {
    if (!loop.getBody()->without_terminator().empty())
      return rewriter.notifyMatchFailure(loop, "body is not empty");
    rewriter.eraseOp(loop);
    return success();
  }
};
} // namespace

void KvLoopOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<EraseEmptyKvLoop>(context);
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

/// Checks that `values` are `count` values of type `type` (null when `count`
/// is 0).
static LogicalResult verifyYielded(YieldOp yield, StringRef parentName,
                                   unsigned count, Type type) {
  auto values = yield.getValues();
  bool ok = values.size() == count &&
            llvm::all_of(values.getTypes(), [&](Type t) { return t == type; });
  if (ok)
    return success();
  if (count == 0)
    return yield.emitOpError("in ") << parentName << " must yield nothing, got "
                                    << values.size() << " values";
  std::string expected, got;
  llvm::raw_string_ostream expectedOs(expected), gotOs(got);
  type.print(expectedOs);
  llvm::interleaveComma(values.getTypes(), gotOs);
  return yield.emitOpError("in ") << parentName << " must yield " << count
                                  << " " << expected << ", got (" << got << ")";
}

LogicalResult YieldOp::verify() {
  Operation *parent = (*this)->getParentOp();
  Builder builder(getContext());
  if (isa<MaskFnOp>(parent))
    return verifyYielded(*this, "tile.mask_fn", 1, builder.getI1Type());
  if (isa<ScoreFnOp>(parent))
    return verifyYielded(*this, "tile.score_fn", 1, builder.getF32Type());
  if (isa<SinkFnOp>(parent))
    return verifyYielded(*this, "tile.sink_fn", 1, builder.getF32Type());
  if (isa<RowKeysOp>(parent)) {
    // Two ends per interval, one or two intervals.
    unsigned count = getValues().size();
    bool twoIntervals = count == 2 * RowKeysOp::kMaxIntervals;
    return verifyYielded(*this, "tile.row_keys", twoIntervals ? count : 2,
                         builder.getI64Type());
  }
  if (isa<KvBoundsOp>(parent)) {
    // Four values per kv range, one or two ranges.
    unsigned count = getValues().size();
    bool twoRanges = count == 4 * KvBoundsOp::kMaxRanges;
    return verifyYielded(*this, "tile.kv_bounds", twoRanges ? count : 4,
                         builder.getI64Type());
  }
  return verifyYielded(*this, "tile.kv_loop", 0, Type());
}

//===----------------------------------------------------------------------===//
// LoadOp
//===----------------------------------------------------------------------===//

LogicalResult LoadOp::verify() {
  bool inLoop = isa<KvLoopOp>((*this)->getParentOp());
  if (getWhich() == TileWhich::first && inLoop)
    return emitOpError("which = first is the prologue load: it must be at "
                       "kernel level, not inside a tile.kv_loop");
  if (getWhich() != TileWhich::first && !inLoop)
    return emitOpError("which = ")
           << stringifyTileWhich(getWhich())
           << " must be inside a tile.kv_loop (only which = first is allowed "
              "at kernel level)";
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ParamOp, ReadOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getIndex() < 0)
    return emitOpError("index must be non-negative, got ") << getIndex();
  return success();
}

LogicalResult ReadOp::verify() {
  if (getSlot() < 0)
    return emitOpError("slot must be non-negative, got ") << getSlot();
  if (getIndices().empty() || getIndices().size() > 4)
    return emitOpError("takes 1 to 4 indices, got ") << getIndices().size();
  if (getShape().size() != getIndices().size())
    return emitOpError("has ") << getShape().size() << " dimensions but "
                               << getIndices().size() << " indices";
  Type dtype = getDtype();
  bool isInt = dtype.isInteger(32);
  if (!isInt && !dtype.isF32() && !dtype.isF16() && !dtype.isBF16())
    return emitOpError("dtype must be i32, f32, f16 or bf16, got ") << dtype;
  if (isInt != getValue().getType().isInteger(64))
    return emitOpError("a ") << dtype << " tensor reads as "
                             << (isInt ? "i64" : "f32");
  return success();
}
