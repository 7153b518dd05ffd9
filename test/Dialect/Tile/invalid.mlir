// RUN: attn-opt %s -split-input-file -verify-diagnostics

// #tile.config: only sm_80 and sm_90 kernels exist.
// expected-error @+1 {{arch must be 80 or 90, got 70}}
tile.kernel @arch70 attributes {config = #tile.config<arch = 70, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{num_warps must be >= 1, got 0}}
tile.kernel @no_warps attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 0, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// Each of the 4 warps owns block_m / 4 rows, a multiple of 16.
// expected-error @+1 {{block_m must be a positive multiple of 16 * num_warps = 64, got 96}}
tile.kernel @block_m_96 attributes {config = #tile.config<arch = 80, block_m = 96, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{block_m must be a positive multiple of 16 * num_warps = 64, got 0}}
tile.kernel @block_m_0 attributes {config = #tile.config<arch = 80, block_m = 0, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{block_n must be a positive multiple of 16, got 40}}
tile.kernel @block_n_40 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 40, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{stages must be >= 1, got 0}}
tile.kernel @no_stages attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 0>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// wgmma needs sm_90a: no warp-specialised kernel for arch 80.
// expected-error @+1 {{warpgroups needs arch 90 (wgmma and TMA), got arch 80}}
tile.kernel @ws_arch80 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// At most three consumer warpgroups.
// expected-error @+1 {{warpgroups must be 1 to 3, got 4}}
tile.kernel @ws_four_consumers attributes {config = #tile.config<arch = 90, block_m = 256, block_n = 128, num_warps = 20, stages = 2, warpgroups = 4>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// Each consumer warpgroup owns 64 q rows (one wgmma M).
// expected-error @+1 {{block_m must be 64 * warpgroups = 128, got 192}}
tile.kernel @ws_block_m attributes {config = #tile.config<arch = 90, block_m = 192, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// The producer warpgroup counts among the warps.
// expected-error @+1 {{num_warps must be 4 * (1 + warpgroups) = 12 (a producer warpgroup and the consumers), got 8}}
tile.kernel @ws_num_warps attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 8, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// A kv tile is one wgmma N.
// expected-error @+1 {{block_n must be at most 256 (one wgmma N), got 272}}
tile.kernel @ws_block_n attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 272, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// The producer loads tile j+1 while the consumers work on tile j.
// expected-error @+1 {{stages must be >= 2 (the next kv tile loads during this one), got 1}}
tile.kernel @ws_one_stage attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 1, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// Only the warp-specialised kernel has a tile scheduler to run persistent.
// expected-error @+1 {{launch = persistent needs a warp-specialised kernel (warpgroups >= 1)}}
tile.kernel @mma_sync_persistent attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 64, num_warps = 4, stages = 2, launch = persistent>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{warpgroups must be >= 0, got -1}}
tile.kernel @negative_warpgroups attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 64, num_warps = 4, stages = 2, warpgroups = -1>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op head_dim must be 64, 128 or 256, got 96}}
tile.kernel @head_dim_96 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 96 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op element_type must be f16 or bf16, got 'f32'}}
tile.kernel @f32 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = f32, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op unsupported mode "backward" (supported: "forward")}}
tile.kernel @backward attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "backward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op requires attribute 'config'}}
tile.kernel @no_config attributes {element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
}

// -----

// The hooks: exactly one mask_fn and one kv_bounds, before the loops.
// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.mask_fn, found none}}
tile.kernel @no_mask_fn attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.mask_fn, found a second one}}
tile.kernel @two_mask_fns attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.mask_fn must come before every tile.kv_loop}}
tile.kernel @mask_fn_after_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.kv_bounds, found none}}
tile.kernel @no_kv_bounds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.kv_bounds, found a second one}}
tile.kernel @two_kv_bounds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.kv_bounds must come before every tile.kv_loop}}
tile.kernel @kv_bounds_after_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.epilogue {write_lse = true}
}

