//===- CudaEmitter.cpp - tile.kernel → one CUDA translation unit ----------===//

#include "compiler/Codegen/CudaEmitter.h"

#include "compiler/Codegen/IntervalEmitter.h"
#include "compiler/Codegen/MaskSplitWriter.h"
#include "compiler/Codegen/ScalarEmitter.h"
#include "compiler/Codegen/Sm90KernelWriter.h"
#include "compiler/Target/TileHeuristics.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace attnc::codegen {

std::string hookNamespace(StringRef symbol) { return ("attn_variant_" + symbol).str(); }

bool plansKvTiles(tile::KernelOp kernel) {
  // kv_bounds is the scan and nothing else (its yield passes the scan's results through).
  Block &body = *kernel.getKvBounds().getBody();
  auto scan = dyn_cast<tile::ScanKvTilesOp>(body.front());
  const bool onlyScan = scan && body.getOperations().size() == 2 &&
                        ValueRange(body.back().getOperands()) == ValueRange(scan.getResults());
  return onlyScan && kernel.getConfig().isWarpSpecialized() && !kernel.tilesGrid();
}

bool maskReadsHead(tile::KernelOp kernel) {
  // mask_fn's arguments are (b, h, q, k, sq, skv).
  return !kernel.getMaskFn().getBody()->getArgument(1).use_empty();
}

bool hooksReadHead(tile::KernelOp kernel) {
  if (maskReadsHead(kernel))
    return true;
  tile::ScoreFnOp score = kernel.getScoreFn();
  tile::SinkFnOp sink = kernel.getSinkFn();
  return (score && !score.getHeadArg().use_empty()) || (sink && !sink.getHeadArg().use_empty());
}

bool readsTensors(tile::KernelOp kernel) {
  bool reads = false;
  kernel.walk([&](tile::ReadOp) { reads = true; });
  return reads;
}

std::string hookIndex(tile::KernelOp kernel, StringRef var, StringRef length) {
  if (!readsTensors(kernel))
    return var.str();
  return ("attn::device::min_i64(" + var + ", " + length + " - 1)").str();
}


namespace {

class KernelWriter {
public:
  KernelWriter(tile::KernelOp kernel, raw_ostream &os) : kernel(kernel), os(os) {}

