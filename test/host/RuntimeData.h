// Random runtime data (the tensors and parameters a spec declares) for host
// execution: the buffers the emitted hooks read through attn_forward_params,
// and the same values as Bindings for the front end's reference evaluator.
#pragma once

#include "attn/abi.h"
#include "compiler/Spec/Decls.h"
#include "compiler/Spec/Expr.h"

#include <cstdint>
#include <random>
#include <vector>

namespace attn::host {

struct CallShape {
  int64_t batch, heads_q, sq, skv;
};

class RuntimeData {
public:
  /// i32 tensors hold sorted ids in runs of random length (packed documents),
  /// routing lists random kv blocks (repeats, -1 padding, entries out of range);
  /// float tensors hold N(0, 1) values rounded to their dtype; int params are
  /// in [0, max(sq, skv)], float params in [0.25, 2].
  RuntimeData(const attnc::spec::Decls &decls, const CallShape &shape, std::mt19937 &rng);
  RuntimeData(const RuntimeData &) = delete;
  RuntimeData &operator=(const RuntimeData &) = delete;

  /// Copies pointers, strides and parameters into `p`, and the plan summaries of every i32
  /// tensor of shape ["b", "sq" | "skv"] or ["sq" | "skv"], as the plan kernel builds them.
  void fill(attn_forward_params &p);
  const attnc::spec::Bindings &bindings() const { return bindings_; }

private:
  struct Tensor {
    attnc::spec::DataType dtype;
    std::vector<int64_t> sizes, strides;
    std::vector<uint32_t> storage;  // 32-bit words; 16-bit dtypes use the low half of each
    std::vector<double> values;     // the same elements, exactly, for the evaluator
  };
  std::vector<Tensor> tensors_;
  std::vector<uint16_t> halves_[ATTN_MAX_TENSORS];  // f16/bf16 storage, packed
  std::vector<int32_t> summaries_[ATTN_MAX_TENSORS];  // the plan (attn/device/plan.h)
  const attnc::spec::Decls &decls_;
  attnc::spec::Bindings bindings_;
};

}  // namespace attn::host