// -----

// The prologue: one load_q and the first K load, before the loops.
// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.load_q, found none}}
tile.kernel @no_load_q attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.load_q, found a second one}}
tile.kernel @two_load_qs attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.load_q must come before every tile.kv_loop}}
tile.kernel @load_q_after_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load {operand = k, which = first}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op the prologue tile.load must come before every tile.kv_loop}}
tile.kernel @first_load_after_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// Loops: at most one per span, visited partial_high, full, partial_low.
// expected-error @+1 {{'tile.kernel' op tile.kv_loop {span = partial_high} out of order: at most one loop per span, in the order partial_high, full, partial_low}}
tile.kernel @loops_out_of_order attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
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

// -----

// expected-error @+1 {{'tile.kernel' op tile.kv_loop {span = full} out of order: at most one loop per span, in the order partial_high, full, partial_low}}
tile.kernel @two_full_loops attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
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
  tile.epilogue {write_lse = true}
}

// -----

// The epilogue: exactly one, last.
// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.epilogue, found 0}}
tile.kernel @no_epilogue attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain exactly one tile.epilogue, found 2}}
tile.kernel @two_epilogues attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.epilogue must be the last op of the kernel}}
tile.kernel @epilogue_not_last attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.epilogue {write_lse = true}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
}

// -----

// The kernel body is a schedule of tile ops only.
// expected-error @+1 {{'tile.kernel' op body may contain only tile ops, found 'arith.constant'}}
tile.kernel @arith_in_body attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  %c0 = arith.constant 0 : i64
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op region should have no arguments}}
tile.kernel @kernel_args attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
^bb0(%x: i64):
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
  tile.epilogue {write_lse = true}
}

// -----

// Hooks: mask_fn(b, h, q, k, sq, skv) -> i1, kv_bounds(q_tile, sq, skv) -> 4 x i64.
tile.kernel @mask_fn_five_args attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  // expected-error @+1 {{'tile.mask_fn' op block must have 6 i64 arguments (b, h, q, k, sq, skv), got 5}}
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @mask_fn_i32_arg attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  // expected-error @+1 {{'tile.mask_fn' op argument #2 (q) must be i64, got 'i32'}}
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i32, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @mask_fn_yields_i64 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    // expected-error @+1 {{'tile.yield' op in tile.mask_fn must yield 1 i1, got (i64)}}
    tile.yield %q : i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @kv_bounds_two_args attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // expected-error @+1 {{'tile.kv_bounds' op block must have 3 i64 arguments (q_tile, sq, skv), got 2}}
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @kv_bounds_yields_three attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    // expected-error @+1 {{'tile.yield' op in tile.kv_bounds must yield 4 i64, got (i64, i64, i64)}}
    tile.yield %q_tile, %sq, %skv : i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @kv_bounds_yields_i1 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    // expected-error @+1 {{'tile.yield' op in tile.kv_bounds must yield 4 i64, got (i64, i64, i64, i1)}}
    tile.yield %q_tile, %sq, %skv, %true : i64, i64, i64, i1
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

func.func @mask_fn_outside_kernel() {
  // expected-error @+1 {{'tile.mask_fn' op expects parent op 'tile.kernel'}}
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  return
}

// -----

// kv_loop: full tiles are unmasked, partial tiles are masked.
tile.kernel @full_with_mask attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op full tiles carry no mask code: tile.apply_mask is not allowed in a kv_loop with span = full}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.apply_mask
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @partial_high_without_mask attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op partial tiles must be masked: tile.apply_mask is required in a kv_loop with span = partial_high}}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @partial_low_without_mask attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op partial tiles must be masked: tile.apply_mask is required in a kv_loop with span = partial_low}}
  tile.kv_loop {span = partial_low} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @mask_after_softmax attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op tile.apply_mask must come after tile.mma_qk and before tile.online_softmax}}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.apply_mask
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

