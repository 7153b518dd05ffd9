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

// No mask: every pair is kept. No score region either (the identity), and
// none is printed.
// CHECK-LABEL: attn.attention @dense
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[TRUE:.+]] = arith.constant true
// CHECK-NEXT: attn.yield %[[TRUE]] : i1
// CHECK-NEXT: }{{$}}
attn.attention @dense attributes {element_type = bf16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}

// A score modification, softcapping at 50: s' = 50 * tanh(s / 50). The
// score region is printed after the mask, behind the keyword `score`.
// CHECK-LABEL: attn.attention @softcap
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64):
// CHECK-NEXT: %[[KEEP:.+]] = attn.causal %[[Q]], %[[K]], %[[SQ]], %[[SKV]] {alignment = #attn.alignment<bottom_right>}
// CHECK-NEXT: attn.yield %[[KEEP]] : i1
// CHECK-NEXT: } score {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %[[SB:.+]]: i64, %[[SH:.+]]: i64, %[[SQI:.+]]: i64, %[[SK:.+]]: i64, %[[SSQ:.+]]: i64, %[[SSKV:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[CAP:.+]] = arith.constant 5.000000e+01 : f32
// CHECK-NEXT: %[[X:.+]] = arith.divf %[[S]], %[[CAP]] : f32
// CHECK-NEXT: %[[T:.+]] = math.tanh %[[X]] : f32
// CHECK-NEXT: %[[CAPPED:.+]] = arith.mulf %[[CAP]], %[[T]] : f32
// CHECK-NEXT: attn.yield %[[CAPPED]] : f32
// CHECK-NEXT: }
attn.attention @softcap attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv
  attn.yield %keep : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %cap = arith.constant 50.0 : f32
  %x = arith.divf %s, %cap : f32
  %t = math.tanh %x : f32
  %capped = arith.mulf %cap, %t : f32
  attn.yield %capped : f32
}

// ALiBi: s' = s - 2^(-8 (h + 1) / hq) * |q - k|, the head's slope times the
// distance, with the integer indices converted to f32.
// CHECK-LABEL: attn.attention @alibi
// CHECK: } score {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %[[B:.+]]: i64, %[[H:.+]]: i64, %[[Q:.+]]: i64, %[[K:.+]]: i64, %[[SQ:.+]]: i64, %[[SKV:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[M8:.+]] = arith.constant -8.000000e+00 : f32
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[H1:.+]] = arith.addi %[[H]], %[[ONE]] : i64
// CHECK-NEXT: %[[H1F:.+]] = arith.sitofp %[[H1]] : i64 to f32
// CHECK-NEXT: %[[NUM:.+]] = arith.mulf %[[M8]], %[[H1F]] : f32
// CHECK-NEXT: %[[HQF:.+]] = arith.sitofp %[[HQ]] : i64 to f32
// CHECK-NEXT: %[[EXPONENT:.+]] = arith.divf %[[NUM]], %[[HQF]] : f32
// CHECK-NEXT: %[[SLOPE:.+]] = math.exp2 %[[EXPONENT]] : f32
// CHECK-NEXT: %[[D:.+]] = arith.subi %[[Q]], %[[K]] : i64
// CHECK-NEXT: %[[DF:.+]] = arith.sitofp %[[D]] : i64 to f32
// CHECK-NEXT: %[[DIST:.+]] = math.absf %[[DF]] : f32
// CHECK-NEXT: %[[BIAS:.+]] = arith.mulf %[[SLOPE]], %[[DIST]] : f32
// CHECK-NEXT: %[[BIASED:.+]] = arith.subf %[[S]], %[[BIAS]] : f32
// CHECK-NEXT: attn.yield %[[BIASED]] : f32
attn.attention @alibi attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %minus8 = arith.constant -8.0 : f32
  %one = arith.constant 1 : i64
  %h1 = arith.addi %h, %one : i64
  %h1f = arith.sitofp %h1 : i64 to f32
  %num = arith.mulf %minus8, %h1f : f32
  %hqf = arith.sitofp %hq : i64 to f32
  %exponent = arith.divf %num, %hqf : f32
  %slope = math.exp2 %exponent : f32
  %d = arith.subi %q, %k : i64
  %df = arith.sitofp %d : i64 to f32
  %dist = math.absf %df : f32
  %bias = arith.mulf %slope, %dist : f32
  %biased = arith.subf %s, %bias : f32
  attn.yield %biased : f32
}

