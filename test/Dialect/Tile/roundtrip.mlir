// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s -mlir-print-op-generic | attn-opt | FileCheck %s

// The contract example: a bottom-right causal kernel for sm_80.
// CHECK-LABEL: tile.kernel @causal_forward_sm80
// CHECK-SAME: attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"}
//
// Mask: keep iff k <= q + (skv - sq).
// CHECK-NEXT: tile.mask_fn {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK-NEXT: %[[LAST:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK-NEXT: %[[KEEP:.+]] = arith.cmpi sle, %[[K]], %[[LAST]] : i64
// CHECK-NEXT: tile.yield %[[KEEP]] : i1
// CHECK-NEXT: }
//
// Bounds: end = ceil(min(q_last + off + 1, skv) / 64) from the last row of the
// q tile, full_end = floor(min(q_first + off + 1, skv) / 64) from its first row.
// CHECK-NEXT: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[QT:.+]]: i64, %[[BSQ:.+]]: i64, %[[BSKV:.+]]: i64):
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[BM:.+]] = arith.constant 128 : i64
// CHECK-DAG: %[[BN:.+]] = arith.constant 64 : i64
// CHECK-DAG: %[[BN1:.+]] = arith.constant 63 : i64
// CHECK: %[[QFIRST:.+]] = arith.muli %[[QT]], %[[BM]] : i64
// CHECK-NEXT: %[[QNEXT:.+]] = arith.addi %[[QFIRST]], %[[BM]] : i64
// CHECK-NEXT: %[[QEND:.+]] = arith.minsi %[[QNEXT]], %[[BSQ]] : i64
// CHECK-NEXT: %[[QLAST:.+]] = arith.subi %[[QEND]], %[[C1]] : i64
// CHECK-NEXT: %[[BOFF:.+]] = arith.subi %[[BSKV]], %[[BSQ]] : i64
// CHECK-NEXT: %[[HI:.+]] = arith.addi %[[QLAST]], %[[BOFF]] : i64
// CHECK-NEXT: %[[HI1:.+]] = arith.addi %[[HI]], %[[C1]] : i64
// CHECK-NEXT: %[[HIC:.+]] = arith.minsi %[[HI1]], %[[BSKV]] : i64
// CHECK-NEXT: %[[HIP:.+]] = arith.maxsi %[[HIC]], %[[C0]] : i64
// CHECK-NEXT: %[[NUM:.+]] = arith.addi %[[HIP]], %[[BN1]] : i64
// CHECK-NEXT: %[[END:.+]] = arith.divsi %[[NUM]], %[[BN]] : i64
// CHECK-NEXT: %[[FHI:.+]] = arith.addi %[[QFIRST]], %[[BOFF]] : i64
// CHECK-NEXT: %[[FHI1:.+]] = arith.addi %[[FHI]], %[[C1]] : i64
// CHECK-NEXT: %[[FHIC:.+]] = arith.minsi %[[FHI1]], %[[BSKV]] : i64
// CHECK-NEXT: %[[FHIP:.+]] = arith.maxsi %[[FHIC]], %[[C0]] : i64
// CHECK-NEXT: %[[FEND:.+]] = arith.divsi %[[FHIP]], %[[BN]] : i64
// CHECK-NEXT: tile.yield %[[C0]], %[[C0]], %[[FEND]], %[[END]] : i64, i64, i64, i64
// CHECK-NEXT: }
//
// Prologue, then the kv tiles from end - 1 down: partial (diagonal) tiles,
// full tiles, partial tiles.
// CHECK-NEXT: tile.load_q
// CHECK-NEXT: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.kv_loop {span = partial_high} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_mask
// CHECK-NEXT: tile.wait {operand = v}
// CHECK-NEXT: tile.load {operand = k, which = next}
// CHECK-NEXT: tile.online_softmax
// CHECK-NEXT: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_loop {span = full} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.wait {operand = v}
// CHECK-NEXT: tile.load {operand = k, which = next}
// CHECK-NEXT: tile.online_softmax
// CHECK-NEXT: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_loop {span = partial_low} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.epilogue {write_lse = true}
// CHECK-NEXT: }
tile.kernel @causal_forward_sm80 attributes {
    config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>,
    element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %off = arith.subi %skv, %sq : i64
    %last = arith.addi %q, %off : i64
    %keep = arith.cmpi sle, %k, %last : i64
    tile.yield %keep : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %c1 = arith.constant 1 : i64
    %block_m = arith.constant 128 : i64
    %block_n = arith.constant 64 : i64
    %block_n_minus_1 = arith.constant 63 : i64
    // Rows of this q tile: [q_first, q_end).
    %q_first = arith.muli %q_tile, %block_m : i64
    %q_next = arith.addi %q_first, %block_m : i64
    %q_end = arith.minsi %q_next, %sq : i64
    %q_last = arith.subi %q_end, %c1 : i64
    %off = arith.subi %skv, %sq : i64
    // Keys seen by the last row: [0, min(q_last + off + 1, skv)).
    %hi = arith.addi %q_last, %off : i64
    %hi_excl = arith.addi %hi, %c1 : i64
    %hi_clamped = arith.minsi %hi_excl, %skv : i64
    %hi_pos = arith.maxsi %hi_clamped, %c0 : i64
    %num = arith.addi %hi_pos, %block_n_minus_1 : i64
    %end = arith.divsi %num, %block_n : i64
    // Keys seen by every row (the first row sees the fewest).
    %full_hi = arith.addi %q_first, %off : i64
    %full_excl = arith.addi %full_hi, %c1 : i64
    %full_clamped = arith.minsi %full_excl, %skv : i64
    %full_pos = arith.maxsi %full_clamped, %c0 : i64
    %full_end = arith.divsi %full_pos, %block_n : i64
    tile.yield %c0, %c0, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = partial_low} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// A dense (unmasked) kernel for sm_90: every tile below skv / 64 is full, the