// kv_loop: S = QK^T, softmax update, O += PV, in that order.
tile.kernel @no_mma_pv attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op body must contain tile.mma_qk, tile.online_softmax and tile.mma_pv, in that order}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @pv_before_softmax attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op body must contain tile.mma_qk, tile.online_softmax and tile.mma_pv, in that order}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.mma_pv
    tile.online_softmax
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @two_mma_qk attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op body must contain tile.mma_qk at most once}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

// kv_loop: an mma reads its operand only after waiting for its load.
tile.kernel @no_wait_k attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op tile.mma_qk reads K: a tile.wait {operand = k} must come before it}}
  tile.kv_loop {span = full} {
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @wait_v_late attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.kv_loop' op tile.mma_pv reads V: a tile.wait {operand = v} must come before it}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.online_softmax
    tile.mma_pv
    tile.wait {operand = v}
  }
  tile.epilogue {write_lse = true}
}

// -----

// The kv_loop terminator yields nothing.
tile.kernel @loop_yields_value attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    %c0 = arith.constant 0 : i64
    // expected-error @+1 {{'tile.yield' op in tile.kv_loop must yield nothing, got 1 values}}
    tile.yield %c0 : i64
  }
  tile.epilogue {write_lse = true}
}

// -----

// tile.load: which = first at kernel level, current / next inside loops.
tile.kernel @first_load_in_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
    // expected-error @+1 {{'tile.load' op which = first is the prologue load: it must be at kernel level, not inside a tile.kv_loop}}
    tile.load {operand = k, which = first}
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @current_load_at_kernel_level attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.load' op which = current must be inside a tile.kv_loop (only which = first is allowed at kernel level)}}
  tile.load {operand = v, which = current}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @next_load_at_kernel_level attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.load' op which = next must be inside a tile.kv_loop (only which = first is allowed at kernel level)}}
  tile.load {operand = k, which = next}
  tile.epilogue {write_lse = true}
}

// -----

// Steps run where they belong: per kv tile, or once per kernel.
tile.kernel @mma_at_kernel_level attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.mma_qk' op expects parent op 'tile.kv_loop'}}
  tile.mma_qk
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @wait_at_kernel_level attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+1 {{'tile.wait' op expects parent op 'tile.kv_loop'}}
  tile.wait {operand = k}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @load_q_in_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
    // expected-error @+1 {{'tile.load_q' op expects parent op 'tile.kernel'}}
    tile.load_q
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @epilogue_in_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
    // expected-error @+1 {{'tile.epilogue' op expects parent op 'tile.kernel'}}
    tile.epilogue {write_lse = true}
  }
  tile.epilogue {write_lse = true}
}

// -----

func.func @loop_outside_kernel() {
  // expected-error @+1 {{'tile.kv_loop' op expects parent op 'tile.kernel'}}
  tile.kv_loop {span = full} {
  }
  return
}

// -----

// Enum keywords are checked by the parser.
tile.kernel @bad_operand attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  // expected-error @+2 {{expected one of [k, v] for the K or the V operand, got: q}}
  // expected-error @+1 {{failed to parse Tile_KvOperandAttr parameter 'value'}}
  tile.load {operand = q, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// score_fn(s: f32, b, h, q, k, sq, skv, hq: i64) -> f32.
tile.kernel @score_fn_7_args attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // expected-error @+1 {{'tile.score_fn' op block must have 8 arguments (s: f32, b, h, q, k, sq, skv, hq: i64), got 7}}
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @score_fn_i64_score attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // expected-error @+1 {{'tile.score_fn' op argument #0 (s) must be f32, got 'i64'}}
  tile.score_fn {
  ^bb0(%s: i64, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    %zero = arith.constant 0.0 : f32
    tile.yield %zero : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @score_fn_f32_key attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // expected-error @+1 {{'tile.score_fn' op argument #4 (k) must be i64, got 'f32'}}
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: f32, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @score_fn_yields_i1 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    %true = arith.constant true
    // expected-error @+1 {{'tile.yield' op in tile.score_fn must yield 1 f32, got (i1)}}
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @score_fn_yields_nothing attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    // expected-error @+1 {{'tile.yield' op in tile.score_fn must yield 1 f32, got ()}}
    tile.yield
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// At most one score_fn, between mask_fn and kv_bounds.
// expected-error @+1 {{'tile.kernel' op must contain at most one tile.score_fn, found a second one}}
tile.kernel @two_score_fns attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.score_fn must come after tile.mask_fn and before tile.kv_bounds}}
tile.kernel @score_fn_before_mask_fn attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
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
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.score_fn must come after tile.mask_fn and before tile.kv_bounds}}
tile.kernel @score_fn_after_kv_bounds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