// The other ops a score may use: comparisons, selects, min / max and the
// remaining math functions.
// CHECK-LABEL: attn.attention @score_ops
// CHECK: } score {
// CHECK-NEXT: ^bb0(%[[S:.+]]: f32, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[NEG:.+]] = arith.negf %[[S]] : f32
// CHECK-NEXT: %[[E:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[L:.+]] = math.log %[[E]] : f32
// CHECK-NEXT: %[[LO:.+]] = arith.minimumf %[[L]], %[[ZERO]] : f32
// CHECK-NEXT: %[[HI:.+]] = arith.maximumf %[[LO]], %[[S]] : f32
// CHECK-NEXT: %[[POS:.+]] = arith.cmpf ogt, %[[S]], %[[ZERO]] : f32
// CHECK-NEXT: %[[PICK:.+]] = arith.select %[[POS]], %[[HI]], %[[S]] : f32
// CHECK-NEXT: attn.yield %[[PICK]] : f32
attn.attention @score_ops attributes {element_type = bf16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  %zero = arith.constant 0.0 : f32
  %neg = arith.negf %s : f32
  %e = math.exp %neg : f32
  %l = math.log %e : f32
  %lo = arith.minimumf %l, %zero : f32
  %hi = arith.maximumf %lo, %s : f32
  %pos = arith.cmpf ogt, %s, %zero : f32
  %pick = arith.select %pos, %hi, %s : f32
  attn.yield %pick : f32
}

// Runtime data: a document-id tensor read at (b, q) and (b, k), and an int
// parameter; the declarations ride on the attention op by slot.
// CHECK-LABEL: attn.attention @packed
// CHECK-SAME: params = [{name = "width", type = i64}]
// CHECK-SAME: tensors = [{dtype = i32, name = "ids", shape = ["b", "skv"]}]
// CHECK: %[[QID:.+]] = attn.read %b, %q {slot = 0 : i64} : i64
// CHECK: %[[KID:.+]] = attn.read %b, %k {slot = 0 : i64} : i64
// CHECK: %[[W:.+]] = attn.param {slot = 0 : i64} : i64
attn.attention @packed attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], params = [{name = "width", type = i64}], tensors = [{dtype = i32, name = "ids", shape = ["b", "skv"]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %qid = attn.read %b, %q {slot = 0 : i64} : i64
  %kid = attn.read %b, %k {slot = 0 : i64} : i64
  %same = arith.cmpi eq, %qid, %kid : i64
  %w = attn.param {slot = 0 : i64} : i64
  %d = arith.subi %q, %k : i64
  %near = arith.cmpi sle, %d, %w : i64
  %keep = arith.andi %same, %near : i1
  attn.yield %keep : i1
}

// A sink logit (gpt-oss attention sinks): sigma(b, h) = sinks[h] joins every
// row's softmax denominator, O = sum_k e^{s_k} v_k / (e^sigma + sum_k e^{s_k}).
// The sink region is printed last, behind the keyword `sink`, with the
// arguments b, h, hq.
// CHECK-LABEL: attn.attention @sink_logit
// CHECK-SAME: tensors = [{dtype = f32, name = "sinks", shape = ["hq"]}]
// CHECK: attn.yield %{{.+}} : i1
// CHECK-NEXT: } sink {
// CHECK-NEXT: ^bb0(%[[B:.+]]: i64, %[[H:.+]]: i64, %[[HQ:.+]]: i64):
// CHECK-NEXT: %[[SIGMA:.+]] = attn.read %[[H]] {slot = 0 : i64} : f32
// CHECK-NEXT: attn.yield %[[SIGMA]] : f32
// CHECK-NEXT: }
attn.attention @sink_logit attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"], tensors = [{dtype = f32, name = "sinks", shape = ["hq"]}]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %keep = attn.causal %q, %k, %sq, %skv
  attn.yield %keep : i1
} sink {
^bb0(%b: i64, %h: i64, %hq: i64):
  %sigma = attn.read %h {slot = 0 : i64} : f32
  attn.yield %sigma : f32
}

// A score and a sink together: the score region comes first.
// CHECK-LABEL: attn.attention @softcap_sink
// CHECK: } score {
// CHECK: attn.yield %{{.+}} : f32
// CHECK-NEXT: } sink {
// CHECK-NEXT: ^bb0(%{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64):
// CHECK-NEXT: %[[C:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: attn.yield %[[C]] : f32
attn.attention @softcap_sink attributes {element_type = bf16, head_dim = 128 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
} score {
^bb0(%s: f32, %b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64, %hq: i64):
  attn.yield %s : f32
} sink {
^bb0(%b: i64, %h: i64, %hq: i64):
  %c = arith.constant 0.5 : f32
  attn.yield %c : f32
}
