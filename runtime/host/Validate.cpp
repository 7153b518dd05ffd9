#include "Validate.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>

#include "Error.h"

namespace attn::runtime {

namespace {

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
constexpr const char *kDimNames[4] = {"batch", "heads", "sequence", "head dim"};
constexpr double kLog2e = 1.4426950408889634; // log2(e): the kernel exponentiates with exp2

bool knownDtype(attn_dtype dtype) {
  return dtype == ATTN_DTYPE_F16 || dtype == ATTN_DTYPE_BF16 || dtype == ATTN_DTYPE_F32 ||
         dtype == ATTN_DTYPE_I32;
}

// A checked tensor with the half-open byte range [begin, end) its elements live in.
struct Checked {
  const char *name = nullptr;
  const attn_tensor *tensor = nullptr;
  unsigned __int128 begin = 0;
  unsigned __int128 end = 0;
};

// What one tensor must satisfy on its own.
struct Expectation {
  const char *name;
  int32_t rank;
  attn_dtype dtype;
  const char *dtypeWhy; // how the expected dtype came about, for the message
  int64_t alignBytes;   // for the base pointer and strides
  bool output;          // outputs may not overlap themselves
};

// Sizes come before the data pointer: an empty tensor usually has a null pointer, and "shape[2]
// is 0" is the message that explains it.
attn_status checkSizes(const Expectation &want, const attn_tensor &t) {
  for (int i = 0; i < want.rank; ++i) {
    const char *dim = kDimNames[i];
    if (t.shape[i] < 1)
      return invalid(concat(want.name, ": shape[", i, "] (", dim, ") is ", t.shape[i],
                            "; every size must be at least 1 (empty inputs are not supported)"));
    if (t.shape[i] > kMaxInt32)
      return invalid(concat(want.name, ": shape[", i, "] (", dim, ") is ", t.shape[i],
                            ", more than the kernel's 32-bit limit ", kMaxInt32));
    // The masks compute token indices in 32 bits (attn/abi.h).
    if (i == 2 && t.shape[i] > ATTN_MAX_SEQLEN)
      return invalid(concat(want.name, ": shape[2] (sequence) is ", t.shape[i],
                            ", longer than the ", ATTN_MAX_SEQLEN, " tokens a kernel accepts"));
  }
  return ATTN_OK;
}

attn_status checkStrides(const Expectation &want, const attn_tensor &t) {
  const int last = want.rank - 1;
  for (int i = 0; i < want.rank; ++i) {
    const char *dim = kDimNames[i];
    if (t.strides[i] < 0)
      return invalid(concat(want.name, ": stride[", i, "] (", dim, ") is ", t.strides[i],
                            "; strides must be non-negative"));
    // A dimension of size 1 is only ever indexed at 0, so its stride cannot matter: frameworks
    // hand out arbitrary strides there and rejecting them would force needless copies.
    if (t.shape[i] == 1)
      continue;
    if (i == last) {
      if (t.strides[i] != 1)
        return invalid(concat(want.name, ": stride[", i, "] (", dim, ") is ", t.strides[i],
                              "; the last dimension must be contiguous (stride 1)"));
      continue;
    }
    int64_t bytes = 0;
    if (__builtin_mul_overflow(t.strides[i], elementBytes(want.dtype), &bytes))
      return invalid(concat(want.name, ": stride[", i, "] (", dim, ") of ", t.strides[i],
                            " elements overflows a 64-bit byte offset"));
    if (bytes % want.alignBytes != 0)
      return invalid(concat(want.name, ": stride[", i, "] (", dim, ") is ", t.strides[i],
                            " elements = ", bytes, " bytes, not a multiple of ", want.alignBytes,
                            want.alignBytes == kVectorBytes
                                ? " (the kernel moves rows with 16-byte vector copies)"
                                : ""));
  }
  return ATTN_OK;
}

// Elements of an output must not share an address: with dimensions sorted by stride, each stride
// must step past everything the smaller-stride dimensions span. (Sufficient, and what every dense
// or sliced layout satisfies.)
attn_status checkNoSelfOverlap(const char *name, const attn_tensor &t) {
  std::array<int, 4> order{};
  int count = 0;
  for (int i = 0; i < t.rank; ++i)
    if (t.shape[i] > 1)
      order[count++] = i;
  // Insertion sort by stride: at most four entries.
  for (int j = 1; j < count; ++j)
    for (int m = j; m > 0 && t.strides[order[m]] < t.strides[order[m - 1]]; --m)
      std::swap(order[m], order[m - 1]);
  unsigned __int128 span = 1; // elements covered by the dimensions seen so far
  for (int j = 0; j < count; ++j) {
    int i = order[j];
    if (static_cast<unsigned __int128>(t.strides[i]) < span)
      return invalid(concat(name, ": stride[", i, "] (", kDimNames[i], ") is ", t.strides[i],
                            ", so elements overlap; an output needs a distinct address for every "
                            "element"));
    span = static_cast<unsigned __int128>(t.strides[i]) * static_cast<uint64_t>(t.shape[i]);
  }
  return ATTN_OK;
}

attn_status checkTensor(const Expectation &want, const attn_tensor *t, Checked &out) {
  if (t == nullptr)
    return invalid(concat(want.name, ": the tensor is null"));
  if (t->rank != want.rank)
    return invalid(concat(want.name, ": rank is ", t->rank, ", expected ", want.rank,
                          want.rank == 4 ? " ([B, H, S, D])" : " ([B, H, S])"));
  if (attn_status status = checkSizes(want, *t); status != ATTN_OK)
    return status;
  if (t->data == nullptr)
    return invalid(concat(want.name, ": data is null"));
  if (!knownDtype(t->dtype))
    return invalid(concat(want.name, ": dtype ", static_cast<int>(t->dtype),
                          " is not an attn_dtype"));
  if (t->dtype != want.dtype)
    return invalid(concat(want.name, ": dtype is ", dtypeName(t->dtype), ", ", want.dtypeWhy, " ",
                          dtypeName(want.dtype)));
  auto address = reinterpret_cast<uintptr_t>(t->data);
  if (address % static_cast<uint64_t>(want.alignBytes) != 0)
    return invalid(concat(want.name, ": data pointer 0x", std::hex, address, std::dec,
                          " is not ", want.alignBytes, "-byte aligned",
                          want.alignBytes == kVectorBytes
                              ? " (the kernel moves rows with 16-byte vector copies)"
                              : ""));
  if (attn_status status = checkStrides(want, *t); status != ATTN_OK)
    return status;
  if (want.output)
    if (attn_status status = checkNoSelfOverlap(want.name, *t); status != ATTN_OK)
      return status;

  // Strides and sizes are each below 2^63 and 2^31, so the sum of products fits in 128 bits.
  unsigned __int128 lastElement = 0;
  for (int i = 0; i < want.rank; ++i)
    lastElement += static_cast<unsigned __int128>(t->strides[i]) *
                   static_cast<unsigned __int128>(t->shape[i] - 1);
  out.name = want.name;
  out.tensor = t;
  out.begin = address;
  out.end = address + (lastElement + 1) * static_cast<uint64_t>(elementBytes(want.dtype));
  if (out.end > std::numeric_limits<uint64_t>::max())
    return invalid(concat(want.name, ": the tensor's extent runs past the end of the address "
                                     "space (strides too large)"));
  return ATTN_OK;
}

// "k: shape[0] (batch) is 2, q has 3" unless the sizes agree.
attn_status checkSameSize(const Checked &a, int dimA, const Checked &b, int dimB) {
  int64_t have = a.tensor->shape[dimA];
  int64_t want = b.tensor->shape[dimB];
  if (have == want)
    return ATTN_OK;
  return invalid(concat(a.name, ": shape[", dimA, "] (", kDimNames[dimA], ") is ", have, ", ",
                        b.name, " has ", want));
}

attn_status checkShapes(const Manifest &manifest, const Checked &q, const Checked &k,
                        const Checked &v, const Checked &o, const Checked *lse) {
  for (const Checked *t : {&q, &k, &v, &o}) {
    int64_t d = t->tensor->shape[3];
    if (d != manifest.headDim)
      return invalid(concat(t->name, ": shape[3] (head dim) is ", d,
                            ", the library was built for ", manifest.headDim));
  }
  struct SameSize {
    const Checked &a;
    int dimA;
    const Checked &b;
    int dimB;
  };
  const SameSize pairs[] = {
      {k, 0, q, 0}, {v, 0, q, 0},               // batch
      {v, 1, k, 1}, {v, 2, k, 2},               // kv heads, kv sequence
      {o, 0, q, 0}, {o, 1, q, 1}, {o, 2, q, 2}, // o has q's shape
  };
  for (const SameSize &pair : pairs)
    if (attn_status status = checkSameSize(pair.a, pair.dimA, pair.b, pair.dimB);
        status != ATTN_OK)
      return status;
  int64_t hq = q.tensor->shape[1];
  int64_t hkv = k.tensor->shape[1];
  if (hq % hkv != 0)
    return invalid(concat("q: shape[1] (heads) is ", hq, ", not a multiple of k's ", hkv,
                          " (grouped-query attention needs Hq % Hkv == 0)"));
  if (lse != nullptr) {
    for (int i = 0; i < 3; ++i)
      if (attn_status status = checkSameSize(*lse, i, q, i); status != ATTN_OK)
        return status;
  }
  if (hq > kMaxGridYZ)
    return invalid(concat("q: shape[1] (heads) is ", hq, "; a launch allows at most ", kMaxGridYZ));
  if (q.tensor->shape[0] > kMaxGridYZ)
    return invalid(concat("q: shape[0] (batch) is ", q.tensor->shape[0],
                          "; a launch allows at most ", kMaxGridYZ));
  return ATTN_OK;
}

attn_status checkNoOverlap(const Checked &output, const Checked &other) {
  if (output.begin < other.end && other.begin < output.end)
    return invalid(concat(output.name, ": its memory overlaps ", other.name,
                          "'s; outputs must not alias the inputs or each other"));
  return ATTN_OK;
}

// The stride the kernel gets for dimension `i`: 0 for a dimension of size 1, whose stride was not
// validated (see checkStrides), so that even address arithmetic for predicated-off rows past the
// end stays on the tensor's first, valid row.
int64_t kernelStride(const attn_tensor &t, int i) { return t.shape[i] == 1 ? 0 : t.strides[i]; }

void fillStrides(const attn_tensor &t, int64_t &batch, int64_t &head, int64_t &row) {
  batch = kernelStride(t, 0);
  head = kernelStride(t, 1);
  row = kernelStride(t, 2);
}

} // namespace

attn_status invalid(std::string message) {
  return fail(ATTN_ERROR_INVALID_ARGUMENT, std::move(message));
}

int64_t elementBytes(attn_dtype dtype) {
  return dtype == ATTN_DTYPE_F16 || dtype == ATTN_DTYPE_BF16 ? 2 : 4;
}

attn_status validateForward(const Manifest &manifest, const attn_tensor *q, const attn_tensor *k,
                            const attn_tensor *v, const attn_tensor *o, const attn_tensor *lse,
                            float scale, attn_forward_params &params) {
  const char *built = "the library was built for";
  const Expectation expectQ{"q", 4, manifest.dtype, built, kVectorBytes, /*output=*/false};
  const Expectation expectK{"k", 4, manifest.dtype, built, kVectorBytes, /*output=*/false};
  const Expectation expectV{"v", 4, manifest.dtype, built, kVectorBytes, /*output=*/false};
  const Expectation expectO{"o", 4, manifest.dtype, built, kVectorBytes, /*output=*/true};
  // LSE is written one float per row, so natural alignment is all it needs.
  const Expectation expectLse{"lse", 3, ATTN_DTYPE_F32, "expected", 4, /*output=*/true};

  Checked cq, ck, cv, co, clse;
  for (auto [want, tensor, checked] : {std::tuple{&expectQ, q, &cq}, std::tuple{&expectK, k, &ck},
                                       std::tuple{&expectV, v, &cv}, std::tuple{&expectO, o, &co}})
    if (attn_status status = checkTensor(*want, tensor, *checked); status != ATTN_OK)
      return status;
  if (lse != nullptr)
    if (attn_status status = checkTensor(expectLse, lse, clse); status != ATTN_OK)
      return status;
  const Checked *checkedLse = lse != nullptr ? &clse : nullptr;
  if (attn_status status = checkShapes(manifest, cq, ck, cv, co, checkedLse); status != ATTN_OK)
    return status;
  for (const Checked *input : {&cq, &ck, &cv})
    if (attn_status status = checkNoOverlap(co, *input); status != ATTN_OK)
      return status;
  if (checkedLse != nullptr)
    for (const Checked *other : {&cq, &ck, &cv, &co})
      if (attn_status status = checkNoOverlap(clse, *other); status != ATTN_OK)
        return status;

  if (std::isinf(scale))
    return invalid("scale: is infinite; pass a finite positive scale, or 0 for 1/sqrt(D)");
  // NaN fails `scale > 0`, so it also selects the default.
  if (!(scale > 0.0f))
    scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(manifest.headDim)));

  params = attn_forward_params{};
  params.q = q->data;
  params.k = k->data;
  params.v = v->data;
  params.o = o->data;
  params.lse = lse != nullptr ? static_cast<float *>(lse->data) : nullptr;
  fillStrides(*q, params.q_batch_stride, params.q_head_stride, params.q_row_stride);
  fillStrides(*k, params.k_batch_stride, params.k_head_stride, params.k_row_stride);
  fillStrides(*v, params.v_batch_stride, params.v_head_stride, params.v_row_stride);
  fillStrides(*o, params.o_batch_stride, params.o_head_stride, params.o_row_stride);
  if (lse != nullptr) {
    params.lse_batch_stride = kernelStride(*lse, 0);
    params.lse_head_stride = kernelStride(*lse, 1);
  }
  params.batch = static_cast<int32_t>(q->shape[0]);
  params.heads_q = static_cast<int32_t>(q->shape[1]);
  params.heads_kv = static_cast<int32_t>(k->shape[1]);
  params.head_group = params.heads_q / params.heads_kv;
  params.seqlen_q = static_cast<int32_t>(q->shape[2]);
  params.seqlen_k = static_cast<int32_t>(k->shape[2]);
  params.scale = scale;
  // Computed in double and rounded once: the kernel's exp2(x·scale_log2) then equals
  // exp(x·scale) to float precision.
  params.scale_log2 = static_cast<float>(static_cast<double>(scale) * kLog2e);
  return ATTN_OK;
}

} // namespace attn::runtime
