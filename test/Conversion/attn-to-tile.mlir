// RUN: attn-opt %s --attn-to-tile=archs=sm_80 --split-input-file | FileCheck %s
// RUN: attn-opt %s --attn-to-tile=archs=sm_90a --split-input-file | FileCheck %s --check-prefix=SM90

// Causal, bottom-right: keep iff k <= q + (skv - sq). Tiles are 128 x 32 for
// d = 128 (the heuristic's spill-free shape). kv tiles of q tile i:
//   end      = max(0, ceil(min(skv, min((i+1)*128, sq) + skv - sq) / 32))
//   full_end = min(end, max(0, min(floor((i*128 + skv - sq + 1) / 32), floor(skv / 32))))
// CHECK-LABEL: tile.kernel @causal_forward_sm80
// CHECK-SAME: config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>
// CHECK: tile.mask_fn {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[OFF:.+]] = arith.subi %[[SKV]], %[[SQ]] : i64
// CHECK-NEXT: %[[DIAG:.+]] = arith.addi %[[Q]], %[[OFF]] : i64
// CHECK-NEXT: %[[KEEP:.+]] = arith.cmpi sle, %[[K]], %[[DIAG]] : i64
// CHECK-NEXT: tile.yield %[[KEEP]] : i1
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[T:.+]]: i64, %[[BSQ:.+]]: i64, %[[BSKV:.+]]: i64):
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : i64
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : i64
// CHECK: %[[D:.+]] = arith.subi %[[BSKV]], %[[BSQ]] : i64
// CHECK: %[[ROW0:.+]] = arith.muli %[[T]], %[[C128]] : i64
// CHECK: %[[KEYS:.+]] = arith.ceildivsi %{{.+}}, %[[C32]] : i64
// CHECK: %[[END:.+]] = arith.maxsi %[[C0]], %[[KEYS]] : i64
// CHECK: %[[FULL_END:.+]] = arith.minsi %[[END]], %{{.+}} : i64
// CHECK: tile.yield %[[C0]], %[[C0]], %[[FULL_END]], %[[END]] : i64, i64, i64, i64
// CHECK: tile.load_q
// CHECK: tile.load {operand = k, which = first}
// CHECK: tile.kv_loop {span = partial_high} {
// CHECK: tile.mma_qk
// CHECK-NEXT: tile.apply_mask
// CHECK: tile.kv_loop {span = full} {
// CHECK-NOT: tile.apply_mask
// CHECK: tile.epilogue {write_lse = true}
// CHECK-NOT: attn.attention
// sm_90a: the warp-specialised kernel, a producer and two consumer warpgroups
// (12 warps) over 128 x 128 tiles; a causal mask's work tiles differ in cost,
// so persistent CTAs take them from a counter (launch = dynamic). The kv
// bounds are the same closed form with N = 128.
// SM90-LABEL: tile.kernel @causal_forward_sm90a
// SM90-SAME: config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, launch = dynamic, epilogue = tma>
// SM90: tile.kv_bounds {
// SM90-DAG: arith.constant 128 : i64
// SM90: arith.floordivsi
// SM90: tile.epilogue {write_lse = true}
attn.attention @causal attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<bottom_right>}
  attn.yield %keep : i1
}

// -----

// Dense, d = 64: 128 x 64 tiles. full = [0, floor(skv/64)), end = ceil(skv/64);
// the tail tile past a multiple of 64 is partial (bounds only).
// CHECK-LABEL: tile.kernel @dense_forward_sm80
// CHECK-SAME: block_m = 128, block_n = 64
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %[[SKV:.+]]: i64):
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : i64
// CHECK: %[[FULL:.+]] = arith.floordivsi %[[SKV]], %[[C64]] : i64
// CHECK: %[[END:.+]] = arith.ceildivsi %[[SKV]], %[[C64]] : i64
// CHECK: tile.yield %[[C0]], %[[C0]], %[[FULL]], %[[END]]
// CHECK: tile.kv_loop {span = partial_high}
// CHECK: tile.kv_loop {span = full}
// sm_90a, d = 64, dense, no score: 192-key tiles, 3 stages, and a persistent
// grid dealt in a fixed order (every work tile costs the same):
// full = [0, floor(skv/192)).
// SM90-LABEL: tile.kernel @dense_forward_sm90a
// SM90-SAME: config = #tile.config<arch = 90, block_m = 128, block_n = 192, num_warps = 12, stages = 3, warpgroups = 2, launch = persistent, epilogue = tma>
// SM90: tile.kv_bounds {
// SM90-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %[[SKV:.+]]: i64):
// SM90-DAG: %[[C192:.+]] = arith.constant 192 : i64
// SM90: arith.floordivsi %[[SKV]], %[[C192]] : i64
attn.attention @dense attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// A mask with no closed form (every third key: not an interval of keys):
// tile.scan_kv_tiles classifies the kv tiles at run time, and all three loops
// exist: partial tiles on both sides of a full run.
// CHECK-LABEL: tile.kernel @every_third_forward_sm80
// CHECK: tile.mask_fn {
// CHECK: arith.remsi
// CHECK: arith.cmpi eq
// CHECK: tile.kv_bounds {
// CHECK-NEXT: ^bb0(%[[T:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[B:.+]], %[[FB:.+]], %[[FE:.+]], %[[E:.+]] = tile.scan_kv_tiles %[[T]], %[[SQ]], %[[SKV]]
// CHECK-NEXT: tile.yield %[[B]], %[[FB]], %[[FE]], %[[E]] : i64, i64, i64, i64
// CHECK: tile.kv_loop {span = partial_high}
// CHECK: tile.apply_mask
// CHECK: tile.kv_loop {span = full}
// CHECK-NOT: tile.apply_mask
// CHECK: tile.kv_loop {span = partial_low}
// CHECK: tile.apply_mask
// CHECK: tile.epilogue
// sm_90a: the same scan (run by the library's kv plan kernel, Codegen/emit-cuda.test), and
// persistent CTAs taking tiles from a counter, as the plan's kept work differs per tile.
// SM90-LABEL: tile.kernel @every_third_forward_sm90a
// SM90-SAME: block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, launch = dynamic, epilogue = tma>
// SM90: tile.scan_kv_tiles
attn.attention @every_third attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %c3 = arith.constant 3 : i64
  %c0 = arith.constant 0 : i64
  %r = arith.remsi %k, %c3 : i64
  %keep = arith.cmpi eq, %r, %c0 : i64
  attn.yield %keep : i1
}

// -----

// A mask that keeps nothing visits no tile: O = 0 and LSE = -inf everywhere.
// CHECK-LABEL: tile.kernel @nothing_forward_sm80
// CHECK: tile.yield %[[Z:.+]], %[[Z]], %[[Z]], %[[Z]] : i64, i64, i64, i64
// CHECK-NOT: tile.kv_loop
// CHECK: tile.epilogue
attn.attention @nothing attributes {element_type = bf16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %false = arith.constant false
  attn.yield %false : i1
}
