// RUN: attn-opt %s -canonicalize | FileCheck %s
// RUN: attn-opt %s -canonicalize -cse | FileCheck %s

// arith folds inside the hooks, and the folded constants stay inside them
// (mask_fn and kv_bounds are isolated from above; the kernel body holds only
// tile ops):
//   mask:   k <= k + 0  ->  k <= k  ->  true
//   bounds: end + 0 -> end, 1 * full_end -> full_end, 0 + begin -> begin.
// An empty kv loop does nothing and is erased; the step ops, which read and
// write memory, are neither erased nor merged (two identical loads stay).
// CHECK-LABEL: tile.kernel @folds
// CHECK-NEXT: tile.mask_fn {
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: tile.yield %[[TRUE]] : i1
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[QT:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-NEXT: %[[C64:.+]] = arith.constant 64 : i64
// CHECK-NEXT: %[[FULL:.+]] = arith.divsi %[[SKV]], %[[C64]] : i64
// CHECK-NEXT: tile.yield %[[C0]], %[[C0]], %[[FULL]], %[[FULL]] : i64, i64, i64, i64
// CHECK-NEXT: }
// CHECK-NEXT: tile.load_q
// CHECK-NEXT: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.kv_loop {span = full} {
// CHECK-NEXT: tile.wait {operand = k}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.load {operand = v, which = current}
// CHECK-NEXT: tile.mma_qk
// CHECK-NEXT: tile.wait {operand = v}
// CHECK-NEXT: tile.online_softmax
// CHECK-NEXT: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NOT: tile.kv_loop
// CHECK-NEXT: tile.epilogue {write_lse = true}
// CHECK-NEXT: }
tile.kernel @folds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %last = arith.addi %k, %c0 : i64
    %keep = arith.cmpi sle, %k, %last : i64
    tile.yield %keep : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %c0 = arith.constant 0 : i64
    %c1 = arith.constant 1 : i64
    %c64 = arith.constant 64 : i64
    %begin = arith.addi %c0, %c0 : i64
    %full = arith.divsi %skv, %c64 : i64
    %full_end = arith.muli %c1, %full : i64
    %end = arith.addi %full, %c0 : i64
    tile.yield %begin, %begin, %full_end, %end : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_loop {span = partial_low} {
  }
  tile.epilogue {write_lse = true}
}

// Every loop empty: all are erased, the prologue and epilogue stay.
// CHECK-LABEL: tile.kernel @empty_loops
// CHECK: tile.load_q
// CHECK-NEXT: tile.load {operand = k, which = first}
// CHECK-NEXT: tile.epilogue {write_lse = false}
// CHECK-NEXT: }
tile.kernel @empty_loops attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 8, stages = 2>, element_type = f16, head_dim = 64 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = partial_high} {
  }
  tile.kv_loop {span = full} {
  }
  tile.kv_loop {span = partial_low} {
  }
  tile.epilogue {write_lse = false}
}

// Loops of the second kv range canonicalize alike: the empty one goes, the
// other keeps its range.
// CHECK-LABEL: tile.kernel @empty_loop_of_range_1
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.kv_loop {span = partial_high, range = 1} {
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue
tile.kernel @empty_loop_of_range_1 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile, %sq, %sq, %sq, %sq : i64, i64, i64, i64, i64, i64, i64, i64
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
  }
  tile.epilogue {write_lse = true}
}

// score_fn folds inside itself like the other hooks: s + -0.0 -> s (but not
// s + 0.0, which is +0.0 for s = -0.0), 2 * 0.5 -> 1.0 and s * 1.0 -> s, so
// the score is the identity. The empty full
// loop is erased (it needs no apply_score); apply_score, a step with memory
// effects, stays in the remaining loop right after mma_qk.
// CHECK-LABEL: tile.kernel @score_folds
// CHECK: tile.score_fn {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: tile.yield %[[S]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: tile.kv_bounds {
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.mma_qk
// CHECK-NEXT: tile.apply_score
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.mma_pv
// CHECK-NEXT: }
// CHECK-NEXT: tile.epilogue {write_lse = true}
tile.kernel @score_folds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %keep = arith.cmpi sle, %k, %q : i64
    tile.yield %keep : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    %minus_zero = arith.constant -0.0 : f32
    %half = arith.constant 0.5 : f32
    %two = arith.constant 2.0 : f32
    %same = arith.addf %s, %minus_zero : f32
    %one = arith.mulf %two, %half : f32
    %scaled = arith.mulf %same, %one : f32
    tile.yield %scaled : f32
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
  }
  tile.epilogue {write_lse = true}
}