  LogicalResult writeHooks() {
    tile::ConfigAttr config = kernel.getConfig();
    os << "namespace " << hookNamespace(kernel.getSymName()) << " {\n\n"
       << "constexpr int kBlockM = " << config.getBlockM() << ";\n"
       << "constexpr int kBlockN = " << config.getBlockN() << ";\n"
       << "// Tiles a token grid in N-d: GridTiles, Geometry and kv_boxes below.\n"
       << "constexpr bool kTilesGrid = " << (kernel.tilesGrid() ? "true" : "false") << ";\n\n";
    std::optional<ArrayRef<int64_t>> grid = kernel.getGrid();
    // The grid's sizes as a C++ braced list (an array would not be addressable in device code).
    std::string gridSizes;
    if (grid)
      gridSizes = "{" +
                  llvm::join(llvm::map_range(*grid, [](int64_t n) { return std::to_string(n); }),
                             ", ") +
                  "}";

    // tile.mask_fn → keep(b, h, q, k, sq, skv)
    os << "// tile.mask_fn: true keeps the (q, k) score.\n"
       << "ATTN_HD bool mask_fn(const attn_forward_params &p, int64_t b, int64_t h, int64_t q, "
          "int64_t k, int64_t sq, int64_t skv) {\n";
    auto keep = emitScalarBlock(*kernel.getMaskFn().getBody(),
                                {"b", "h", "q", "k", "sq", "skv"}, os, "  ");
    if (failed(keep))
      return failure();
    os << "  return " << (*keep)[0] << ";\n}\n\n";

    // On a grid tiled in N-d the kernel knows each token's coordinates: the same predicate,
    // reading them instead of dividing the tokens.
    if (kernel.tilesGrid()) {
      os << "// tile.mask_fn at tokens whose grid coordinates the caller has.\n"
         << "ATTN_HD bool mask_at(const attn_forward_params &p, int64_t b, int64_t h, int64_t q, "
            "int64_t k, int64_t sq, int64_t skv, const attn::device::GridPoint &qc, "
            "const attn::device::GridPoint &kc) {\n";
      ScalarBlockOptions atPoints;
      const std::string points[] = {"", "", "qc", "kc", "", ""};
      atPoints.gridPointNames = points;
      auto kept = emitScalarBlock(*kernel.getMaskFn().getBody(),
                                  {"b", "h", "q", "k", "sq", "skv"}, os, "  ", atPoints);
      if (failed(kept))
        return failure();
      os << "  return " << (*kept)[0] << ";\n}\n\n";
    }

    if (failed(writeMaskSplit(kernel, os)))
      return failure();

    // The same predicate over a box of indices, for classifying whole tiles.
    os << "// tile.mask_fn over an index box: may some pair be dropped / kept?\n"
       << "ATTN_HD attn::device::Tri mask_box(const attn_forward_params &p, "
          "attn::device::Interval b, attn::device::Interval h, "
          "attn::device::Interval q, attn::device::Interval k, attn::device::Interval sq, "
          "attn::device::Interval skv"
       << (grid ? ", const attn::device::GridBox &qc, const attn::device::GridBox &kc" : "")
       << ") {\n";
    SmallVector<std::string> gridBoxes;
    if (grid)
      gridBoxes = {"", "", "qc", "kc", "", ""};
    auto box = emitIntervalBlock(*kernel.getMaskFn().getBody(),
                                 {"b", "h", "q", "k", "sq", "skv"}, os, "  ", gridBoxes);
    if (failed(box))
      return failure();
    os << "  return " << (*box)[0] << ";\n}\n\n"
       << "// A tile's (q, k) box for one batch row and head under known lengths.\n"
       << "struct MaskBox {\n"
       << "  const attn_forward_params &p;\n"
       << "  int64_t b, h, sq, skv;\n";
    if (!grid) {
      os << "  ATTN_HD attn::device::Tri operator()(attn::device::Interval q, "
            "attn::device::Interval k) const {\n"
         << "    return mask_box(p, attn::device::iv_point(b), attn::device::iv_point(h), q, "
            "k, attn::device::iv_point(sq), attn::device::iv_point(skv));\n"
         << "  }\n};\n\n";
    } else {
      os << "  // Tokens and their grid coordinates, as a kernel that tiles the grid in N-d\n"
         << "  // knows them.\n"
         << "  ATTN_HD attn::device::Tri operator()(attn::device::Interval q, "
            "attn::device::Interval k, const attn::device::GridBox &qc, "
            "const attn::device::GridBox &kc) const {\n"
         << "    return mask_box(p, attn::device::iv_point(b), attn::device::iv_point(h), q, "
            "k, attn::device::iv_point(sq), attn::device::iv_point(skv), qc, kc);\n"
         << "  }\n"
         << "  // Token ranges of a kernel that tiles the sequence, on the grid " << gridSizes
         << ".\n"
         << "  ATTN_HD attn::device::Tri operator()(attn::device::Interval q, "
            "attn::device::Interval k) const {\n"
         << "    return (*this)(q, k, attn::device::grid_box<" << grid->size() << ">(q, "
         << gridSizes << "), attn::device::grid_box<" << grid->size() << ">(k, " << gridSizes
         << "));\n"
         << "  }\n};\n\n";
    }

    writeGridTiles();

    // tile.kv_bounds → the four kv-tile indices of a q tile (per kv range)
    os << "// tile.kv_bounds: kv tiles [begin, end) are visited, [full_begin, full_end) "
          "without mask code.\n"
       << "ATTN_HD " << boundsType()
       << " kv_bounds(const attn_forward_params &p, int64_t b, int64_t h, int64_t q_tile, "
          "int64_t sq, int64_t skv) {\n";
    // Warp-specialised kernels call it from single warps (no CTA-wide scan), unless a plan
    // kernel computes it (plansKvTiles: then only host tests call it).
    ScalarBlockOptions scan;
    scan.scan = kernel.getConfig().isWarpSpecialized() && !plansKvTiles(kernel) ? KvScan::Warp
                                                                                : KvScan::Block;
    auto bounds = emitScalarBlock(*kernel.getKvBounds().getBody(), {"q_tile", "sq", "skv"},
                                  os, "  ", scan);
    if (failed(bounds))
      return failure();
    if (numRanges() == 1) {
      os << "  return {" << llvm::join(*bounds, ", ") << "};\n}\n\n";
    } else {
      ArrayRef<std::string> values = *bounds;
      os << "  return {{" << llvm::join(values.take_front(4), ", ") << "}, {"
         << llvm::join(values.drop_front(4), ", ") << "}};\n}\n\n";
    }

    writeKvPlanConstants();
    if (failed(writeRowKeysHook()))
      return failure();
    if (failed(writeRouteHook()))
      return failure();

    // tile.score_fn, or the identity: the hooks exist either way so host tests
    // can call them; kernels call them only when kHasScore.
    os << "// tile.score_fn: the modified score of a pair, from s = scale * q.k.\n"
       << "constexpr bool kHasScore = " << (scoreFn() ? "true" : "false") << ";\n";
    if (failed(writeScoreHook("score_fn", "int64_t k", "")))
      return failure();
    os << "// tile.score_fn at key k0 + c, c a column the kernel knows at compile time: a key-affine\n"
       << "// integer converts to float as a part per row and tile plus one per column.\n";
    const KeySplit split{/*keyArg=*/4, "k0", "c"};
    if (failed(writeScoreHook("score_split", "int64_t k0, int c", "  const int64_t k = k0 + c;\n",
                              &split)))
      return failure();

    // tile.sink_fn, or no sink (-inf, which leaves the softmax as it is): the
    // hook exists either way; kernels call it only when kHasSink.
    tile::SinkFnOp sink = kernel.getSinkFn();
    os << "// tile.sink_fn: the sink logit of a (batch, head), one more logit in each row's\n"
       << "// softmax denominator with no value row.\n"
       << "constexpr bool kHasSink = " << (sink ? "true" : "false") << ";\n"
       << "ATTN_HD float sink_fn(const attn_forward_params &p, int64_t b, int64_t h, "
          "int64_t hq) {\n";
    if (sink) {
      auto logit = emitScalarBlock(*sink.getBody(), {"b", "h", "hq"}, os, "  ");
      if (failed(logit))
        return failure();
      os << "  return " << (*logit)[0] << ";\n}\n\n";
    } else {
      os << "  return -INFINITY;\n}\n\n";
    }
    os << "}  // namespace " << hookNamespace(kernel.getSymName()) << "\n";
    return success();
  }

