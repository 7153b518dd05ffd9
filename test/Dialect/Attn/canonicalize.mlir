// RUN: attn-opt %s -canonicalize | FileCheck %s

// sq and skv are the same value, so skv - sq = 0 and the bottom-right mask
// k <= q + (skv - sq) is the top-left mask k <= q.
// CHECK-LABEL: attn.attention @self_attention
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SQ]] {alignment = #attn.alignment<top_left>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @self_attention attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %sq {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}

// Distinct sq and skv: bottom_right stays (k <= q + (skv - sq) differs from k <= q).
// CHECK-LABEL: attn.attention @cross_lengths
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<bottom_right>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @cross_lengths attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}

// top_left with the query as key: k <= k always holds, so the mask is true.
// CHECK-LABEL: attn.attention @diagonal_top_left
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: attn.yield %[[TRUE]] : i1
attn.attention @diagonal_top_left attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %q, %sq, %skv {alignment = #attn.alignment<top_left>}
  attn.yield %keep : i1
}

// Both rules: bottom_right with sq == skv becomes top_left, and q == k
// then folds to true.
// CHECK-LABEL: attn.attention @diagonal_bottom_right
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: attn.yield %[[TRUE]] : i1
attn.attention @diagonal_bottom_right attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %k, %k, %skv, %skv
  attn.yield %keep : i1
}

// bottom_right with q == k but sq != skv is k <= k + (skv - sq): not folded.
// CHECK-LABEL: attn.attention @diagonal_cross_lengths
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[Q]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<bottom_right>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @diagonal_cross_lengths attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %q, %sq, %skv
  attn.yield %keep : i1
}

// Constant indices are evaluated: q = 3, sq = 4, skv = 8 gives the last kept
// key 3 + (8 - 4) = 7, so k = 7 is kept ...
// CHECK-LABEL: attn.attention @constant_kept
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: attn.yield %[[TRUE]] : i1
attn.attention @constant_kept attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c3 = arith.constant 3 : i64
  %c4 = arith.constant 4 : i64
  %c7 = arith.constant 7 : i64
  %c8 = arith.constant 8 : i64
  %keep = attn.causal %c3, %c7, %c4, %c8
  attn.yield %keep : i1
}

// ... and k = 8 is not.
// CHECK-LABEL: attn.attention @constant_dropped
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[FALSE:.+]] = arith.constant false
// CHECK-NEXT: attn.yield %[[FALSE]] : i1
attn.attention @constant_dropped attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c3 = arith.constant 3 : i64
  %c4 = arith.constant 4 : i64
  %c8 = arith.constant 8 : i64
  %keep = attn.causal %c3, %c8, %c4, %c8
  attn.yield %keep : i1
}

// top_left with constants: k = 4 > q = 3 is dropped whatever the lengths.
// CHECK-LABEL: attn.attention @constant_top_left
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[FALSE:.+]] = arith.constant false
// CHECK-NEXT: attn.yield %[[FALSE]] : i1
attn.attention @constant_top_left attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c1 = arith.constant 1 : i64
  %c3 = arith.constant 3 : i64
  %c4 = arith.constant 4 : i64
  %c9 = arith.constant 9 : i64
  %keep = attn.causal %c3, %c4, %c1, %c9 {alignment = #attn.alignment<top_left>}
  attn.yield %keep : i1
}

// The score region folds too, and its constants stay inside it (the op is
// isolated from above): s * 1 -> s, exp2(-1) -> 0.5, so s' = s * 0.5. The
// mask folds on its own as before (bottom_right with sq == skv is top_left).
// CHECK-LABEL: attn.attention @score_folds
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SQ]] {alignment = #attn.alignment<top_left>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } score {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[SCALED:.+]] = arith.mulf %[[S]], %[[HALF]] : f32
// CHECK-NEXT: attn.yield %[[SCALED]] : f32
// CHECK-NEXT: }
attn.attention @score_folds attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %sq
  attn.yield %keep : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %one = arith.constant 1.0 : f32
  %minus_one = arith.constant -1.0 : f32
  %same = arith.mulf %s, %one : f32
  %half = math.exp2 %minus_one : f32
  %scaled = arith.mulf %same, %half : f32
  attn.yield %scaled : f32
}
