// RUN: attn-opt %s --attn-to-tile=archs=sm_80 --split-input-file | FileCheck %s

// A causal mask with the score softcapped at 50 (Gemma 2):
//   s' = 50 * tanh(s / 50),   s = scale * q.k
// The score region becomes tile.score_fn, op for op, between tile.mask_fn and
// tile.row_keys; the mask, its row keys and closed-form bounds are as without a score
// (two loops: the diagonal tiles, then the full ones). Every score goes
// through score_fn, in full tiles too: each loop applies it right after
// mma_qk, before the mask of the partial tiles.
// CHECK-LABEL: tile.kernel @softcap_forward_sm80
// CHECK: tile.mask_fn {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK-NEXT: %[[DIAG:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK-NEXT: %[[KEEP:.+]] = arith.cmpi sle, %[[K]], %[[DIAG]] : i64
// CHECK-NEXT: tile.yield %[[KEEP]] : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.score_fn {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[CAP:.+]] = arith.constant 5.000000e+01 : f32
// CHECK-NEXT: %[[X:.+]] = arith.divf %[[S]], %[[CAP]] : f32
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[X]] : f32
// CHECK-NEXT: %[[CAPPED:.+]] = arith.mulf %[[CAP]], %[[T]] : f32
// CHECK-NEXT: tile.yield %[[CAPPED]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: tile.row_keys {
// CHECK: tile.kv_bounds {
// CHECK: tile.load_q
// CHECK-NEXT: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.kv_loop {span = partial_high} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.apply_mask
// CHECK-NEXT: tile.wait {operand = v}
// CHECK: tile.kv_loop {span = full} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.wait {operand = v}
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue {write_lse = true}
// CHECK-NOT: attn.attention
attn.attention @softcap attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %cap = arith.constant 5.000000e+01 : f32
  %x = arith.divf %s, %cap : f32
  %t = math.tanh %x : f32
  %capped = arith.mulf %cap, %t : f32
  attn.yield %capped : f32
}

// -----

// A mask with no closed form (keys within 8 of the query) gets all three
// loops, and each applies the score right after mma_qk. The score reads the
// indices, a distance bias s' = s - d / hq with d = q - k up to the causal
// diagonal and k - q past it: its block arguments map to score_fn's in
// order, and a structured attn op in a score is expanded like one in a mask
// (attn.causal as k <= q + (skv - sq)).
// CHECK-LABEL: tile.kernel @band_forward_sm80
// CHECK: tile.score_fn {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK-NEXT: %[[DIAG:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK-NEXT: %[[PAST:.+]] = arith.cmpi sle, %[[K]], %[[DIAG]] : i64
// CHECK-NEXT: %[[BEHIND:.+]] = arith.subi %[[Q]], %[[K]] : i64
// CHECK-NEXT: %[[AHEAD:.+]] = arith.subi %[[K]], %[[Q]] : i64
// CHECK-NEXT: %[[D:.+]] = arith.select %[[PAST]], %[[BEHIND]], %[[AHEAD]] : i64
// CHECK-NEXT: %[[DF:.+]] = arith.sitofp %[[D]] : i64 to f32
// CHECK-NEXT: %[[HQF:.+]] = arith.sitofp %[[HQ]] : i64 to f32
// CHECK-NEXT: %[[BIAS:.+]] = arith.divf %[[DF]], %[[HQF]] : f32
// CHECK-NEXT: %[[BIASED:.+]] = arith.subf %[[S]], %[[BIAS]] : f32
// CHECK-NEXT: tile.yield %[[BIASED]] : f32
// CHECK-NEXT: }
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.kv_loop {span = full} {
// CHECK: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.wait {operand = v}
// CHECK: tile.kv_loop {span = partial_low} {
// CHECK: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.apply_mask
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue
attn.attention @band attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %d = arith.subi %q, %k : i64
  %c8 = arith.constant 8 : i64
  %keep = arith.cmpi sle, %d, %c8 : i64
  attn.yield %keep : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %past = attn.causal %q, %k, %sq, %skv
  %behind = arith.subi %q, %k : i64
  %ahead = arith.subi %k, %q : i64
  %d = arith.select %past, %behind, %ahead : i64
  %df = arith.sitofp %d : i64 to f32
  %hqf = arith.sitofp %hq : i64 to f32
  %bias = arith.divf %df, %hqf : f32
  %biased = arith.subf %s, %bias : f32
  attn.yield %biased : f32
}

// -----

// Without a score region the kernel has neither score_fn nor apply_score.
// CHECK-LABEL: tile.kernel @plain_forward_sm80
// CHECK-NOT: tile.score_fn
// CHECK-NOT: tile.apply_score
// CHECK: tile.epilogue
attn.attention @plain attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv
  attn.yield %keep : i1
}