  /// A kernel that tiles its grid in N-d: the grid and its boxes as a
  /// GridGeometry (attn/device/geometry.h), and kv_boxes, the walk of its
  /// `tile.kv_loop {span = boxes}` (attn/device/grid_kv_tiles.h). Host code
  /// like the other hooks: both kernel families and the host tests use them.
  void writeGridTiles() {
    if (!kernel.tilesGrid())
      return;
    auto axes = [&](StringRef name, ArrayRef<int64_t> values) {
      os << "  ATTN_HD static constexpr int " << name << "(int a) {\n"
         << "    constexpr int v[] = {"
         << llvm::join(llvm::map_range(values, [](int64_t v) { return std::to_string(v); }),
                       ", ")
         << "};\n    return v[a];\n  }\n";
    };
    os << "// tile.kernel {q_box, kv_box}: the grid, tiled in N-d: a q tile is a box of q_box\n"
       << "// tokens, a kv tile a box of kv_box tokens placed where the q tile's keys start.\n"
       << "struct GridTiles {\n"
       << "  static constexpr int kRank = " << kernel.getGrid()->size() << ";\n";
    axes("size", *kernel.getGrid());
    axes("q_box", *kernel.getQBox());
    axes("kv_box", *kernel.getKvBox());
    os << "};\n"
       << "using Geometry = attn::device::GridGeometry<GridTiles>;\n\n"
       << "// tile.kv_loop {span = boxes}: the kv boxes of q tile q_tile that the mask may keep a\n"
       << "// pair of, walked from the last (first() / next()). On the device every lane of a\n"
       << "// converged warp calls it (a warp scan, no CTA barrier).\n"
       << "ATTN_HD attn::device::GridKvTiles<Geometry, MaskBox> kv_boxes(const attn_forward_params "
          "&p, int64_t b, int64_t h, int64_t q_tile) {\n"
       << "  return attn::device::scan_grid_kv_tiles<Geometry>(q_tile, MaskBox{p, b, h, "
          "p.seqlen_q, p.seqlen_k});\n}\n\n";
  }

  /// One score hook `name` taking the key as `keyParams` (whose prologue
  /// `keyPrologue` defines k): tile.score_fn's body, or the identity.
  LogicalResult writeScoreHook(StringRef name, StringRef keyParams, StringRef keyPrologue,
                               const KeySplit *split = nullptr) {
    os << "ATTN_HD float " << name << "(const attn_forward_params &p, float s, int64_t b, "
       << "int64_t h, int64_t q, " << keyParams << ", int64_t sq, int64_t skv, int64_t hq) {\n";
    tile::ScoreFnOp score = scoreFn();
    if (!score) {
      os << "  return s;\n}\n\n";
      return success();
    }
    os << keyPrologue;
    ScalarBlockOptions options;
    options.split = split;
    auto modified = emitScalarBlock(*score.getBody(), {"s", "b", "h", "q", "k", "sq", "skv", "hq"},
                                    os, "  ", options);
    if (failed(modified))
      return failure();
    os << "  return " << (*modified)[0] << ";\n}\n\n";
    return success();
  }

