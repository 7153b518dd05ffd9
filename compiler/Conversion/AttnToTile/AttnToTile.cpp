//===- AttnToTile.cpp - attn.attention → tile.kernel ----------------------===//

#include "compiler/Analysis/GridKvBox.h"
#include "compiler/Conversion/AttnToTile/Lowering.h"
#include "compiler/Conversion/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace attnc {
#define GEN_PASS_DEF_ATTNTOTILE
#include "compiler/Conversion/Passes.h.inc"
} // namespace attnc

using namespace mlir;

namespace attnc {
namespace {

/// "sm_90a" → "sm90a": the suffix of kernel symbols.
std::string symbolSuffix(const target::Target &target) {
  std::string name(target.name);
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
  return name;
}

/// One FlashAttention-2 step over kv tile j; see runtime/device/.../forward.cuh.
/// A score modification applies to every pair of every tile, before the mask.
void buildKvStep(OpBuilder &b, Location loc, bool scored, bool masked) {
  tile::WaitOp::create(b, loc, tile::KvOperand::k);
  tile::LoadOp::create(b, loc, tile::KvOperand::v, tile::TileWhich::current);
  tile::MmaQkOp::create(b, loc);
  if (scored)
    tile::ApplyScoreOp::create(b, loc);
  if (masked)
    tile::ApplyMaskOp::create(b, loc);
  tile::WaitOp::create(b, loc, tile::KvOperand::v);
  tile::LoadOp::create(b, loc, tile::KvOperand::k, tile::TileWhich::next);
  tile::OnlineSoftmaxOp::create(b, loc);
  tile::MmaPvOp::create(b, loc);
}

void buildKvLoop(OpBuilder &b, Location loc, tile::KvSpan span, int64_t range,
                 bool scored) {
  auto loop = tile::KvLoopOp::create(b, loc, span, range);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  buildKvStep(b, loc, scored, /*masked=*/span != tile::KvSpan::full);
}

/// The mask's class `mask` as the kv bounds see it: a routed loop walks one
/// kv range, so a mask of two intervals (a sink and a window) takes the
/// run-time scan's single range instead.
attn::MaskClass kvMaskClass(attn::AttentionOp attention, attn::MaskClass mask) {
  if (attention.getRoutingInfo() && numKvRanges(mask) > 1)
    mask.kind = attn::MaskKind::Generic;
  return mask;
}

/// Which kv-loop spans of one range can be non-empty for a mask (KvBounds.cpp).
SmallVector<tile::KvSpan> liveSpans(const attn::MaskClass &mask) {
  const SmallVector<tile::KvSpan> all = {tile::KvSpan::partial_high, tile::KvSpan::full,
                                         tile::KvSpan::partial_low};
  switch (mask.kind) {
  case attn::MaskKind::Dense:
  case attn::MaskKind::Causal:
    return {tile::KvSpan::partial_high, tile::KvSpan::full};
  case attn::MaskKind::Intervals: {
    // One interval with no lower end starts at key 0, so its full run does
    // too (begin = full_begin = 0). With two intervals either may be the
    // upper range, which begins mid-way.
    ArrayRef<attn::KeyInterval> intervals = mask.rows.intervals();
    if (intervals.size() == 1 && !intervals[0].lo)
      return {tile::KvSpan::partial_high, tile::KvSpan::full};
    return all;
  }
  case attn::MaskKind::Generic:
    return all;
  case attn::MaskKind::Empty:
    return {};
  }
  llvm_unreachable("unknown mask kind");
}

FailureOr<tile::KernelOp> buildForwardKernel(OpBuilder &b, attn::AttentionOp attention,
                                             const target::Target &target,
                                             std::optional<target::Launch> launch) {
  Location loc = attention.getLoc();
  Type element = attention.getElementType();
  const int64_t headDim = attention.getHeadDim();
  target::TileConfig config =
      target::chooseForwardConfig(forwardTileProblem(attention), target);
  if (launch && config.warpSpecialized())
    config.launch = *launch;
  auto configAttr = tile::ConfigAttr::getChecked(
      [&] { return attention.emitOpError(); }, b.getContext(), int64_t(target.sm),
      config.blockM, config.blockN, config.numWarps, config.stages, config.warpgroups,
      *tile::symbolizeLaunch(target::launchName(config.launch)),
      config.epilogue == target::Epilogue::Tma ? tile::Epilogue::tma : tile::Epilogue::direct);
  if (!configAttr)
    return failure();

  std::string name = (attention.getSymName() + "_forward_" + symbolSuffix(target)).str();
  auto kernel =
      tile::KernelOp::create(b, loc, name, configAttr, element, headDim, "forward");
  // A grid of two or three axes is tiled in N-d (a tile is a box of the
  // grid) by either kernel family; a grid of one axis is the token sequence.
  if (std::optional<ArrayRef<int64_t>> grid = attention.getGrid())
    kernel.setGridAttr(b.getDenseI64ArrayAttr(*grid));
  const std::optional<attn::GridBoxes> boxes = attn::chooseGridTiling(attention, config);
  if (boxes) {
    kernel.setQBoxAttr(b.getDenseI64ArrayAttr(boxes->q));
    kernel.setKvBoxAttr(b.getDenseI64ArrayAttr(boxes->kv));
  }
  std::optional<RoutingInfo> routing = attention.getRoutingInfo();
  if (routing)
    kernel.setRoutingAttr(attention.getRoutingAttr());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&kernel.getRegion().front());

