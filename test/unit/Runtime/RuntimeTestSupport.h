// Helpers shared by the runtime tests: fixture paths, opened libraries, a valid argument set.
#ifndef ATTN_TEST_RUNTIME_SUPPORT_H
#define ATTN_TEST_RUNTIME_SUPPORT_H

#include <cstdint>
#include <memory>
#include <string>

#include "attn/attn.h"

namespace attn::test {

inline std::string fixturePath(const std::string &name) {
  return std::string(ATTN_FIXTURE_DIR) + "/lib" + name + ".so";
}

struct LibraryCloser {
  void operator()(attn_library *lib) const { attn_library_close(lib); }
};
using LibraryPtr = std::unique_ptr<attn_library, LibraryCloser>;

// Opens a fixture that must open; null (with the runtime's message in `error`) if it did not.
inline LibraryPtr openFixture(const std::string &name, std::string *error = nullptr) {
  attn_library *lib = nullptr;
  if (attn_library_open(fixturePath(name).c_str(), &lib) != ATTN_OK) {
    if (error)
      *error = attn_last_error();
    return nullptr;
  }
  return LibraryPtr(lib);
}

// A row-major [d0, d1, d2(, d3)] tensor at a fake, 256-byte aligned device address. Validation
// never dereferences data, so any well-formed address serves.
inline attn_tensor denseTensor(uintptr_t address, attn_dtype dtype, int32_t rank,
                               const int64_t *shape) {
  attn_tensor t{};
  t.data = reinterpret_cast<void *>(address);
  t.dtype = dtype;
  t.rank = rank;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    t.shape[i] = shape[i];
    t.strides[i] = stride;
    stride *= shape[i];
  }
  return t;
}

// Valid contiguous [B, H, S, D] attn_forward arguments: GQA with B = 2, Hq = 8, Hkv = 2, each
// tensor in its own 1 GiB-apart range. The defaults fit the GoodBf16Causal fixture (bf16,
// D = 128, Sq = 100, Skv = 300).
struct ForwardArgs {
  attn_tensor q, k, v, o, lse;
  bool withLse = true;
  float scale = 0.0f;

  explicit ForwardArgs(attn_dtype dtype = ATTN_DTYPE_BF16, int64_t headDim = 128,
                       int64_t seqlenQ = 100, int64_t seqlenK = 300) {
    const int64_t qShape[4] = {2, 8, seqlenQ, headDim};
    const int64_t kvShape[4] = {2, 2, seqlenK, headDim};
    const int64_t lseShape[3] = {2, 8, seqlenQ};
    constexpr uintptr_t kGiB = uintptr_t(1) << 30;
    q = denseTensor(1 * kGiB, dtype, 4, qShape);
    k = denseTensor(2 * kGiB, dtype, 4, kvShape);
    v = denseTensor(3 * kGiB, dtype, 4, kvShape);
    o = denseTensor(4 * kGiB, dtype, 4, qShape);
    lse = denseTensor(5 * kGiB, ATTN_DTYPE_F32, 3, lseShape);
  }

  attn_status call(attn_library *lib) const {
    return attn_forward(lib, &q, &k, &v, &o, withLse ? &lse : nullptr, scale, nullptr);
  }
};

} // namespace attn::test

#endif // ATTN_TEST_RUNTIME_SUPPORT_H