  /// Whether the sm_90a kernel reads kv_bounds' result from the call's kv plan: host tests
  /// walk the plan's entries where it does.
  void writeKvPlanConstants() {
    if (!plansKvTiles(kernel)) {
      os << "// The kernel computes kv_bounds itself (no kv plan).\n"
         << "constexpr bool kKvPlan = false;\n"
         << "constexpr bool kKvPlanPerHead = false;\n\n";
      return;
    }
    os << "// The sm_90a kernel reads kv_bounds' scan from the call's kv plan (attn/device/kv_plan.h),\n"
       << "// which the library's kv plan kernel runs per (batch, head, q tile) before it; an entry\n"
       << "// per head only where the mask reads h.\n"
       << "constexpr bool kKvPlan = true;\n"
       << "constexpr bool kKvPlanPerHead = " << (maskReadsHead(kernel) ? "true" : "false")
       << ";\n\n";
  }

  /// tile.row_keys → row_keys(q, sq, skv), the keys a row keeps as
  /// intervals. Without one the hook returns no intervals
  /// (kRowKeyIntervals = 0), so that kernels and host tests can name it.
  LogicalResult writeRowKeysHook() {
    tile::RowKeysOp rowKeys = kernel.getRowKeys();
    const unsigned n = rowKeys ? rowKeys.getNumIntervals() : 0;
    os << "// tile.row_keys: the keys row q keeps, lo[i] <= k <= hi[i] for some i, all < skv.\n"
       << "constexpr int kRowKeyIntervals = " << n << ";\n"
       << "ATTN_HD attn::device::RowKeys<" << n
       << "> row_keys(const attn_forward_params &p, int64_t q, int64_t sq, int64_t skv) {\n";
    if (!rowKeys) {
      os << "  return {};\n}\n\n";
      return success();
    }
    auto ends = emitScalarBlock(*rowKeys.getBody(), {"q", "sq", "skv"}, os, "  ");
    if (failed(ends))
      return failure();
    SmallVector<std::string, 2> lo, hi;
    for (unsigned i = 0; i < n; ++i) {
      lo.push_back("int32_t(" + (*ends)[2 * i] + ")");
      hi.push_back("int32_t(" + (*ends)[2 * i + 1] + ")");
    }
    os << "  return {{" << llvm::join(lo, ", ") << "}, {" << llvm::join(hi, ", ") << "}};\n}\n\n";
    return success();
  }

  /// A routed kernel's kv_route: the tiles of the blocks its list names for
  /// the q tile, within kv_bounds (attn/device/routing.h).
  LogicalResult writeRouteHook() {
    std::optional<RoutingInfo> routing = kernel.getRoutingInfo();
    if (!routing)
      return success();
    std::string index;
    if (routing->batched)
      index += "b, ";
    if (routing->perHead)
      index += "h, ";
    const std::string block = std::to_string(routing->block);
    os << "// tile.kernel {routing}: the tiles of the kv blocks that row q_tile * kBlockM / "
       << block << "\n// of tensor " << routing->tensor << " lists, within the q tile's kv_bounds.\n"
       << "ATTN_HD " << kvTilesType()
       << " kv_route(const attn_forward_params &p, int64_t b, int64_t h, int64_t q_tile, "
          "int64_t skv, const attn::device::KvTiles &bounds) {\n"
       << "  static_assert(" << block << " % kBlockM == 0 && " << block
       << " % kBlockN == 0, \"a routing block is whole tiles\");\n"
       << "  const attn_runtime_tensor &list = p.tensors[" << routing->tensor << "];\n"
       << "  const int64_t row = q_tile * kBlockM / " << block << ";\n"
       << "  return " << kvTilesType() << "::build(bounds, " << block
       << " / kBlockN, attn::device::ceil_div_i64(skv, " << block << "), [&](int i) {\n"
       << "    return attn::device::read_i32(list, attn::device::tensor_offset(list, " << index
       << "row, i));\n"
       << "  });\n}\n\n";
    return success();
  }

