//===- Sm90KernelWriter.cpp - The warp-specialised sm_90a kernel ----------===//

#include "compiler/Codegen/Sm90KernelWriter.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace attnc::codegen {
namespace {

/// The body must be the forward schedule the composed kernel implements: the
/// mask on partial tiles only (the verifier keeps it out of full loops), the
/// score hook on every tile when there is one, and an epilogue writing LSE
/// (the kernel writes it whenever the caller passes a buffer).
LogicalResult checkSchedule(tile::KernelOp kernel, bool hasScore) {
  WalkResult walk = kernel.getRegion().walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op->getParentOp() != kernel.getOperation() && !isa<tile::KvLoopOp>(op->getParentOp()))
      return WalkResult::skip(); // inside a hook region: scalar code, emitted as hooks
    LogicalResult ok =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case<tile::MaskFnOp, tile::ScoreFnOp, tile::SinkFnOp, tile::RowKeysOp,
                  tile::KvBoundsOp>(
                [](auto) { return success(); })
            .Case<tile::LoadQOp, tile::LoadOp, tile::WaitOp, tile::MmaQkOp, tile::ApplyMaskOp,
                  tile::OnlineSoftmaxOp, tile::MmaPvOp, tile::KvLoopOp, tile::YieldOp>(
                [](auto) { return success(); })
            .Case([&](tile::KernelOp) { return success(); })
            .Case([&](tile::ApplyScoreOp score) -> LogicalResult {
              if (!hasScore)
                return score.emitOpError("needs a tile.score_fn in the kernel");
              return success();
            })
            .Case([&](tile::EpilogueOp epilogue) -> LogicalResult {
              if (!epilogue.getWriteLse())
                return epilogue.emitOpError(
                    "without LSE has no sm_90a form: the warp-specialised kernel writes LSE "
                    "whenever the caller passes a buffer");
              return success();
            })
            .Default([](Operation *other) {
              return other->emitOpError("has no sm_90a (warp-specialised) emission");
            });
    return failed(ok) ? WalkResult::interrupt() : WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// Variant::kv_tiles: where the kernel's kv tiles come from, in the contract of
/// attn/device/sm90/forward.cuh.
std::string kvTilesHooks(tile::KernelOp kernel) {
  const std::string head =
      "  __device__ static auto kv_tiles(const attn_forward_params &p, int b, int h, int64_t "
      "q_tile) {\n";
  auto within = [&](StringRef range) {
    if (!kernel.getRoutingInfo())
      return range.str();
    return ("kv_route(p, b, h, q_tile, p.seqlen_k, " + range + ")").str();
  };
  if (kernel.tilesGrid())
    return head + "    return kv_boxes(p, b, h, q_tile);  // N-d tiles: the kv boxes over the keys\n"
                  "  }\n";
  if (!plansKvTiles(kernel))
    return head + "    return " + within("kv_bounds(p, b, h, q_tile, p.seqlen_q, p.seqlen_k)") +
           ";\n  }\n";
  const std::string planned = "attn::device::planned_kv_tiles(p, b, h, q_tile, kBlockM, "
                              "kBlockN, kKvPlanPerHead)";
  return head + "    // kv_bounds' scan and the tiles it keeps, from the call's kv plan.\n" +
         "    return " + within(kernel.getRoutingInfo() ? planned + ".bounds" : planned) +
         ";\n  }\n";
}

/// The body of Variant::score, for key k0 + c: the split hook, or, where the
/// hooks read tensors and their indices are clamped, score_fn at the clamped key.
std::string scoreCall(tile::KernelOp kernel) {
  if (readsTensors(kernel))
    return "    return score_fn(p, s, b, h, " + hookIndex(kernel, "q", "p.seqlen_q") + ", " +
           hookIndex(kernel, "k0 + c", "p.seqlen_k") + ", p.seqlen_q, p.seqlen_k, p.heads_q);\n";
  return "    return score_split(p, s, b, h, q, k0, c, p.seqlen_q, p.seqlen_k, p.heads_q);\n";
}

} // namespace

