#include "RuntimeData.h"

#include "attn/device/plan.h"

#include <cmath>
#include <cstring>

namespace attn::host {

using attnc::spec::DataType;
using attnc::spec::DimKind;

namespace {

int64_t extent(const attnc::spec::Dim &dim, const CallShape &shape) {
  switch (dim.kind) {
  case DimKind::Batch: return shape.batch;
  case DimKind::QueryHeads: return shape.heads_q;
  case DimKind::QueryLen: return shape.sq;
  case DimKind::KeyLen: return shape.skv;
  case DimKind::Fixed: return dim.size;
  case DimKind::QueryBlocks: return (shape.sq + dim.size - 1) / dim.size;
  }
  return 1;
}

bool isRoutingList(const attnc::spec::TensorDecl &decl) {
  return decl.dims.size() >= 2 && decl.dims[decl.dims.size() - 2].kind == DimKind::QueryBlocks;
}

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t floatToBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// Values exactly representable in f16 and bf16 alike (8 significant bits, small exponent), so
// one rounding rule serves both: the test checks the kernel's reads, not conversion rounding.
float roundForHalf(float x) {
  int exponent = 0;
  float mantissa = std::frexp(x, &exponent);
  return std::ldexp(std::round(mantissa * 256.f) / 256.f, exponent);
}

uint16_t toF16Bits(float x) {  // x from roundForHalf and |x| in [2^-14, 65504] or 0
  if (x == 0.f) return 0;
  uint16_t sign = x < 0 ? 0x8000 : 0;
  int exponent = 0;
  float mantissa = std::frexp(std::fabs(x), &exponent);  // [0.5, 1)
  int biased = exponent - 1 + 15;
  uint16_t fraction = uint16_t(std::lround((mantissa * 2.f - 1.f) * 1024.f));
  return uint16_t(sign | (biased << 10) | fraction);
}

}  // namespace

RuntimeData::RuntimeData(const attnc::spec::Decls &decls, const CallShape &shape,
                         std::mt19937 &rng)
    : decls_(decls) {
  std::normal_distribution<float> normal(0.f, 1.f);
  for (size_t slot = 0; slot < decls.tensors.size(); ++slot) {
    const attnc::spec::TensorDecl &decl = decls.tensors[slot];
    Tensor t{decl.dtype, {}, {}, {}, {}};
    int64_t count = 1;
    for (const attnc::spec::Dim &dim : decl.dims) t.sizes.push_back(extent(dim, shape));
    t.strides.assign(t.sizes.size(), 0);
    for (size_t d = t.sizes.size(); d-- > 0;) {
      t.strides[d] = t.sizes[d] == 1 ? 0 : count;  // broadcast dims: stride 0
      count *= t.sizes[d];
    }
    t.values.resize(count);
    if (isRoutingList(decl)) {
      // Kv blocks in any order with repeats, -1 padding and entries past either end.
      const int64_t block = decl.dims[decl.dims.size() - 2].size;
      const int64_t blocks = (shape.skv + block - 1) / block;
      std::uniform_int_distribution<int64_t> entry(-2, blocks + 1);
      std::bernoulli_distribution padding(0.3);
      for (double &v : t.values) v = padding(rng) ? -1 : double(entry(rng));
      for (double v : t.values) t.storage.push_back(uint32_t(int32_t(v)));
    } else if (decl.dtype == DataType::I32) {
      // Sorted ids in runs of 1..96 along the last dimension: packed documents.
      std::uniform_int_distribution<int> run(1, 96);
      const int64_t last = t.sizes.back();
      for (int64_t row = 0; row < count / last; ++row) {
        int id = int(row * 1000), left = run(rng);
        for (int64_t i = 0; i < last; ++i, --left) {
          if (left == 0) ++id, left = run(rng);
          t.values[row * last + i] = id;
        }
      }
      for (double v : t.values) t.storage.push_back(uint32_t(int32_t(v)));
    } else {
      for (double &v : t.values) {
        float x = normal(rng);
        v = decl.dtype == DataType::F32 ? x : roundForHalf(std::fabs(x) < 1e-3f ? 0.f : x);
      }
      if (decl.dtype == DataType::F32) {
        for (double v : t.values) t.storage.push_back(floatToBits(float(v)));
      } else {
        for (double v : t.values)
          halves_[slot].push_back(decl.dtype == DataType::BF16
                                      ? uint16_t(floatToBits(float(v)) >> 16)
                                      : toF16Bits(float(v)));
      }
    }
    tensors_.push_back(std::move(t));
  }
  std::uniform_int_distribution<int64_t> intParam(0, std::max(shape.sq, shape.skv));
  std::uniform_real_distribution<float> floatParam(0.25f, 2.f);
  for (const attnc::spec::ParamDecl &param : decls.params)
    bindings_.params.push_back(param.type == attnc::spec::ExprType::Int
                                   ? double(intParam(rng))
                                   : double(floatParam(rng)));
  bindings_.read = [this](size_t slot, const std::vector<int64_t> &index) {
    const Tensor &t = tensors_.at(slot);
    int64_t offset = 0, stride = 1;
    for (size_t d = index.size(); d-- > 0;) {
      offset += index[d] * stride;
      stride *= t.sizes[d];
    }
    return t.values.at(offset);
  };
}

void RuntimeData::fill(attn_forward_params &p) {
  for (size_t slot = 0; slot < tensors_.size(); ++slot) {
    const Tensor &t = tensors_[slot];
    p.tensors[slot].data = t.storage.empty() ? static_cast<const void *>(halves_[slot].data())
                                             : static_cast<const void *>(t.storage.data());
    for (size_t d = 0; d < t.strides.size(); ++d) p.tensors[slot].strides[d] = t.strides[d];
  }
  for (size_t slot = 0; slot < tensors_.size(); ++slot) {
    const attnc::spec::TensorDecl &decl = decls_.tensors[slot];
    const DimKind last = decl.dims.back().kind;
    const bool batched = decl.dims.size() == 2 && decl.dims[0].kind == DimKind::Batch;
    if (decl.dtype != DataType::I32 || (decl.dims.size() != 1 && !batched) ||
        (last != DimKind::QueryLen && last != DimKind::KeyLen))
      continue;
    const int64_t length = tensors_[slot].sizes.back();
    const int64_t rows = batched ? tensors_[slot].sizes[0] : 1;
    const int64_t runs = attn::device::summary_runs(length);
    summaries_[slot].assign(rows * runs * 2, 0);
    for (int64_t b = 0; b < rows; ++b)
      for (int64_t g = 0; g < runs; ++g)
        attn::device::summarize_run(p.tensors[slot], batched, length, b, g,
                                    summaries_[slot].data());
    p.summaries[slot] = summaries_[slot].data();
  }
  int ints = 0, floats = 0;
  for (size_t i = 0; i < decls_.params.size(); ++i) {
    if (decls_.params[i].type == attnc::spec::ExprType::Int)
      p.int_params[ints++] = int64_t(bindings_.params[i]);
    else
      p.float_params[floats++] = float(bindings_.params[i]);
  }
}

}  // namespace attn::host
