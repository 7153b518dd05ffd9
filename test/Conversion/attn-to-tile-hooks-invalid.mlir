// RUN: attn-opt %s --attn-to-tile=archs=sm_80 -split-input-file -verify-diagnostics

// A mask stays integer arith (tile.scan_kv_tiles evaluates it with interval
// arithmetic): math is for scores only.
attn.attention @math_in_mask attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %qf = arith.sitofp %q : i64 to f32
  // expected-error @+1 {{'math.absf' op has no lowering into tile.mask_fn}}
  %d = math.absf %qf : f32
  %zero = arith.constant 0.0 : f32
  %keep = arith.cmpf ogt, %d, %zero : f32
  attn.yield %keep : i1
}

// -----

// A score holds arith and math (and structured attn ops, expanded); any other
// op has no lowering.
func.func private @tanh(f32) -> f32

attn.attention @func_in_score attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  // expected-error @+1 {{'func.call' op has no lowering into tile.score_fn}}
  %t = func.call @tanh(%s) : (f32) -> f32
  attn.yield %t : f32
}
