#include "ValidateExtras.h"

#include "Validate.h"

#include "Error.h"

#include <string>

namespace attn::runtime {

namespace {

// The size a declared dimension takes in this call.
int64_t resolve(const std::string &dim, const attn_forward_params &params) {
  if (dim == "b") return params.batch;
  if (dim == "hq") return params.heads_q;
  if (dim == "sq") return params.seqlen_q;
  if (dim == "skv") return params.seqlen_k;
  if (const int64_t block = queryBlockSize(dim)) return (params.seqlen_q + block - 1) / block;
  return std::stoll(dim);
}

attn_status checkTensor(const ManifestTensor &want, const attn_tensor &t,
                        const attn_forward_params &params, attn_runtime_tensor &out) {
  const std::string name = concat("tensors[", want.name, "]");
  if (t.dtype != want.dtype)
    return invalid(concat(name, ": dtype is ", dtypeName(t.dtype), ", the spec declares ",
                          dtypeName(want.dtype)));
  if (t.rank != static_cast<int32_t>(want.dims.size()))
    return invalid(concat(name, ": rank is ", t.rank, ", the spec declares ", want.dims.size(),
                          " dimensions"));
  if (t.data == nullptr)
    return invalid(concat(name, ": data is null"));
  if (reinterpret_cast<uintptr_t>(t.data) % static_cast<uint64_t>(elementBytes(t.dtype)) != 0)
    return invalid(concat(name, ": data pointer is not aligned to its ", elementBytes(t.dtype),
                          "-byte elements"));
  out = attn_runtime_tensor{};
  out.data = t.data;
  for (size_t d = 0; d < want.dims.size(); ++d) {
    const int64_t size = resolve(want.dims[d], params);
    if (t.shape[d] != size)
      return invalid(concat(name, ": shape[", d, "] is ", t.shape[d], ", the spec declares '",
                            want.dims[d], "' = ", size, " for this call"));
    if (t.strides[d] < 0)
      return invalid(concat(name, ": stride[", d, "] is ", t.strides[d],
                            "; strides must be non-negative"));
    // Size-1 dimensions are only read at index 0: their stride cannot matter.
    out.strides[d] = size == 1 ? 0 : t.strides[d];
  }
  return ATTN_OK;
}

}  // namespace

attn_status validateExtras(const Manifest &manifest, const attn_forward_extras *extras,
                           attn_forward_params &params) {
  const attn_forward_extras none{};
  const attn_forward_extras &x = extras != nullptr ? *extras : none;
  if (manifest.gridTokens > 0 &&
      (params.seqlen_q != manifest.gridTokens || params.seqlen_k != manifest.gridTokens)) {
    std::string shape;
    for (int32_t size : manifest.tokenGrid)
      shape += (shape.empty() ? "" : "x") + std::to_string(size);
    return invalid(concat("q: seqlen_q is ", params.seqlen_q, " and seqlen_k ", params.seqlen_k,
                          "; the spec's token grid ", shape, " needs both to be its ",
                          manifest.gridTokens, " tokens"));
  }
  if (manifest.requiresQueryNotLonger && params.seqlen_q > params.seqlen_k)
    return invalid(concat("q: seqlen_q is ", params.seqlen_q, ", more than seqlen_k ",
                          params.seqlen_k, "; the spec reads queries at key positions, which "
                          "needs seqlen_q <= seqlen_k"));
  if (x.num_tensors != static_cast<int32_t>(manifest.tensors.size()))
    return invalid(concat("extras: ", x.num_tensors, " runtime tensors given, the spec declares ",
                          manifest.tensors.size()));
  if (x.num_tensors > 0 && x.tensors == nullptr)
    return invalid("extras: tensors is null");
  for (size_t i = 0; i < manifest.tensors.size(); ++i)
    if (attn_status status = checkTensor(manifest.tensors[i], x.tensors[i], params,
                                         params.tensors[i]);
        status != ATTN_OK)
      return status;

  int32_t ints = 0, floats = 0;
  for (const ManifestParam &param : manifest.params)
    (param.isFloat ? floats : ints) += 1;
  if (x.num_int_params != ints || x.num_float_params != floats)
    return invalid(concat("extras: ", x.num_int_params, " int and ", x.num_float_params,
                          " float parameters given, the spec declares ", ints, " and ", floats));
  if ((ints > 0 && x.int_params == nullptr) || (floats > 0 && x.float_params == nullptr))
    return invalid("extras: a parameter array is null");
  for (int32_t i = 0; i < ints; ++i)
    params.int_params[i] = x.int_params[i];
  for (int32_t i = 0; i < floats; ++i)
    params.float_params[i] = x.float_params[i];
  return ATTN_OK;
}

}  // namespace attn::runtime