// ragged last tile (if any) is partial; no LSE output.
// CHECK-LABEL: tile.kernel @dense_forward_sm90
// CHECK-SAME: config = #tile.config<arch = 90, block_m = 64, block_n = 128, num_warps = 4, stages = 3>
// CHECK-SAME: element_type = f16, head_dim = 64 : i64, mode = "forward"
// Mask: always true.
// CHECK-NEXT: tile.mask_fn {
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: tile.yield %[[TRUE]] : i1
// CHECK-NEXT: }
// Bounds: [0, 0, floor(skv / 128), ceil(skv / 128)).
// CHECK-NEXT: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[QT:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-NEXT: %[[BN:.+]] = arith.constant 128 : i64
// CHECK-NEXT: %[[BN1:.+]] = arith.constant 127 : i64
// CHECK-NEXT: %[[FULL:.+]] = arith.divsi %[[SKV]], %[[BN]] : i64
// CHECK-NEXT: %[[NUM:.+]] = arith.addi %[[SKV]], %[[BN1]] : i64
// CHECK-NEXT: %[[END:.+]] = arith.divsi %[[NUM]], %[[BN]] : i64
// CHECK-NEXT: tile.yield %[[C0]], %[[C0]], %[[FULL]], %[[END]] : i64, i64, i64, i64
// CHECK-NEXT: }
// CHECK-NEXT: tile.load_q
// CHECK-NEXT: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.kv_loop {span = partial_high} {
// CHECK: tile.apply_mask
// CHECK: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_loop {span = full} {
// CHECK-NOT: tile.apply_mask
// CHECK: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.epilogue {write_lse = false}
// CHECK-NEXT: }
tile.kernel @dense_forward_sm90 attributes {config = #tile.config<arch = 90, block_m = 64, block_n = 128, num_warps = 4, stages = 3>, element_type = f16, head_dim = 64 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %block_n = arith.constant 128 : i64
    %block_n_minus_1 = arith.constant 127 : i64
    %full_end = arith.divsi %skv, %block_n : i64
    %num = arith.addi %skv, %block_n_minus_1 : i64
    %end = arith.divsi %num, %block_n : i64
    tile.yield %c0, %c0, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = false}
}

// A mask with no closed form: the kv-tile bounds come from a run-time scan of
// the mask's interval image, and only the partial_high loop is needed here.
// CHECK-LABEL: tile.kernel @scanned
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[T:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[B:.+]], %[[FB:.+]], %[[FE:.+]], %[[E:.+]] = tile.scan_kv_tiles %[[T]], %[[SQ]], %[[SKV]]
// CHECK-NEXT: tile.yield %[[B]], %[[FB]], %[[FE]], %[[E]] : i64, i64, i64, i64
tile.kernel @scanned attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %keep = arith.cmpi sle, %k, %q : i64
    tile.yield %keep : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// A causal kernel with a score modification, softcapping at 30:
