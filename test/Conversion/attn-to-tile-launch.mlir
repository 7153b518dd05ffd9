// The pass option `launch` overrides the heuristics' launch of warp-specialised
// kernels (attnc --launch); sm_80 kernels have none to override.
// RUN: attn-opt %s "--attn-to-tile=launch=grid" | FileCheck %s
// CHECK: tile.kernel @causal_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>
// CHECK: tile.kernel @causal_forward_sm90a attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, epilogue = tma>
// RUN: attn-opt %s "--attn-to-tile=archs=sm_90a launch=persistent" | FileCheck %s --check-prefix=PERSISTENT
// PERSISTENT: warpgroups = 2, launch = persistent, epilogue = tma>
// RUN: not attn-opt %s "--attn-to-tile=launch=bogus" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: unknown launch 'bogus'; one of grid, persistent, dynamic
attn.attention @causal attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}