func.func @score_fn_outside_kernel() {
  // expected-error @+1 {{'tile.score_fn' op expects parent op 'tile.kernel'}}
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  return
}

// -----

// apply_score: right after mma_qk, so before the mask; once per loop.
tile.kernel @apply_score_after_mask attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  // expected-error @+1 {{'tile.kv_loop' op tile.apply_score must come right after tile.mma_qk}}
  tile.kv_loop {span = partial_high} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
    tile.apply_mask
    tile.apply_score
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @apply_score_before_mma_qk attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  // expected-error @+1 {{'tile.kv_loop' op tile.apply_score must come right after tile.mma_qk}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.apply_score
    tile.mma_qk
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @apply_score_twice attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  // expected-error @+1 {{'tile.kv_loop' op body must contain tile.apply_score at most once}}
  tile.kv_loop {span = full} {
    tile.wait {operand = k}
    tile.mma_qk
    tile.apply_score
    tile.apply_score
    tile.wait {operand = v}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

// A kernel has a score_fn iff every non-empty kv loop applies it, full loops included.
// expected-error @+1 {{'tile.kernel' op tile.kv_loop {span = full} has a tile.apply_score, but the kernel has no tile.score_fn}}
tile.kernel @apply_score_without_score_fn attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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

// -----

// expected-error @+1 {{'tile.kernel' op has a tile.score_fn, so every non-empty tile.kv_loop must apply it: tile.kv_loop {span = full} has no tile.apply_score}}
tile.kernel @score_fn_not_applied attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
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
    tile.wait {operand = v}
    tile.load {operand = k, which = next}
    tile.online_softmax
    tile.mma_pv
  }
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @apply_score_at_kernel_level attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  // expected-error @+1 {{'tile.apply_score' op expects parent op 'tile.kv_loop'}}
  tile.apply_score
  tile.epilogue {write_lse = true}
}

// -----

// A loop of a kv range that kv_bounds does not yield (one range here).
// expected-error @+1 {{'tile.kernel' op tile.kv_loop {span = full, range = 1} names a kv range that tile.kv_bounds does not yield (it yields 1)}}
tile.kernel @loop_of_missing_range attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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

// -----

// The upper range (0) is visited before the lower one (1).
// expected-error @+1 {{'tile.kernel' op tile.kv_loop {span = full} out of order: at most one loop per span, in the order partial_high, full, partial_low, range 0 before range 1}}
tile.kernel @ranges_out_of_order attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = full, range = 1} {
    tile.wait {operand = k}
    tile.load {operand = v, which = current}
    tile.mma_qk
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
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @kv_bounds_yields_six attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    // One or two ranges of four: six is neither.
    // expected-error @+1 {{'tile.yield' op in tile.kv_bounds must yield 4 i64, got (i64, i64, i64, i64, i64, i64)}}
    tile.yield %q_tile, %q_tile, %q_tile, %sq, %sq, %sq : i64, i64, i64, i64, i64, i64
  }
  tile.load_q
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @read_shape attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    // expected-error @+1 {{'tile.read' op has 2 dimensions but 1 indices}}
    %id = tile.read %k {dtype = i32, shape = ["b", "skv"], slot = 0 : i64} : i64
    %keep = arith.cmpi eq, %id, %q : i64
    tile.yield %keep : i1
  }
}

