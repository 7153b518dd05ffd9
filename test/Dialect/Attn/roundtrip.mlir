// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s -mlir-print-op-generic | attn-opt | FileCheck %s

// The contract example: a bottom-right-aligned causal mask.
// CHECK-LABEL: attn.attention @causal
// CHECK-SAME: attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]}
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// keep iff k <= q + (skv - sq)
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<bottom_right>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @causal attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}

// The alignment defaults to bottom_right and is always printed.
// CHECK-LABEL: attn.attention @causal_default_alignment
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<bottom_right>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @causal_default_alignment attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv
  attn.yield %keep : i1
}

// keep iff k <= q
// CHECK-LABEL: attn.attention @causal_top_left
// CHECK-SAME: element_type = f16, head_dim = 64 : i64
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<top_left>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @causal_top_left attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<top_left>}
  attn.yield %keep : i1
}

// A mask written in arith: a causal sliding window of 256 keys,
// keep iff k <= q and q - k < 256.
// CHECK-LABEL: attn.attention @sliding_window
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[W:.+]] = arith.constant 256 : i64
// CHECK-NEXT: %[[CAUSAL:.+]] = arith.cmpi sle, %[[K]], %[[Q]] : i64
// CHECK-NEXT: %[[DIST:.+]] = arith.subi %[[Q]], %[[K]] : i64
// CHECK-NEXT: %[[NEAR:.+]] = arith.cmpi slt, %[[DIST]], %[[W]] : i64
// CHECK-NEXT: %[[KEEP:.+]] = arith.andi %[[CAUSAL]], %[[NEAR]] : i1
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
attn.attention @sliding_window attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %window = arith.constant 256 : i64
  %causal = arith.cmpi sle, %k, %q : i64
  %dist = arith.subi %q, %k : i64
  %near = arith.cmpi slt, %dist, %window : i64
  %keep = arith.andi %causal, %near : i1
  attn.yield %keep : i1
}

// No mask: every pair is kept.
// CHECK-LABEL: attn.attention @dense
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: attn.yield %[[TRUE]] : i1
attn.attention @dense attributes {element_type = bf16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}