// s' = 30 * tanh(s / 30). score_fn sits between mask_fn and kv_bounds, and
// every kv loop, full ones included, applies it right after mma_qk (before
// the mask of partial tiles).
// CHECK-LABEL: tile.kernel @softcap_forward_sm80
// CHECK-NEXT: tile.mask_fn {
// CHECK: tile.yield %{{.+}} : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.score_fn {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[CAP:.+]] = arith.constant 3.000000e+01 : f32
// CHECK-NEXT: %[[X:.+]] = arith.divf %[[S]], %[[CAP]] : f32
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[X]] : f32
// CHECK-NEXT: %[[CAPPED:.+]] = arith.mulf %[[CAP]], %[[T]] : f32
// CHECK-NEXT: tile.yield %[[CAPPED]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.kv_loop {span = full} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.wait {operand = v}
// CHECK: tile.epilogue {write_lse = true}
tile.kernel @softcap_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %keep = arith.cmpi sle, %k, %q : i64
    tile.yield %keep : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    %cap = arith.constant 30.0 : f32
    %x = arith.divf %s, %cap : f32
    %t = math.tanh %x : f32
    %capped = arith.mulf %cap, %t : f32
    tile.yield %capped : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_score
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_score
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// Two kv ranges (a sink below a window): kv_bounds yields four indices per
// range, the upper range first, and the loops of range 1 say so; range 0 is
// the default and is not printed.
// CHECK-LABEL: tile.kernel @two_ranges
// CHECK: tile.kv_bounds {
// CHECK: tile.yield %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : i64, i64, i64, i64, i64, i64, i64, i64
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.kv_loop {span = full} {
// CHECK: tile.kv_loop {span = partial_high, range = 1} {
// CHECK: tile.kv_loop {span = full, range = 1} {
// CHECK: tile.epilogue
tile.kernel @two_ranges attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %c4 = arith.constant 4 : i64
    %keep = arith.cmpi slt, %k, %c4 : i64
    tile.yield %keep : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %c1 = arith.constant 1 : i64
    tile.yield %c1, %c1, %c1, %c1, %c0, %c0, %c0, %c1 : i64, i64, i64, i64, i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = partial_high, range = 1} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = full, range = 1} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// The warp-specialised sm_90a kernel family: a producer warpgroup and two