  LogicalResult writeKernel(const KernelInfo &info) {
    tile::ConfigAttr config = kernel.getConfig();
    StringRef element = kernel.getElementType().isBF16() ? "__nv_bfloat16" : "__half";
    std::string ns = hookNamespace(kernel.getSymName());
    os << "\n#if defined(__CUDACC__)\n"
       << "#include \"attn/device/sm80/forward.cuh\"\n\n"
       << "namespace " << ns << " {\n"
       << "struct Traits {\n"
       << "  using Element = " << element << ";\n"
       << "  static constexpr int kHeadDim = " << kernel.getHeadDim() << ";\n"
       << "  static constexpr int kBlockM = " << config.getBlockM() << ";\n"
       << "  static constexpr int kBlockN = " << config.getBlockN() << ";\n"
       << "  static constexpr int kNumWarps = " << config.getNumWarps() << ";\n"
       << "  static constexpr bool kScoresPrescaled = kHasScore;\n";
    if (kernel.tilesGrid())
      os << "  using Geometry = attn::device::GridGeometry<GridTiles>;  // rows gathered by box\n";
    os << "};\n"
       << "using Tile = attn::device::sm80::ForwardTile<Traits>;\n"
       << "static_assert(Tile::kSmemBytes == " << info.smemBytes
       << ", \"the manifest's shared-memory size must match the kernel's\");\n"
       << "}  // namespace " << ns << "\n\n";

    os << "extern \"C\" __global__ void __launch_bounds__(" << info.threads << ", 1)\n"
       << info.symbol << "(const __grid_constant__ attn_forward_params p) {\n"
       << "  using namespace " << ns << ";\n"
       << "  extern __shared__ __align__(128) char smem[];\n"
       << "  Tile t(p, smem);\n";
    if (kernel.tilesGrid()) {
      // Tokens on a grid lie in [0, Sq) even for invalid rows (geometry.h): no clamping.
      os << "  const auto r = kv_boxes(p, t.batch(), t.head(), t.q_tile());  // each warp scans\n"
         << "  const auto keep = [&](const attn::device::GridTokenRef &q, "
            "const attn::device::GridTokenRef &k) {\n"
         << "    return mask_at(p, t.batch(), t.head(), q.token, k.token, p.seqlen_q, p.seqlen_k, "
            "q.at, k.at);\n"
         << "  };\n";
    } else {
      os << "  const " << boundsType() << (routed() ? " bounds" : " r")
         << " = kv_bounds(p, t.batch(), t.head(), t.q_tile(), p.seqlen_q, p.seqlen_k);\n";
      if (routed())
        os << "  const " << kvTilesType()
           << " r = kv_route(p, t.batch(), t.head(), t.q_tile(), p.seqlen_k, bounds);\n";
      os << "  const auto keep = [&](int64_t q, int64_t k) {\n"
         << "    return mask_fn(p, t.batch(), t.head(), " << hookIndex(kernel, "q", "p.seqlen_q")
         << ", " << hookIndex(kernel, "k", "p.seqlen_k") << ", p.seqlen_q, p.seqlen_k);\n"
         << "  };\n";
    }
    if (scoreFn())
      os << "  const auto score = [&](float s, int64_t q, int64_t k) {\n"
         << "    return score_fn(p, s, t.batch(), t.head(), " << hookIndex(kernel, "q", "p.seqlen_q") << ", "
         << hookIndex(kernel, "k", "p.seqlen_k") << ", p.seqlen_q, p.seqlen_k, p.heads_q);\n"
         << "  };\n";
    for (Operation &op : kernel.getRegion().front())
      if (failed(writeStep(op, "  ")))
        return failure();
    os << "}\n#endif  // __CUDACC__\n";
    return success();
  }

private:
  /// The kernel's score modification, if it has one.
  tile::ScoreFnOp scoreFn() {
    auto ops = kernel.getRegion().front().getOps<tile::ScoreFnOp>();
    return ops.empty() ? tile::ScoreFnOp() : *ops.begin();
  }

  /// Kv ranges per q tile: 1, or 2 (attn::device::KvTilesPair).
  unsigned numRanges() { return kernel.getKvBounds().getNumRanges(); }

  bool routed() { return kernel.getRoutingInfo().has_value(); }

  /// What kv_bounds returns: one or two kv ranges.
  StringRef boundsType() {
    return numRanges() == 1 ? "attn::device::KvTiles" : "attn::device::KvTilesPair";
  }

