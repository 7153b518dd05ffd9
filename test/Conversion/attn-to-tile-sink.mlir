// RUN: attn-opt %s --attn-to-tile=archs=sm_80,sm_90a | FileCheck %s

// A causal mask with a sink logit, sigma(b, h) = sinks[h] (gpt-oss attention
// sinks): O = sum_k e^{s_k} v_k / (e^sigma + sum_k e^{s_k}). The sink region
// becomes tile.sink_fn, op for op (attn.read → tile.read with the tensor's
// dtype and shape), after tile.mask_fn and before tile.kv_bounds, in every
// target's kernel. The kv loops are those of plain causal attention: the sink
// changes only the epilogue's normaliser.
// CHECK-LABEL: tile.kernel @sink_forward_sm80
// CHECK: tile.mask_fn {
// CHECK: tile.yield %{{.+}} : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.sink_fn {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[SIGMA:.+]] = tile.read %[[H]] {dtype = f32, shape = ["hq"], slot = 0 : i64} : f32
// CHECK-NEXT: %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: %[[SCALED:.+]] = arith.mulf %[[SIGMA]], %[[TWO]] : f32
// CHECK-NEXT: tile.yield %[[SCALED]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: tile.row_keys {
// CHECK: tile.kv_bounds {
// CHECK-NOT: tile.apply_score
// CHECK: tile.epilogue {write_lse = true}
// CHECK-LABEL: tile.kernel @sink_forward_sm90a
// CHECK: tile.sink_fn {
// CHECK: tile.read %{{.+}} {dtype = f32, shape = ["hq"], slot = 0 : i64} : f32
// CHECK: tile.kv_bounds {
// CHECK-NOT: attn.attention
attn.attention @sink attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], tensors = [{dtype = f32, name = "sinks", shape = ["hq"]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv
  attn.yield %keep : i1
} sink {
^bb0(%b: i64, %h: i64, %hq: i64):
  %sigma = attn.read %h {slot = 0 : i64} : f32
  %two = arith.constant 2.0 : f32
  %scaled = arith.mulf %sigma, %two : f32
  attn.yield %scaled : f32
}
