// RUN: attn-opt %s --attn-to-tile=archs=sm_90a --split-input-file | FileCheck %s

// tile.row_keys (compiler/Conversion/AttnToTile/RowKeys.cpp): for a mask
// affine in (q, k) the keys row q keeps, as the row intervals of the mask
// analysis at q, clamped to lo ∈ [0, skv], hi ∈ [-1, skv - 1]. It comes after
// the hooks and before tile.kv_bounds; partial tiles of the sm_90a kernel
// test keys against it instead of calling the mask.

// Causal (bottom-right): row q keeps [0, q + skv - sq].
// CHECK-LABEL: tile.kernel @causal_forward_sm90a
// CHECK: tile.row_keys {
// CHECK-NEXT: ^bb0(%[[Q:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : i64
// CHECK: %[[LAST:.+]] = arith.subi %[[SKV]], %[[C1]] : i64
// CHECK: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK: %[[DIAG:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK: %[[CM1:.+]] = arith.constant -1 : i64
// CHECK: %[[HI0:.+]] = arith.maxsi %[[DIAG]], %[[CM1]] : i64
// CHECK: %[[HI:.+]] = arith.minsi %[[HI0]], %[[LAST]] : i64
// CHECK: tile.yield %[[C0]], %[[HI]] : i64, i64
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
attn.attention @causal attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}

// -----

// Top-left causal: row q keeps [0, q].
// CHECK-LABEL: tile.kernel @causal_top_left_forward_sm90a
// CHECK: tile.row_keys {
// CHECK-NEXT: ^bb0(%[[Q:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK: %[[HI0:.+]] = arith.maxsi %[[Q]], %{{.+}} : i64
// CHECK: %[[HI:.+]] = arith.minsi %[[HI0]], %{{.+}} : i64
// CHECK: tile.yield %{{.+}}, %[[HI]] : i64, i64
attn.attention @causal_top_left attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<top_left>}
  attn.yield %keep : i1
}

// -----

// Sliding window: row q keeps [d - 1024, d], d = q + skv - sq; both ends clamped.
// CHECK-LABEL: tile.kernel @window_forward_sm90a
// CHECK: tile.row_keys {
// CHECK-NEXT: ^bb0(%[[Q:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK: %[[C0:.+]] = arith.constant 0 : i64
// CHECK: %[[LAST:.+]] = arith.subi %[[SKV]], %{{.+}} : i64
// CHECK: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK: %[[D:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK: %[[C1024:.+]] = arith.constant 1024 : i64
// CHECK: %[[LO0:.+]] = arith.subi %[[D]], %[[C1024]] : i64
// CHECK: %[[LO1:.+]] = arith.maxsi %[[LO0]], %[[C0]] : i64
// CHECK: %[[LO:.+]] = arith.minsi %[[LO1]], %[[SKV]] : i64
// CHECK: %[[CM1:.+]] = arith.constant -1 : i64
// CHECK: %[[HI0:.+]] = arith.maxsi %[[D]], %[[CM1]] : i64
// CHECK: %[[HI:.+]] = arith.minsi %[[HI0]], %[[LAST]] : i64
// CHECK: tile.yield %[[LO]], %[[HI]] : i64, i64
attn.attention @window attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c1024 = arith.constant 1024 : i64
  %c0 = arith.constant 0 : i64
  %off = arith.subi %skv, %sq : i64
  %diag = arith.addi %q, %off : i64
  %behind = arith.subi %diag, %k : i64
  %ahead = arith.subi %k, %diag : i64
  %near_left = arith.cmpi sle, %behind, %c1024 : i64
  %near_right = arith.cmpi sle, %ahead, %c0 : i64
  %keep = arith.andi %near_left, %near_right : i1
  attn.yield %keep : i1
}

// -----

// Sink + window: two intervals, [d - 256, d] and [0, min(d, 3)].
// CHECK-LABEL: tile.kernel @sink_window_forward_sm90a
// CHECK: tile.row_keys {
// CHECK: tile.yield %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : i64, i64, i64, i64
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
attn.attention @sink_window attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c4 = arith.constant 4 : i64
  %c256 = arith.constant 256 : i64
  %off = arith.subi %skv, %sq : i64
  %diag = arith.addi %q, %off : i64
  %behind = arith.subi %diag, %k : i64
  %in_window = arith.cmpi sle, %behind, %c256 : i64
  %causal = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  %window = arith.andi %in_window, %causal : i1
  %sink = arith.cmpi slt, %k, %c4 : i64
  %keep = arith.ori %sink, %window : i1
  attn.yield %keep : i1
}

// -----

// A mask of the head has no row intervals (nor does a dense one need them):
// no tile.row_keys, and partial tiles call the mask.
// CHECK-LABEL: tile.kernel @per_head_forward_sm90a
// CHECK-NOT: tile.row_keys
// CHECK: tile.kv_bounds {
// CHECK-LABEL: tile.kernel @dense_forward_sm90a
// CHECK-NOT: tile.row_keys
// CHECK: tile.kv_bounds {
attn.attention @per_head attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %near = arith.cmpi sle, %k, %h : i64
  attn.yield %near : i1
}
attn.attention @dense attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}