  /// What the kernel walks: one or two kv ranges, or a routed list.
  std::string kvTilesType() {
    if (std::optional<RoutingInfo> routing = kernel.getRoutingInfo())
      return "attn::device::RoutedKvTiles<" + std::to_string(routing->listed) + ">";
    return boundsType().str();
  }

  /// The KvTiles of a range in the kernel: `r`, or `r.high` / `r.low`.
  std::string rangeVar(int64_t range) {
    if (numRanges() == 1)
      return "r";
    return range == 0 ? "r.high" : "r.low";
  }

  std::string loopBounds(tile::KvSpan span, int64_t range) {
    std::string r = rangeVar(range);
    switch (span) {
    case tile::KvSpan::partial_high:
      return llvm::formatv("j = {0}.end - 1; j >= {0}.full_end; --j", r);
    case tile::KvSpan::full:
      return llvm::formatv("j = {0}.full_end - 1; j >= {0}.full_begin; --j", r);
    case tile::KvSpan::partial_low:
      return llvm::formatv("j = {0}.full_begin - 1; j >= {0}.begin; --j", r);
    case tile::KvSpan::routed:
    case tile::KvSpan::boxes:
      break; // a cursor walk, written by the loop itself
    }
    llvm_unreachable("unknown span");
  }

  /// The tile loaded ahead of tile j: j - 1 while in the range, then the top
  /// tile of the next range (the K prefetch jumps the empty tiles between
  /// them), -1 past the last range.
  std::string nextTile(int64_t range) {
    std::string r = rangeVar(range);
    std::string beyond = range + 1 < int64_t(numRanges())
                             ? "attn::device::first_tile(" + rangeVar(range + 1) + ")"
                             : "-1";
    return llvm::formatv("j - 1 >= {0}.begin ? j - 1 : {1}", r, beyond);
  }

  /// One tile op → one primitive call (or a loop of them).
  LogicalResult writeStep(Operation &op, StringRef indent) {
    auto line = [&](StringRef code) {
      os << indent << code << "\n";
      return success();
    };
    return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
        .Case([&](tile::MaskFnOp) { return success(); }) // emitted as hooks
        .Case([&](tile::ScoreFnOp) { return success(); })
        .Case([&](tile::SinkFnOp) { return success(); })
        .Case([&](tile::KvBoundsOp) { return success(); })
        .Case([&](tile::RowKeysOp) { return success(); })
        .Case([&](tile::LoadQOp) { return line("t.load_q();"); })
        .Case([&](tile::LoadOp load) -> LogicalResult {
          bool isK = load.getOperand() == tile::KvOperand::k;
          switch (load.getWhich()) {
          case tile::TileWhich::first:
            if (!isK)
              break;
            if (routed() || kernel.tilesGrid())
              return line("t.load_k(r.first().tile);");
            if (numRanges() == 1)
              return line("t.load_k(r.end > r.begin ? r.end - 1 : -1);");
            return line("t.load_k(attn::device::first_tile(r));");
          case tile::TileWhich::current:
            return line(isK ? "t.load_k(j);" : "t.load_v(j);");
          case tile::TileWhich::next:
            return line(isK ? "t.load_k(next);" : "t.load_v(next);");
          }
          return load.emitOpError("has no sm_80 primitive");
        })
        .Case([&](tile::WaitOp wait) {
          return line(wait.getOperand() == tile::KvOperand::k ? "t.wait_k();" : "t.wait_v();");
        })
        .Case([&](tile::MmaQkOp) { return line("t.mma_qk();"); })
        .Case([&](tile::ApplyScoreOp) { return line("t.apply_score(j, score);"); })
        .Case([&](tile::ApplyMaskOp) {
          // A routed or boxes loop meets full and partial tiles alike: a branch per tile.
          if (routed())
            return line("if (!r.full(j)) t.apply_mask(j, keep);");
          if (kernel.tilesGrid())
            return line("if (!full) t.apply_mask(j, keep);");
          return line("t.apply_mask(j, keep);");
        })
        .Case([&](tile::OnlineSoftmaxOp) { return line("t.online_softmax();"); })
        .Case([&](tile::MmaPvOp) { return line("t.mma_pv();"); })
        .Case([&](tile::EpilogueOp epilogue) {
          std::string writeLse = epilogue.getWriteLse() ? "true" : "false";
          if (kernel.getSinkFn())
            return line("t.epilogue(/*write_lse=*/" + writeLse +
                        ", sink_fn(p, t.batch(), t.head(), p.heads_q));");
          return line("t.epilogue(/*write_lse=*/" + writeLse + ");");
        })
        .Case([&](tile::KvLoopOp loop) -> LogicalResult {
          // Routed tiles and grid boxes are walked with a cursor, which also
          // names the next tile for the loads to prefetch.
          auto cursorLoop = [&](StringRef cursor, StringRef tileComment,
                                StringRef extra) -> LogicalResult {
            os << indent << "for (attn::device::" << cursor << " c = r.first(); c.tile >= 0;) {"
               << "  // tile.kv_loop {span = " << tile::stringifyKvSpan(loop.getSpan()) << "}\n"
               << indent << "  const int64_t j = c.tile;" << tileComment << "\n"
               << extra << indent << "  c = r.next(c);\n"
               << indent << "  const int64_t next = c.tile;\n";
            for (Operation &inner : loop.getBody()->without_terminator())
              if (failed(writeStep(inner, (indent + "  ").str())))
                return failure();
            os << indent << "}\n";
            return success();
          };
          if (loop.getSpan() == tile::KvSpan::routed)
            return cursorLoop("RouteCursor", "", "");
          if (loop.getSpan() == tile::KvSpan::boxes)
            return cursorLoop("GridKvCursor", "  // the kv box's first token",
                              (indent + "  const bool full = c.full;\n").str());
          os << indent << "for (int64_t " << loopBounds(loop.getSpan(), loop.getRange())
             << ") {  // tile.kv_loop {span = " << tile::stringifyKvSpan(loop.getSpan());
          if (loop.getRange() != 0)
            os << ", range = " << loop.getRange();
          os << "}\n"
             << indent << "  const int64_t next = " << nextTile(loop.getRange()) << ";\n";
          for (Operation &inner : loop.getBody()->without_terminator())
            if (failed(writeStep(inner, (indent + "  ").str())))
              return failure();
          os << indent << "}\n";
          return success();
        })
        .Case([&](tile::YieldOp) { return success(); })
        .Default([&](Operation *other) -> LogicalResult {
          return other->emitOpError("has no CUDA emission");
        });
  }

