// Argument validation for attn_forward: everything that can be decided without the driver.
//
// It runs before the driver is even opened, so that a bad shape is reported the same way on a
// machine with no GPU, and no launch ever sees an argument that was not checked.
#ifndef ATTN_RUNTIME_VALIDATE_H
#define ATTN_RUNTIME_VALIDATE_H

#include <string>

#include "Manifest.h"
#include "attn/abi.h"
#include "attn/attn.h"

namespace attn::runtime {

// The byte alignment the kernels need of q/k/v/o base pointers and of every stride that moves
// along a dimension of size > 1: they copy rows with 16-byte vector loads and stores.
constexpr int64_t kVectorBytes = 16;

// The most blocks a launch may have along grid.y (heads) and grid.z (batch).
constexpr int64_t kMaxGridYZ = 65535;

// Bytes per element of `dtype` (2 for f16/bf16, 4 for f32/i32).
int64_t elementBytes(attn_dtype dtype);

// Records `message` and returns ATTN_ERROR_INVALID_ARGUMENT: every validation failure.
attn_status invalid(std::string message);

// Checks q/k/v/o/lse (lse may be null) and scale against the manifest and each other, then fills
// every field of `params`. On failure returns ATTN_ERROR_INVALID_ARGUMENT with a message that
// names the argument and the problem ("k: shape[3] (head dim) is 64, the library was built for
// 128"); `params` is then unspecified.
attn_status validateForward(const Manifest &manifest, const attn_tensor *q, const attn_tensor *k,
                            const attn_tensor *v, const attn_tensor *o, const attn_tensor *lse,
                            float scale, attn_forward_params &params);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_VALIDATE_H