// consumer warpgroups of 64 rows (num_warps = 4 * (1 + 2)), launched
// persistent, dynamic or as a plain grid, writing O directly or through a
// TMA epilogue. The parameters survive the round trip; defaults (warpgroups =
// 0, launch = grid, epilogue = direct) are not printed, as in the kernels
// above.
// CHECK-LABEL: tile.kernel @dense_forward_sm90a
// CHECK-SAME: config = #tile.config<arch = 90, block_m = 128, block_n = 192, num_warps = 12, stages = 3, warpgroups = 2, launch = persistent, epilogue = tma>
// CHECK-LABEL: tile.kernel @causal_forward_sm90a
// CHECK-SAME: config = #tile.config<arch = 90, block_m = 192, block_n = 128, num_warps = 16, stages = 3, warpgroups = 3, launch = dynamic>
// CHECK-LABEL: tile.kernel @scan_forward_sm90a
// CHECK-SAME: config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>
tile.kernel @dense_forward_sm90a attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 192, num_warps = 12, stages = 3, warpgroups = 2, launch = persistent, epilogue = tma>, element_type = f16, head_dim = 64 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    tile.yield %c0, %c0, %c0, %c0 : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}
tile.kernel @causal_forward_sm90a attributes {config = #tile.config<arch = 90, block_m = 192, block_n = 128, num_warps = 16, stages = 3, warpgroups = 3, launch = dynamic>, element_type = f16, head_dim = 64 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    tile.yield %c0, %c0, %c0, %c0 : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}
tile.kernel @scan_forward_sm90a attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, launch = grid>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    tile.yield %c0, %c0, %c0, %c0 : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// Runtime data in the hooks: a document-id read with its declared shape, and
// int / float parameters (numbered separately: int_params, float_params).
// CHECK-LABEL: tile.kernel @packed_forward_sm80
// CHECK: tile.read %b, %q {dtype = i32, shape = ["b", "skv"], slot = 0 : i64} : i64
// CHECK: tile.param {index = 0 : i64} : i64
// CHECK: tile.param {index = 0 : i64} : f32
// CHECK: tile.read %h, %{{.+}} {dtype = bf16, shape = ["hq", 256], slot = 1 : i64} : f32
tile.kernel @packed_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %qid = tile.read %b, %q {dtype = i32, shape = ["b", "skv"], slot = 0 : i64} : i64
    %kid = tile.read %b, %k {dtype = i32, shape = ["b", "skv"], slot = 0 : i64} : i64
    %same = arith.cmpi eq, %qid, %kid : i64
    %w = tile.param {index = 0 : i64} : i64
    %d = arith.subi %q, %k : i64
    %near = arith.cmpi sle, %d, %w : i64
    %keep = arith.andi %same, %near : i1
    tile.yield %keep : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    %t = tile.param {index = 0 : i64} : f32
    %c0 = arith.constant 0 : i64
    %c255 = arith.constant 255 : i64
    %d = arith.subi %q, %k : i64
    %lo = arith.maxsi %d, %c0 : i64
    %i = arith.minsi %lo, %c255 : i64
    %bias = tile.read %h, %i {dtype = bf16, shape = ["hq", 256], slot = 1 : i64} : f32
    %scaled = arith.mulf %s, %t : f32
    %out = arith.addf %scaled, %bias : f32
    tile.yield %out : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %b0, %fb, %fe, %e = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %b0, %fb, %fe, %e : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_score
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// A causal kernel with a sink logit, sigma(b, h) = sinks[h] (gpt-oss):
// sink_fn sits after mask_fn and before kv_bounds; the kv loops are as
// without one, and the epilogue adds e^sigma to each row's denominator.
// CHECK-LABEL: tile.kernel @sink_logit_forward_sm80
// CHECK: tile.yield %{{.+}} : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.sink_fn {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[SIGMA:.+]] = tile.read %[[H]] {dtype = f32, shape = ["hq"], slot = 0 : i64} : f32
// CHECK-NEXT: tile.yield %[[SIGMA]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
// CHECK: tile.epilogue {write_lse = true}
tile.kernel @sink_logit_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %keep = arith.cmpi sle, %k, %q : i64
    tile.yield %keep : i1
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    %sigma = tile.read %h {dtype = f32, shape = ["hq"], slot = 0 : i64} : f32
    tile.yield %sigma : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// A top-left causal kernel with its row keys: row q keeps [0, min(q, skv - 1)],
// which partial tiles may test instead of calling mask_fn. row_keys sits after
// mask_fn and before kv_bounds.
// CHECK-LABEL: tile.kernel @row_keys_forward_sm90a
// CHECK: tile.yield %{{.+}} : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.row_keys {
// CHECK-NEXT: ^bb0(%[[Q:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK: %[[HI:.+]] = arith.minsi %[[Q]], %{{.+}} : i64
// CHECK-NEXT: tile.yield %{{.+}}, %[[HI]] : i64, i64
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
tile.kernel @row_keys_forward_sm90a attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %keep = arith.cmpi sle, %k, %q : i64
    tile.yield %keep : i1
  }
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %c1 = arith.constant 1 : i64
    %last = arith.subi %skv, %c1 : i64
    %hi = arith.minsi %q, %last : i64
    tile.yield %c0, %hi : i64, i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// An sm_80 kernel that tiles a 96x96 token grid in N-d: q tiles are 8x16
// boxes of the grid, kv tiles 2x16 boxes placed over each q box's keys, and
// its one loop walks those boxes (span = boxes), masking only the partial
// ones. keep iff |qy - ky| <= 6 (a band along y; y = token / 96).
// CHECK-LABEL: tile.kernel @band_forward_sm80
// CHECK-SAME: grid = array<i64: 96, 96>, head_dim = 128 : i64, kv_box = array<i64: 2, 16>, mode = "forward", q_box = array<i64: 8, 16>}
// CHECK: %[[QY:.+]] = tile.grid_coord %{{.+}} {axis = 0 : i64, size = 96 : i64, stride = 96 : i64}
// CHECK: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.kv_loop {span = boxes} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.epilogue {write_lse = true}
tile.kernel @band_forward_sm80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, grid = array<i64: 96, 96>, head_dim = 128 : i64, kv_box = array<i64: 2, 16>, mode = "forward", q_box = array<i64: 8, 16>} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %qy = tile.grid_coord %q {axis = 0 : i64, size = 96 : i64, stride = 96 : i64}
    %ky = tile.grid_coord %k {axis = 0 : i64, size = 96 : i64, stride = 96 : i64}
    %d = arith.subi %qy, %ky : i64
    %c6 = arith.constant 6 : i64
    %cm6 = arith.constant -6 : i64
    %le = arith.cmpi sle, %d, %c6 : i64
    %ge = arith.cmpi sge, %d, %cm6 : i64
    %keep = arith.andi %le, %ge : i1
    tile.yield %keep : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %begin, %full_begin, %full_end, %end = tile.scan_kv_tiles %q_tile, %sq, %skv
    tile.yield %begin, %full_begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = boxes} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}