  tile::KernelOp kernel;
  raw_ostream &os;
};

KernelInfo describe(tile::KernelOp kernel) {
  tile::ConfigAttr config = kernel.getConfig();
  KernelInfo info;
  info.symbol = kernel.getSymName().str();
  info.sm = config.getArch();
  for (const target::Target &target : target::allTargets())
    if (target.sm == info.sm)
      info.arch = std::string(target.name);
  info.blockM = config.getBlockM();
  info.blockN = config.getBlockN();
  info.numWarps = config.getNumWarps();
  info.stages = config.getStages();
  info.warpgroups = config.getWarpgroups();
  // The tile dialect's launch keywords are target::launchName's.
  info.launch = *target::lookupLaunch(tile::stringifyLaunch(config.getLaunch()).str());
  if (kernel.tilesGrid()) {
    info.qBox.assign(kernel.getQBox()->begin(), kernel.getQBox()->end());
    info.kvBox.assign(kernel.getKvBox()->begin(), kernel.getKvBox()->end());
  }
  info.threads = config.getNumThreads();
  // The same size the tile heuristics budgeted; the emitted static_assert ties it to the kernel.
  if (config.getEpilogue() == tile::Epilogue::tma)
    info.epilogue = target::Epilogue::Tma;
  target::TileConfig tiles{info.blockM, info.blockN,     info.numWarps,   info.stages,
                           info.warpgroups, info.launch, info.epilogue};
  info.smemBytes = tiles.smemBytes(
      {int64_t(kernel.getHeadDim()), kernel.getElementType().getIntOrFloatBitWidth() / 8});
  info.config = tiles.str();
  info.mode = kernel.getMode().str();
  // The summarised tensors the mask reads, each once, in slot order.
  kernel.getMaskFn().walk([&](tile::ReadOp read) {
    std::string length = summarizedLength(read);
    if (length.empty())
      return;
    for (const PlanSummary &seen : info.summaries)
      if (seen.slot == int64_t(read.getSlot()))
        return;
    info.summaries.push_back({int64_t(read.getSlot()),
                              length == "p.seqlen_q" ? "sq" : "skv",
                              read.getIndices().size() == 2});
  });
  llvm::sort(info.summaries,
             [](const PlanSummary &a, const PlanSummary &b) { return a.slot < b.slot; });
  if (!info.summaries.empty())
    info.summarySymbol = info.symbol + "_plan";
  if (plansKvTiles(kernel)) {
    info.kvPlanSymbol = info.symbol + "_kv_plan";
    info.kvPlanPerHead = maskReadsHead(kernel);
  }
  if (info.warpSpecialized() && !kernel.tilesGrid() && !kernel.getRoutingInfo() &&
      !hooksReadHead(kernel))
    info.packedHeadsSymbol = info.symbol + "_packed";
  return info;
}

/// The plan kernels, in the order the runtime launches them: the summaries (one per
/// blockIdx.z, a run of positions per thread), then the kv tiles (a CTA per entry).
void writePlanKernels(const KernelInfo &info, raw_ostream &os) {
  if (info.summaries.empty() && info.kvPlanSymbol.empty())
    return;
  os << "\n#if defined(__CUDACC__)\n";
  if (!info.summaries.empty()) {
    os << "// The plan (attn/device/plan.h): per-run minimum and maximum of the id tensors the mask\n"
       << "// reads, so that mask_box can classify tiles of packed documents.\n"
       << "extern \"C\" __global__ void __launch_bounds__(" << kPlanThreads << ")\n"
       << info.summarySymbol << "(const __grid_constant__ attn_forward_params p) {\n"
       << "  switch (blockIdx.z) {\n";
    for (auto [index, summary] : llvm::enumerate(info.summaries))
      os << "  case " << index << ": attn::device::plan_summary(p, /*slot=*/" << summary.slot
         << ", /*batched=*/" << (summary.batched ? "true" : "false") << ", "
         << (summary.length == "sq" ? "p.seqlen_q" : "p.seqlen_k") << "); break;\n";
    os << "  }\n}\n";
  }
  if (!info.kvPlanSymbol.empty())
    os << "// The kv plan (attn/device/kv_plan.h): kv_bounds' scan and a bit per kv tile, per\n"
       << "// (q tile, head or 0, batch) = blockIdx.\n"
       << "extern \"C\" __global__ void __launch_bounds__(" << kPlanThreads << ")\n"
       << info.kvPlanSymbol << "(const __grid_constant__ attn_forward_params p) {\n"
       << "  using namespace " << hookNamespace(info.symbol) << ";\n"
       << "  attn::device::plan_kv_tiles<MaskBox>(p, kBlockM, kBlockN, kKvPlanPerHead);\n"
       << "}\n";
  os << "#endif  // __CUDACC__\n";
}

/// The target's opt-in shared memory limit must hold the config's tiles.
LogicalResult checkSharedMemory(tile::KernelOp kernel, const KernelInfo &info) {
  for (const target::Target &target : target::allTargets())
    if (target.sm == info.sm && info.smemBytes > target.maxSmemPerBlock)
      return kernel.emitOpError()
             << "needs " << info.smemBytes << " bytes of shared memory per block for its tile "
             << "config (" << info.config << ", head dim " << kernel.getHeadDim() << "); "
             << target.name << " allows " << target.maxSmemPerBlock;
  return success();
}

} // namespace

