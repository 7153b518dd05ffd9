// RUN: attn-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'attn.attention' op head_dim must be 64, 128 or 256, got 96}}
attn.attention @bad_head_dim attributes {element_type = bf16, head_dim = 96 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op element_type must be f16 or bf16, got 'f32'}}
attn.attention @bad_element_type attributes {element_type = f32, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op modes must list at least one mode}}
attn.attention @no_modes attributes {element_type = bf16, head_dim = 128 : i64, modes = []} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op unsupported mode "backward" (supported: "forward")}}
attn.attention @unknown_mode attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward", "backward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op mode "forward" is listed twice}}
attn.attention @duplicate_mode attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward", "forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op attribute 'modes' failed to satisfy constraint: string array attribute}}
attn.attention @modes_not_strings attributes {element_type = bf16, head_dim = 128 : i64, modes = [1]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op requires attribute 'head_dim'}}
attn.attention @missing_head_dim attributes {element_type = bf16, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op mask block must have 6 i64 arguments (b, h, q, k, sq, skv), got 4}}
attn.attention @too_few_args attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

// expected-error @+1 {{'attn.attention' op mask argument #3 (k) must be i64, got 'i32'}}
attn.attention @i32_arg attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i32, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// -----

attn.attention @yield_two attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  // expected-error @+1 {{'attn.yield' op mask must yield exactly one i1, got 2 values}}
  attn.yield %true, %true : i1, i1
}

// -----

attn.attention @yield_i64 attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+1 {{'attn.yield' op mask must yield i1, got 'i64'}}
  attn.yield %q : i64
}

// -----

func.func @yield_outside() {
  %true = arith.constant true
  // expected-error @+1 {{'attn.yield' op expects parent op 'attn.attention'}}
  attn.yield %true : i1
}

// -----

attn.attention @bad_alignment attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+2 {{expected one of [bottom_right, top_left] for where the diagonal of a causal mask sits when sq != skv, got: diagonal}}
  // expected-error @+1 {{failed to parse Attn_AlignmentAttr parameter 'value'}}
  %keep = attn.causal %q, %k, %sq, %skv {alignment = #attn.alignment<diagonal>}
  attn.yield %keep : i1
}

// -----

attn.attention @causal_i32 attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-note @+1 {{prior use here}}
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{use of value '%c0' expects different type than prior uses: 'i64' vs 'i32'}}
  %keep = attn.causal %c0, %k, %sq, %skv
  attn.yield %keep : i1
}

// -----

// The score region: s: f32, then b, h, q, k, sq, skv, hq: i64, yielding one f32.
// expected-error @+1 {{'attn.attention' op score block must have 8 arguments (s: f32, b, h, q, k, sq, skv, hq: i64), got 7}}
attn.attention @score_without_hq attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  attn.yield %s : f32
}

// -----

// expected-error @+1 {{'attn.attention' op score argument #0 (s) must be f32, got 'f16'}}
attn.attention @f16_score attributes {element_type = f16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f16, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %zero = arith.constant 0.0 : f32
  attn.yield %zero : f32
}

// -----

// expected-error @+1 {{'attn.attention' op score argument #7 (hq) must be i64, got 'i32'}}
attn.attention @i32_hq attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i32):
  attn.yield %s : f32
}

// -----

attn.attention @score_yields_i1 attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %true = arith.constant true
  // expected-error @+1 {{'attn.yield' op score must yield f32, got 'i1'}}
  attn.yield %true : i1
}

// -----

attn.attention @score_yields_two attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  // expected-error @+1 {{'attn.yield' op score must yield exactly one f32, got 2 values}}
  attn.yield %s, %s : f32, f32
}

// -----

// The mask still yields i1 when a score follows it.
attn.attention @mask_yields_f32 attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'attn.yield' op mask must yield i1, got 'f32'}}
  attn.yield %zero : f32
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  attn.yield %s : f32
}

// -----

// expected-error @+1 {{'attn.attention' op expects region #1 to have 0 or 1 blocks}}
attn.attention @two_score_blocks attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  attn.yield %s : f32
^bb1:
  %zero = arith.constant 0.0 : f32
  attn.yield %zero : f32
}

// -----

attn.attention @read_without_tensors attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+1 {{'attn.read' op slot 0 names no tensor of the enclosing attn.attention}}
  %id = attn.read %b, %k {slot = 0 : i64} : i64
  %keep = arith.cmpi eq, %id, %q : i64
  attn.yield %keep : i1
}

// -----

attn.attention @read_rank attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], tensors = [{dtype = i32, name = "ids", shape = ["b", "skv"]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+1 {{'attn.read' op takes 2 indices, got 1}}
  %id = attn.read %k {slot = 0 : i64} : i64
  %keep = arith.cmpi eq, %id, %q : i64
  attn.yield %keep : i1
}

// -----

attn.attention @read_type attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], tensors = [{dtype = bf16, name = "bias", shape = ["hq"]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+1 {{'attn.read' op a 'bf16' tensor reads as 'f32', not 'i64'}}
  %x = attn.read %h {slot = 0 : i64} : i64
  %keep = arith.cmpi eq, %x, %q : i64
  attn.yield %keep : i1
}

// -----

attn.attention @param_type attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], params = [{name = "t", type = f32}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  // expected-error @+1 {{'attn.param' op result type 'i64' does not match the declared parameter}}
  %w = attn.param {slot = 0 : i64} : i64
  %keep = arith.cmpi eq, %w, %q : i64
  attn.yield %keep : i1
}

// -----

// The sink region: b, h, hq: i64, yielding one f32.
// expected-error @+1 {{'attn.attention' op sink block must have 3 i64 arguments (b, h, hq), got 2}}
attn.attention @sink_without_hq attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} sink {
^bb0(%b: i64, %h: i64):
  %c = arith.constant 0.0 : f32
  attn.yield %c : f32
}

// -----

// expected-error @+1 {{'attn.attention' op sink argument #1 (h) must be i64, got 'i32'}}
attn.attention @sink_i32_head attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} sink {
^bb0(%b: i64, %h: i32, %hq: i64):
  %c = arith.constant 0.0 : f32
  attn.yield %c : f32
}

// -----

attn.attention @sink_yields_i1 attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} sink {
^bb0(%b: i64, %h: i64, %hq: i64):
  %true = arith.constant true
  // expected-error @+1 {{'attn.yield' op sink must yield f32, got 'i1'}}
  attn.yield %true : i1
}

// -----

// The routing attribute must describe the declared list: here the list has no "hq" dimension.
// expected-error @+1 {{the routing tensor must be i32 of shape ["b", "hq", "sq/128", 8]}}
attn.attention @routed attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], routing = {batched = true, block = 128 : i64, listed = 8 : i64, per_head = true, tensor = 0 : i64}, tensors = [{dtype = i32, name = "kv_blocks", shape = ["b", "sq/128", 8]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}
