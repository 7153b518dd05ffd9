// RUN: not attn-opt %s --attn-to-tile=archs=sm_75 2>&1 | FileCheck %s

// CHECK: error: unknown target 'sm_75'; supported: sm_80, sm_90a
attn.attention @dense attributes {element_type = f16, head_dim = 64 : i64, modes = ["forward"]} {
^bb0(%b: i64, %h: i64, %q: i64, %k: i64, %sq: i64, %skv: i64):
  %true = arith.constant true
  attn.yield %true : i1
}