FailureOr<EmittedKernel> emitCudaKernel(tile::KernelOp kernel, StringRef origin) {
  EmittedKernel emitted;
  emitted.info = describe(kernel);
  if (failed(checkSharedMemory(kernel, emitted.info)))
    return failure();
  const bool warpSpecialized = emitted.info.warpSpecialized();
  llvm::raw_string_ostream os(emitted.source);
  os << "// Generated by attnc from " << origin << " (kernel " << emitted.info.symbol
     << ", " << emitted.info.arch << "); do not edit.\n"
     << "#include \"attn/device/grid.h\"\n"
     << "#include \"attn/device/hooks.h\"\n"
     << "#include \"attn/device/kv_plan.h\"\n"
     << "#include \"attn/device/plan.h\"\n"
     << "#include \"attn/device/scan.h\"\n";
  if (kernel.getRoutingInfo())
    os << "#include \"attn/device/routing.h\"\n";
  if (kernel.tilesGrid())
    os << "#include \"attn/device/grid_kv_tiles.h\"\n";
  if (warpSpecialized)
    os << "#include \"attn/device/sm90/kv_scan.cuh\"\n";
  os << "\n";
  KernelWriter writer(kernel, os);
  if (failed(writer.writeHooks()))
    return failure();
  if (failed(warpSpecialized ? writeSm90Kernel(kernel, emitted.info, os)
                             : writer.writeKernel(emitted.info)))
    return failure();
  writePlanKernels(emitted.info, os);
  return emitted;
}

} // namespace attnc::codegen