// -----

tile.kernel @read_type attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    // expected-error @+1 {{'tile.read' op a 'i32' tensor reads as i64}}
    %id = tile.read %k {dtype = i32, shape = ["skv"], slot = 0 : i64} : f32
    %keep = arith.constant true
    tile.yield %keep : i1
  }
}

// -----

tile.kernel @sink_fn_2_args attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // sink_fn(b, h, hq: i64) -> f32.
  // expected-error @+1 {{'tile.sink_fn' op block must have 3 i64 arguments (b, h, hq), got 2}}
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64):
    %c = arith.constant 0.0 : f32
    tile.yield %c : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @sink_fn_yields_i64 attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    // expected-error @+1 {{'tile.yield' op in tile.sink_fn must yield 1 f32, got (i64)}}
    tile.yield %h : i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.sink_fn must come after tile.mask_fn and before tile.kv_bounds}}
tile.kernel @sink_fn_after_bounds attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    %c = arith.constant 0.0 : f32
    tile.yield %c : f32
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain at most one tile.sink_fn, found a second one}}
tile.kernel @two_sink_fns attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    %c = arith.constant 0.0 : f32
    tile.yield %c : f32
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    %c = arith.constant 0.0 : f32
    tile.yield %c : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.score_fn must come before tile.sink_fn}}
tile.kernel @score_fn_after_sink_fn attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.sink_fn {
  ^bb0(%b: i64, %h: i64, %hq: i64):
    %c = arith.constant 0.0 : f32
    tile.yield %c : f32
  }
  tile.score_fn {
  ^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
    tile.yield %s : f32
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// A routed kernel's blocks are whole tiles: 128 is no multiple of a 256-row q tile.
// expected-error @+1 {{routing block 128 must be a multiple of the q tile (256 rows) and the kv tile (64 keys)}}
tile.kernel @routed_block attributes {config = #tile.config<arch = 80, block_m = 256, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward", routing = {batched = false, block = 128 : i64, listed = 8 : i64, per_head = false, tensor = 0 : i64}} {
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
  tile.epilogue {write_lse = true}
}

// -----

// A routed kernel walks its list in one routed loop, not in spans of a range.
// expected-error @+1 {{tile.kv_loop {span = full} in a routed kernel: its one loop is span = routed}}
tile.kernel @routed_spans attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward", routing = {batched = false, block = 128 : i64, listed = 8 : i64, per_head = false, tensor = 0 : i64}} {
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
  tile.kv_loop {span = full} {
  }
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{tile.kv_loop {span = routed} needs a routed kernel (attribute routing)}}
tile.kernel @unrouted attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = routed} {
  }
  tile.epilogue {write_lse = true}
}

// -----

// The kv boxes of a grid exist only in a kernel that tiles one in N-d.
// expected-error @+1 {{tile.kv_loop {span = boxes} needs a kernel that tiles a grid in N-d (attributes q_box and kv_box)}}
tile.kernel @boxes_without_grid_tiling attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, grid = array<i64: 96, 96>, head_dim = 128 : i64, mode = "forward"} {
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
  tile.kv_loop {span = boxes} {
  }
  tile.epilogue {write_lse = true}
}

// -----