LogicalResult writeSm90Kernel(tile::KernelOp kernel, const KernelInfo &info, raw_ostream &os) {
  const bool hasScore = !kernel.getRegion().front().getOps<tile::ScoreFnOp>().empty();
  if (failed(checkSchedule(kernel, hasScore)))
    return failure();
  StringRef element = kernel.getElementType().isBF16() ? "__nv_bfloat16" : "__half";
  const std::string ns = hookNamespace(kernel.getSymName());

  os << "\n#if defined(__CUDACC__)\n"
     << "#include \"attn/device/sm90/forward.cuh\"\n\n"
     << "namespace " << ns << " {\n";
  os << "// " << info.config << ": a producer warpgroup (TMA) and " << info.warpgroups
     << " consumer warpgroups of 64 q rows (wgmma).\n"
     << "struct Traits {\n"
     << "  using Element = " << element << ";\n"
     << "  static constexpr int kHeadDim = " << kernel.getHeadDim() << ";\n"
     << "  static constexpr int kBlockM = " << info.blockM << ";\n"
     << "  static constexpr int kBlockN = " << info.blockN << ";\n"
     << "  static constexpr int kStages = " << info.stages << ";\n"
     << "  using Schedule = attn::device::sm90::PingPongSchedule;\n";
  if (kernel.tilesGrid())
    os << "  using Geometry = attn::device::GridGeometry<GridTiles>;  // the hooks' GridTiles\n";
  if (info.launch == target::Launch::Dynamic)
    os << "  using Deal = attn::device::sm90::CounterDeal;  // tiles from p.work_counter\n";
  if (info.epilogue == target::Epilogue::Tma)
    os << "  using Epilogue = attn::device::sm90::TmaEpilogue;  // O through shared memory\n";

  os << "};\n"
     << "static_assert(attn::device::sm90::forward_smem_bytes<Traits>() == " << info.smemBytes
     << ", \"the manifest's shared-memory size must match the kernel's\");\n"
     << "static_assert(attn::device::sm90::ForwardShape<Traits>::kThreads == " << info.threads
     << ", \"the manifest's thread count must match the kernel's\");\n\n";

  // The hooks take the sequence lengths (and the score hook the head count)
  // explicitly; the sm90 contract reads them from the parameters.
  os << "// The hooks above in the variant contract of attn/device/sm90/forward.cuh.\n"
     << "struct Variant {\n"
     << "  static constexpr bool kHasScore = " << ns << "::kHasScore;\n"
     << "  static constexpr bool kHasSink = " << ns << "::kHasSink;\n"
     << kvTilesHooks(kernel)
     << "  using MaskRow = " << ns << "::MaskRow;\n"
     << "  using MaskKey = " << ns << "::MaskKey;\n"
     << "  __device__ static MaskRow mask_row(const attn_forward_params &p, int b, int h, "
        "int64_t q) {\n"
     << "    return " << ns << "::mask_row(p, b, h, " << hookIndex(kernel, "q", "p.seqlen_q")
     << ", p.seqlen_q, p.seqlen_k);\n"
     << "  }\n"
     << "  __device__ static MaskKey mask_key(const attn_forward_params &p, int b, int h, "
        "int64_t k) {\n"
     << "    return " << ns << "::mask_key(p, b, h, " << hookIndex(kernel, "k", "p.seqlen_k")
     << ", p.seqlen_q, p.seqlen_k);\n"
     << "  }\n"
     << "  __device__ static bool keep(const attn_forward_params &p, int b, int h, int64_t q, "
        "int64_t k, const MaskRow &row, const MaskKey &key) {\n"
     << "    return mask_pair(p, b, h, " << hookIndex(kernel, "q", "p.seqlen_q") << ", "
     << hookIndex(kernel, "k", "p.seqlen_k") << ", p.seqlen_q, p.seqlen_k, row, key);\n"
     << "  }\n"
     << "  static constexpr int kRowKeyIntervals = " << ns << "::kRowKeyIntervals;\n"
     << "  __device__ static auto row_keys(const attn_forward_params &p, int64_t q) {\n"
     << "    return " << ns << "::row_keys(p, q, p.seqlen_q, p.seqlen_k);\n"
     << "  }\n"
     << (kernel.tilesGrid()
             ? "  __device__ static bool keep_at(const attn_forward_params &p, int b, int h, "
               "int64_t q, int64_t k, const attn::device::GridPoint &qc, "
               "const attn::device::GridPoint &kc) {\n"
               "    return mask_at(p, b, h, q, k, p.seqlen_q, p.seqlen_k, qc, kc);\n"
               "  }\n"
             : "")
     << "  __device__ static float score(const attn_forward_params &p, float s, int b, int h, "
        "int64_t q, int64_t k0, int c) {\n"
     << scoreCall(kernel) << "  }\n"
     << "  __device__ static float sink(const attn_forward_params &p, int b, int h) {\n"
     << "    return sink_fn(p, b, h, p.heads_q);\n"
     << "  }\n"
     << "};\n"
     << "}  // namespace " << ns << "\n\n";

  // Grid: one CTA per work tile (B * Hq * ceil(Sq / kBlockM)), or min(that,
  // SMs) when persistent or dynamic; the runtime reads which from the manifest.
  os << "extern \"C\" __global__ void __launch_bounds__(" << info.threads << ", 1)\n"
     << info.symbol << "(const __grid_constant__ attn_forward_params p,\n"
     << "    const __grid_constant__ attn_forward_tensor_maps maps) {\n"
     << "  attn::device::sm90::forward<" << ns << "::Traits, " << ns << "::Variant>(p, maps);\n"
     << "}\n";
  if (!info.packedHeadsSymbol.empty())
    os << "\n// No hook reads h: the same kernel over packed heads, which the runtime launches for\n"
       << "// queries shorter than a tile (p.pack_heads; manifest \"packed_heads_symbol\").\n"
       << "extern \"C\" __global__ void __launch_bounds__(" << info.threads << ", 1)\n"
       << info.packedHeadsSymbol << "(const __grid_constant__ attn_forward_params p,\n"
       << "    const __grid_constant__ attn_forward_tensor_maps maps) {\n"
       << "  attn::device::sm90::forward<attn::device::sm90::PackedHeadsTraits<" << ns
       << "::Traits>, " << ns << "::Variant>(p, maps);\n"
       << "}\n";
  os << "#endif  // __CUDACC__\n";
  return success();
}

} // namespace attnc::codegen