  const attn::MaskClass rowMask = attn::classifyMask(attention);
  const attn::MaskClass mask = kvMaskClass(attention, rowMask);
  auto maskFn = tile::MaskFnOp::create(b, loc);
  if (failed(lowerMaskInto(attention, maskFn)))
    return failure();
  const bool scored = attention.hasScore();
  if (scored) {
    auto scoreFn = tile::ScoreFnOp::create(b, loc);
    if (failed(lowerScoreInto(attention, scoreFn)))
      return failure();
  }
  if (attention.hasSink()) {
    auto sinkFn = tile::SinkFnOp::create(b, loc);
    if (failed(lowerSinkInto(attention, sinkFn)))
      return failure();
  }
  // Partial tiles of a sequence test keys against the row's intervals where
  // the mask has them. A kernel tiling a grid in N-d keeps the mask: its kv
  // tiles are boxes, not runs of keys.
  if (!boxes && hasRowKeys(rowMask))
    buildRowKeys(tile::RowKeysOp::create(b, loc), rowMask);
  auto bounds = tile::KvBoundsOp::create(b, loc);
  buildKvBounds(bounds, mask, config);

  tile::LoadQOp::create(b, loc);
  tile::LoadOp::create(b, loc, tile::KvOperand::k, tile::TileWhich::first);
  // Range 0 (the upper one) first: kv tiles are visited from the top down.
  // A routed kernel walks the listed blocks within range 0 instead, and a
  // kernel that tiles a grid in N-d the kv boxes over its q box's keys.
  if (routing)
    buildKvLoop(b, loc, tile::KvSpan::routed, /*range=*/0, scored);
  else if (boxes)
    buildKvLoop(b, loc, tile::KvSpan::boxes, /*range=*/0, scored);
  else
    for (unsigned range = 0; range < numKvRanges(mask); ++range)
      for (tile::KvSpan span : liveSpans(mask))
        buildKvLoop(b, loc, span, range, scored);
  tile::EpilogueOp::create(b, loc, /*write_lse=*/true);
  return kernel;
}

} // namespace

target::TileProblem forwardTileProblem(attn::AttentionOp attention) {
  const attn::MaskKind kind = kvMaskClass(attention, attn::classifyMask(attention)).kind;
  const std::optional<RoutingInfo> routing = attention.getRoutingInfo();
  // An empty mask does no work anywhere: as uniform as a dense one. Routed
  // work is as uneven as its lists, and a scanned mask's as its data.
  const target::MaskShape mask =
      routing ? target::MaskShape::Other
      : kind == attn::MaskKind::Dense || kind == attn::MaskKind::Empty ? target::MaskShape::Dense
      : kind == attn::MaskKind::Causal                               ? target::MaskShape::Causal
                                                                     : target::MaskShape::Other;
  return {int64_t(attention.getHeadDim()),
          int64_t(attention.getElementType().getIntOrFloatBitWidth() / 8), mask,
          attention.hasScore(), routing ? routing->block : 0, attn::tilesGridInNd(attention)};
}

namespace {

struct AttnToTilePass : impl::AttnToTileBase<AttnToTilePass> {
  using AttnToTileBase::AttnToTileBase;

  void runOnOperation() override {
    SmallVector<target::Target> targets;
    if (archs.empty())
      targets.assign(target::allTargets().begin(), target::allTargets().end());
    for (const std::string &arch : archs) {
      std::optional<target::Target> target = target::lookupTarget(arch);
      if (!target) {
        getOperation().emitError() << "unknown target '" << arch
                                   << "'; supported: " << target::targetNames();
        return signalPassFailure();
      }
      targets.push_back(*target);
    }
    std::optional<target::Launch> chosenLaunch;
    if (!launch.empty()) {
      chosenLaunch = target::lookupLaunch(launch);
      if (!chosenLaunch) {
        getOperation().emitError() << "unknown launch '" << launch
                                   << "'; one of grid, persistent, dynamic";
        return signalPassFailure();
      }
    }

    SmallVector<attn::AttentionOp> attentions(
        getOperation().getOps<attn::AttentionOp>());
    for (attn::AttentionOp attention : attentions) {
      OpBuilder b(attention);
      for (const target::Target &target : targets)
        if (failed(buildForwardKernel(b, attention, target, chosenLaunch)))
          return signalPassFailure();
      attention.erase();
    }
  }
};

} // namespace
} // namespace attnc