// A kernel that tiles a grid in N-d walks its kv boxes, not ranges of tokens.
// expected-error @+1 {{tile.kv_loop {span = full} in a kernel that tiles a grid in N-d: its one loop is span = boxes}}
tile.kernel @grid_spans attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, grid = array<i64: 96, 96>, kv_box = array<i64: 2, 16>, head_dim = 128 : i64, mode = "forward", q_box = array<i64: 8, 16>} {
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
  tile.kv_loop {span = full} {
  }
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{tiles a grid in N-d: it must contain a tile.kv_loop {span = boxes}}}
tile.kernel @grid_no_loop attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, grid = array<i64: 96, 96>, kv_box = array<i64: 2, 16>, head_dim = 128 : i64, mode = "forward", q_box = array<i64: 8, 16>} {
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
  tile.epilogue {write_lse = true}
}

// -----

// A grid of one axis is the token sequence: there is no box to tile it in.
// expected-error @+1 {{q_box and kv_box need a grid of 2 or 3 axes: a grid of one axis is tiled as the token sequence}}
tile.kernel @grid_1d_boxes attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2>, element_type = bf16, grid = array<i64: 128>, kv_box = array<i64: 32>, head_dim = 128 : i64, mode = "forward", q_box = array<i64: 128>} {
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
  tile.kv_loop {span = boxes} {
  }
  tile.epilogue {write_lse = true}
}

// -----

// The launch is one of three keywords.
// expected-error @+2 {{expected one of [grid, persistent, dynamic] for how the CTAs of a warp-specialised kernel take work tiles, got: always}}
// expected-error @+1 {{failed to parse Tile_ConfigAttr parameter 'launch'}}
tile.kernel @unknown_launch attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, launch = always>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
}

// -----

// The TMA epilogue belongs to the warp-specialised kernel...
// expected-error @+1 {{epilogue = tma needs a warp-specialised kernel (warpgroups >= 1)}}
tile.kernel @tma_epilogue_mma_sync attributes {config = #tile.config<arch = 80, block_m = 128, block_n = 32, num_warps = 4, stages = 2, epilogue = tma>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
}

// -----

// ...and stores rows of a sequence, which a grid's q boxes are not.
// expected-error @+1 {{epilogue = tma stores rows of a sequence; a kernel with q_box tiles a grid in boxes of tokens (epilogue = direct)}}
tile.kernel @tma_epilogue_grid attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2, epilogue = tma>, element_type = bf16, grid = array<i64: 96, 96>, kv_box = array<i64: 8, 16>, head_dim = 128 : i64, mode = "forward", q_box = array<i64: 8, 16>} {
}

// -----

tile.kernel @row_keys_yields_three attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64, %skv: i64):
    // expected-error @+1 {{'tile.yield' op in tile.row_keys must yield 2 i64, got (i64, i64, i64)}}
    tile.yield %q, %q, %q : i64, i64, i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

tile.kernel @row_keys_two_args attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  // expected-error @+1 {{'tile.row_keys' op block must have 3 i64 arguments (q, sq, skv), got 2}}
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64):
    tile.yield %q, %q : i64, i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op tile.row_keys must come after tile.mask_fn and before tile.kv_bounds}}
tile.kernel @row_keys_after_bounds attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64, %skv: i64):
    tile.yield %q, %q : i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}

// -----

// expected-error @+1 {{'tile.kernel' op must contain at most one tile.row_keys, found a second one}}
tile.kernel @two_row_keys attributes {config = #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2, warpgroups = 2>, element_type = bf16, head_dim = 128 : i64, mode = "forward"} {
  tile.mask_fn {
  ^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
    %true = arith.constant true
    tile.yield %true : i1
  }
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64, %skv: i64):
    tile.yield %q, %q : i64, i64
  }
  tile.row_keys {
  ^bb0(%q: i64, %sq: i64, %skv: i64):
    tile.yield %q, %q : i64, i64
  }
  tile.kv_bounds {
  ^bb0(%q_tile: i64, %sq: i64, %skv: i64):
    tile.yield %q_tile, %q_tile, %q_tile, %q_tile : i64, i64, i64, i64
  }
  tile.load_q
  tile.load {operand = k, which = first}
  tile.epilogue {write_lse = true}
}
