//===- CudaEmitter.h - tile.kernel → one CUDA translation unit --*- C++ -*-===//
//
// The emitted file has two parts. The variant hooks (mask_fn, kv_bounds and
// the tile constants) come first and compile as plain C++ as well, so tests
// run them on the host. The kernel follows under `#if defined(__CUDACC__)`,
// one of two families, as the kernel's #tile.config says:
//   mma.sync (sm80/forward.cuh): one call to a device primitive per tile op,
//     in IR order (this file);
//   warp-specialised wgmma + TMA (sm90/forward.cuh): a Variant struct that
//     adapts the hooks, and one call of the composed kernel
//     (Sm90KernelWriter.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_CUDAEMITTER_H
#define ATTNC_COMPILER_CODEGEN_CUDAEMITTER_H

#include "compiler/Target/TileHeuristics.h"
#include "dialects/Tile/IR/TileOps.h"

#include <string>
#include <vector>

namespace attnc::codegen {

/// Threads per block of a plan kernel (the manifest tells the runtime).
constexpr int64_t kPlanThreads = 128;

/// A runtime i32 tensor that the kernel's plan summarises (attn/device/plan.h).
struct PlanSummary {
  int64_t slot = 0;     ///< the tensor's slot
  std::string length;   ///< "sq" or "skv": the dimension summarised
  bool batched = false; ///< shape ["b", length] (else [length])
};

/// What the library writer and the runtime need to know about a kernel.
struct KernelInfo {
  std::string symbol;   ///< the extern "C" __global__ function
  std::string arch;     ///< "sm_80", "sm_90a"
  int64_t sm = 0;       ///< 80, 90
  int64_t blockM = 0, blockN = 0, numWarps = 0, stages = 0;
  int64_t warpgroups = 0;  ///< consumer warpgroups; 0: the mma.sync kernel
  /// How the warp-specialised kernel's CTAs take work tiles: one CTA each
  /// (grid), or min(work tiles, SMs) CTAs looping (persistent, dynamic).
  target::Launch launch = target::Launch::Grid;
  /// How the warp-specialised kernel writes O (sm90/epilogue.cuh).
  target::Epilogue epilogue = target::Epilogue::Direct;
  /// The boxes of a kernel that tiles the token grid in N-d; empty otherwise.
  std::vector<int64_t> qBox, kvBox;
  int64_t threads = 0;
  int64_t smemBytes = 0;
  std::string mode;     ///< "forward"
  /// The plan kernels that run before it, in this order: the summaries of the id tensors the
  /// mask reads (attn/device/plan.h; blockIdx.z indexes `summaries`), "" if it reads none;
  /// then the kv tiles of each work tile (attn/device/kv_plan.h), "" unless plansKvTiles.
  std::string summarySymbol;
  std::vector<PlanSummary> summaries;
  std::string kvPlanSymbol;
  bool kvPlanPerHead = false; ///< an entry per head: the mask reads h
  /// The same kernel over packed heads, the q heads of a kv head's group in one q tile's rows
  /// (attn_forward_params::pack_heads), for a warp-specialised kernel over the sequence, not
  /// routed, whose hooks do not read h: `symbol` + "_packed"; "" for the others.
  std::string packedHeadsSymbol;
  std::string config;   ///< the tile config in words, for reports

  /// The warp-specialised kernel takes the TMA tensor maps of Q, K and V as a
  /// second parameter and a 1-d grid of work tiles.
  bool warpSpecialized() const { return warpgroups > 0; }
};

struct EmittedKernel {
  KernelInfo info;
  std::string source;   ///< the whole .cu file
};

/// `origin` names the spec file in the header comment. Fails, with an error on
/// the kernel, for a tile config whose shared memory the target cannot give.
mlir::FailureOr<EmittedKernel> emitCudaKernel(mlir::tile::KernelOp kernel,
                                              llvm::StringRef origin);

/// The C++ namespace of a kernel's hooks: `attn_variant_<symbol>`.
std::string hookNamespace(llvm::StringRef symbol);

/// Whether a warp-specialised kernel reads its kv tiles from the call's kv plan
/// (attn/device/kv_plan.h), which a plan kernel builds before it: its kv_bounds
/// is a run-time scan alone, over a token sequence. Its kv_bounds hook (for
/// host tests) is the scan itself.
bool plansKvTiles(mlir::tile::KernelOp kernel);

/// Whether the kernel's mask reads the head index (its kv plan then has an
/// entry per head).
bool maskReadsHead(mlir::tile::KernelOp kernel);
/// Whether the mask, score or sink hook reads the head.
bool hooksReadHead(mlir::tile::KernelOp kernel);

/// Whether the kernel's hooks read a runtime tensor (tile.read).
bool readsTensors(mlir::tile::KernelOp kernel);

/// Index `var` (a query or key index, below `length` within the sequence) as
/// the kernel passes it to the mask and score hooks. Tiles overhang the
/// sequence (rows past seqlen_q, keys past seqlen_k) and the kernel discards
/// what it computes there; but a hook that reads a runtime tensor must not
/// read past its end, so kernels whose hooks read tensors clamp the index into
/// range (the value at an overhanging index is never used).
std::string hookIndex(mlir::tile::KernelOp kernel, llvm::StringRef var, llvm::StringRef length);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_CUDAEMITTER_H
