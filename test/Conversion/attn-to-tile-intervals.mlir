// RUN: attn-opt %s --attn-to-tile=archs=sm_80 --split-input-file | FileCheck %s

// Masks affine in (q, k) get closed-form kv ranges from their row intervals
// (compiler/Conversion/AttnToTile/IntervalBounds.cpp). Tiles are 128 x 32.

// Sliding window: row q keeps [d(q) - 1024, d(q)], d(q) = q + (skv - sq).
// For the rows r0 = 128·i .. r1 = min(r0 + 128, sq) - 1 of q tile i:
//   L = max(d(r0) - 1024, 0), H = min(d(r1), skv - 1)
//   begin = L <= H ? ⌊L/32⌋ : 0,  end = L <= H ? ⌊H/32⌋ + 1 : 0
//   full_begin = clamp(⌈max(d(r1) - 1024, 0)/32⌉, begin, end)
//   full_end   = clamp(⌊(min(d(r0), skv - 1) + 1)/32⌋, full_begin, end)
// CHECK-LABEL: tile.kernel @window_forward_sm80
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[T:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : i64
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : i64
// CHECK: %[[R0:.+]] = arith.muli %[[T]], %[[C128]] : i64
// CHECK: %[[NEXT:.+]] = arith.addi %[[R0]], %[[C128]] : i64
// CHECK: %[[ROWS_END:.+]] = arith.minsi %[[NEXT]], %[[SQ]] : i64
// CHECK: %[[R1:.+]] = arith.subi %[[ROWS_END]], %[[C1]] : i64
// CHECK: %[[LAST_KEY:.+]] = arith.subi %[[SKV]], %[[C1]] : i64
// CHECK: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK: %[[D0:.+]] = arith.addi %[[R0]], %[[OFF]] : i64
// CHECK: %[[C1024:.+]] = arith.constant 1024 : i64
// CHECK: %[[LO0:.+]] = arith.subi %[[D0]], %[[C1024]] : i64
// CHECK: %[[D1:.+]] = arith.addi %[[R1]], %[[OFF]] : i64
// CHECK: %[[LO1:.+]] = arith.subi %[[D1]], %[[C1024]] : i64
// CHECK: %[[L:.+]] = arith.maxsi %[[LO0]], %[[C0]] : i64
// CHECK: %[[H:.+]] = arith.minsi %[[D1]], %[[LAST_KEY]] : i64
// CHECK: %[[SOME:.+]] = arith.cmpi sle, %[[L]], %[[H]] : i64
// CHECK: %[[LT:.+]] = arith.floordivsi %[[L]], %[[C32]] : i64
// CHECK: %[[BEGIN:.+]] = arith.select %[[SOME]], %[[LT]], %[[C0]] : i64
// CHECK: %[[HT:.+]] = arith.floordivsi %[[H]], %[[C32]] : i64
// CHECK: %[[HT1:.+]] = arith.addi %[[HT]], %[[C1]] : i64
// CHECK: %[[END:.+]] = arith.select %[[SOME]], %[[HT1]], %[[C0]] : i64
// CHECK: %[[FL:.+]] = arith.maxsi %[[LO1]], %[[C0]] : i64
// CHECK: %[[FH:.+]] = arith.minsi %[[D0]], %[[LAST_KEY]] : i64
// CHECK: %[[FLT:.+]] = arith.ceildivsi %[[FL]], %[[C32]] : i64
// CHECK: %[[FB0:.+]] = arith.maxsi %[[FLT]], %[[BEGIN]] : i64
// CHECK: %[[FB:.+]] = arith.minsi %[[FB0]], %[[END]] : i64
// CHECK: %[[FH1:.+]] = arith.addi %[[FH]], %[[C1]] : i64
// CHECK: %[[FHT:.+]] = arith.floordivsi %[[FH1]], %[[C32]] : i64
// CHECK: %[[FE0:.+]] = arith.maxsi %[[FHT]], %[[FB]] : i64
// CHECK: %[[FE:.+]] = arith.minsi %[[FE0]], %[[END]] : i64
// CHECK: tile.yield %[[BEGIN]], %[[FB]], %[[FE]], %[[END]] : i64, i64, i64, i64
// A window has partial tiles on both sides of its full run: three loops.
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.apply_mask
// CHECK: tile.kv_loop {span = full} {
// CHECK-NOT: tile.apply_mask
// CHECK: tile.kv_loop {span = partial_low} {
// CHECK: tile.apply_mask
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue
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

// Sink + window (StreamingLLM): row q keeps [-inf, 3] ∪ [d(q) - 256, d(q)],
// two disjoint intervals, so two kv ranges. Each is computed as above; they
// are sorted by begin (the longer first on a tie), the lower one takes the
// union of the full runs when they touch, and the upper one's begin is
// raised to the lower one's end. The yield lists the upper range first.
// CHECK-LABEL: tile.kernel @sink_window_forward_sm80
// CHECK: tile.kv_bounds {
// The sink's hull [0, min(3, skv - 1)]:
// CHECK: %[[C3:.+]] = arith.constant 3 : i64
// CHECK: %[[SINK_H:.+]] = arith.minsi %[[C3]], %{{.+}} : i64
// Sorting: the sink range is the lower one iff it begins first, or begins
// with the window's range and ends no earlier.
// CHECK: %[[NOT_SHORTER:.+]] = arith.cmpi sge, %[[SINK_END:.+]], %[[WIN_END:.+]] : i64
// CHECK: %[[TIE:.+]] = arith.cmpi eq, %[[SINK_BEGIN:.+]], %[[WIN_BEGIN:.+]] : i64
// CHECK: %[[TIE_LONGER:.+]] = arith.andi %[[TIE]], %[[NOT_SHORTER]] : i1
// CHECK: %[[FIRST:.+]] = arith.cmpi slt, %[[SINK_BEGIN]], %[[WIN_BEGIN]] : i64
// CHECK: %[[SINK_LOW:.+]] = arith.ori %[[FIRST]], %[[TIE_LONGER]] : i1
// CHECK: %[[LOW_BEGIN:.+]] = arith.select %[[SINK_LOW]], %[[SINK_BEGIN]], %[[WIN_BEGIN]] : i64
// CHECK: %[[LOW_END:.+]] = arith.select %[[SINK_LOW]], %[[SINK_END]], %[[WIN_END]] : i64
// CHECK: %[[HIGH_BEGIN0:.+]] = arith.select %[[SINK_LOW]], %[[WIN_BEGIN]], %[[SINK_BEGIN]] : i64
// CHECK: %[[HIGH_END0:.+]] = arith.select %[[SINK_LOW]], %[[WIN_END]], %[[SINK_END]] : i64
// No tile twice: high.begin = max(high.begin, low.end), high.end >= high.begin.
// CHECK: %[[HIGH_BEGIN:.+]] = arith.maxsi %[[HIGH_BEGIN0]], %[[LOW_END]] : i64
// CHECK: %[[HIGH_END:.+]] = arith.maxsi %[[HIGH_END0]], %[[HIGH_BEGIN]] : i64
// CHECK: tile.yield %[[HIGH_BEGIN]], %{{.+}}, %{{.+}}, %[[HIGH_END]], %[[LOW_BEGIN]], %{{.+}}, %{{.+}}, %[[LOW_END]] : i64, i64, i64, i64, i64, i64, i64, i64
// Six loops: the upper range's, then the lower range's (range = 1).
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.kv_loop {span = full} {
// CHECK: tile.kv_loop {span = partial_low} {
// CHECK: tile.kv_loop {span = partial_high, range = 1} {
// CHECK: tile.apply_mask
// CHECK: tile.kv_loop {span = full, range = 1} {
// CHECK-NOT: tile.apply_mask
// CHECK: tile.kv_loop {span = partial_low, range = 1} {
// CHECK: tile.apply_mask
// CHECK: tile.epilogue
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

// Prefix-LM: causal || k < 2048 is one interval [-inf, max(d(q), 2047)]
// (the two share their unbounded lower end), so one range that starts at
// tile 0: no partial_low loop, like causal.
//   H = min(max(d(r1), 2047), skv - 1),  full_end from min(max(d(r0), 2047), skv - 1)
// CHECK-LABEL: tile.kernel @prefix_lm_forward_sm80
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK: %[[D1:.+]] = arith.addi %{{.+}}, %[[OFF]] : i64
// CHECK: %[[C2047:.+]] = arith.constant 2047 : i64
// CHECK: %[[HI1:.+]] = arith.maxsi %[[D1]], %[[C2047]] : i64
// CHECK: %[[H:.+]] = arith.minsi %[[HI1]], %{{.+}} : i64
// CHECK: tile.yield
// CHECK: tile.kv_loop {span = partial_high}
// CHECK: tile.kv_loop {span = full}
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue
attn.attention @prefix_lm attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %causal = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  %c2048 = arith.constant 2048 : i64
  %prefix = arith.cmpi slt, %k, %c2048 : i64
  %keep = arith.ori %causal, %prefix : i1
  attn.yield %keep : i1
}

// -----

// Chunked causal: ⌊d(q)/2048⌋ == ⌊k/2048⌋ && k <= d(q) is the interval
// [⌊d(q)/2048⌋·2048, d(q)]: the chunk's start is monotone in q, so the
// lower end is evaluated at r0 (for the hull) and r1 (for the full tiles).
// CHECK-LABEL: tile.kernel @chunked_forward_sm80
// CHECK: tile.kv_bounds {
// CHECK: %[[C2048:.+]] = arith.constant 2048 : i64
// CHECK: %[[CHUNK0:.+]] = arith.floordivsi %[[D0:.+]], %[[C2048]] : i64
// CHECK: %[[START0:.+]] = arith.muli %[[CHUNK0]], %[[C2048]] : i64
// CHECK: %[[CHUNK1:.+]] = arith.floordivsi %[[D1:.+]], %[[C2048]] : i64
// CHECK: %[[START1:.+]] = arith.muli %[[CHUNK1]], %[[C2048]] : i64
// CHECK: arith.maxsi %[[START0]], %{{.+}} : i64
// CHECK: arith.maxsi %[[START1]], %{{.+}} : i64
// CHECK: tile.yield
// CHECK: tile.kv_loop {span = partial_high}
// CHECK: tile.kv_loop {span = full}
// CHECK: tile.kv_loop {span = partial_low}
attn.attention @chunked attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c2048 = arith.constant 2048 : i64
  %off = arith.subi %skv, %sq : i64
  %diag = arith.addi %q, %off : i64
  %diag_chunk = arith.floordivsi %diag, %c2048 : i64
  %key_chunk = arith.floordivsi %k, %c2048 : i64
  %same = arith.cmpi eq, %diag_chunk, %key_chunk : i64
  %causal = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  %keep = arith.andi %same, %causal : i1
  attn.yield %keep : i1
}
