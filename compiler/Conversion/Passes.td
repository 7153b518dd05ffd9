//===- Passes.td - attnc conversion passes -----------------*- tablegen -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_PASSES_TD
#define ATTNC_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnToTile : Pass<"attn-to-tile", "::mlir::ModuleOp"> {
  let summary = "Lower each attn.attention to one tile.kernel per (mode, target)";
  let description = [{
    For every `attn.attention` and each of its modes and each requested
    target, builds a `tile.kernel` named `<name>_<mode>_<target>`:

    * the tile config comes from the target's tile heuristics
      (compiler/Target/TileHeuristics.h);
    * the mask region is cloned into `tile.mask_fn`, structured attn ops
      expanded to arith (`attn.causal` → `k <= q + (skv - sq)`);
    * a score region, if any, is cloned the same way into `tile.score_fn`,
      and every kv loop gets a `tile.apply_score` right after `tile.mma_qk`
      (full and partial tiles alike; the mask analysis ignores the score);
    * `tile.kv_bounds` gets the closed-form kv-tile range of a q tile for the
      masks the analysis recognises (dense, empty, causal); any other mask
      visits every kv tile as a partial one;
    * the kv loops are laid out partial_high, full, partial_low, each with the
      FlashAttention-2 step order, and only the loops whose range can be
      non-empty are emitted.

    The attn.attention op is erased.

    Before:
    ```mlir
    attn.attention @causal attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
    ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
      %keep = attn.causal %q, %k, %sq, %skv
      attn.yield %keep : i1
    }
    ```
    After (`archs=sm_80`):
    ```mlir
    tile.kernel @causal_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, ...} {
      tile.mask_fn { ... arith.cmpi sle %k, %diag ... }
      tile.kv_bounds { ... }
      tile.load_q
      tile.load {operand = k, which = first}
      tile.kv_loop {span = partial_high} { ... tile.apply_mask ... }
      tile.kv_loop {span = full} { ... }
      tile.epilogue {write_lse = true}
    }
    ```
  }];
  let options = [
    ListOption<"archs", "archs", "std::string",
               "targets to build kernels for (sm_80, sm_90a); default: all">,
    Option<"launch", "launch", "std::string", /*default=*/"\"\"",
           "how the warp-specialised (sm_90a) kernels' CTAs take work tiles: "
           "grid, persistent or dynamic; default: chosen per mask">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tile::TileDialect"];
}

#endif // ATTNC_COMPILER_CONVERSION_PASSES_TD
