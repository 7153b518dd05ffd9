/* attnc runtime: load a library compiled by attnc and launch its kernels.
 *
 * Depends on the CUDA driver only, which it opens at the first call that needs it, so a program
 * linked against libattnrt.so starts (and validates arguments) on a machine with no GPU.
 * Every entry point returns a status; attn_last_error() then holds a readable message for the
 * calling thread. No launch happens unless every argument has been validated. */
#ifndef ATTN_ATTN_H
#define ATTN_ATTN_H

#include <stdint.h>

#include "attn/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum attn_status {
  ATTN_OK = 0,
  ATTN_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, shape, stride, dtype or alignment problem */
  ATTN_ERROR_LOAD = 2,             /* the file is missing or is not an attnc library */
  ATTN_ERROR_ABI_MISMATCH = 3,     /* built by an attnc with another ABI version */
  ATTN_ERROR_NO_KERNEL = 4,        /* no kernel for this mode, or none for the device's arch */
  ATTN_ERROR_DEVICE = 5,           /* no driver, no context, or a tensor on another device */
  ATTN_ERROR_CUDA = 6              /* the driver failed a call; the message names it */
} attn_status;

typedef enum attn_dtype {
  ATTN_DTYPE_F16 = 0,
  ATTN_DTYPE_BF16 = 1,
  ATTN_DTYPE_F32 = 2,
  ATTN_DTYPE_I32 = 3 /* runtime tensors only (document ids, ...) */
} attn_dtype;

/* A strided device tensor. `shape`/`strides` hold `rank` entries, strides in elements.
 * Q/K/V/O are rank 4 in logical order [B, H, S, D]; LSE is rank 3, [B, H, S]. */
typedef struct attn_tensor {
  void *data;
  attn_dtype dtype;
  int32_t rank;
  int64_t shape[4];
  int64_t strides[4];
} attn_tensor;

typedef struct attn_library attn_library;

/* Opens lib<name>.so, checks its ABI version and manifest. No CUDA call is made. */
attn_status attn_library_open(const char *path, attn_library **out);
void attn_library_close(attn_library *lib);

/* The library's manifest (JSON), owned by the library. */
const char *attn_library_manifest(const attn_library *lib);

/* The manifest fields a caller needs to build tensors, already parsed (C programs then need no
 * JSON parser). Strings are owned by the library and live until attn_library_close. */
typedef struct attn_library_info {
  const char *name;
  attn_dtype dtype; /* of q, k, v and o */
  int32_t head_dim;
  const char *mask;  /* the manifest's "mask": "none", "causal", ...; "" if it has none */
  const char *score; /* the manifest's "score": "s" (unmodified) if it has none */
} attn_library_info;

attn_status attn_library_get_info(const attn_library *lib, attn_library_info *info);

/* O = softmax(scale · Q·Kᵀ, masked) · V and LSE (natural log) per row, on `stream`
 * (a CUstream; NULL is the default stream) in the current CUDA context.
 * `scale` <= 0 or NaN selects the default 1/sqrt(D). `lse` may be NULL.
 * Every size must be >= 1 and fit in int32; the last dimension (D; S for lse) must have stride 1;
 * q/k/v/o base pointers and their strides (in bytes) must be multiples of 16; o and lse must not
 * overlap the inputs or themselves. The stride of a dimension of size 1 is ignored. Arguments are
 * validated before the driver is opened (ATTN_ERROR_INVALID_ARGUMENT on a machine with no GPU
 * too); device checks and the launch follow. Asynchronous: errors of the kernel itself surface at
 * the stream's next synchronization. */
attn_status attn_forward(attn_library *lib, const attn_tensor *q, const attn_tensor *k,
                         const attn_tensor *v, const attn_tensor *o, const attn_tensor *lse,
                         float scale, void *stream);

/* The runtime data a spec declares ("tensors" and "params" in docs/spec.md; the manifest lists
 * them in the same order). `tensors` holds one entry per declared tensor, in declaration order,
 * each with the declared dtype and rank and a shape matching the declared dimensions ("b", "hq",
 * "sq", "skv" take the call's sizes); any strides (non-negative, in elements; ignored where the
 * size is 1) and a pointer aligned to the element size, on the device of q. `int_params` and
 * `float_params` hold the declared int and float parameters, each in declaration order among
 * those of its type. Arrays may be NULL when their count is 0. */
typedef struct attn_forward_extras {
  const attn_tensor *tensors;
  int32_t num_tensors;
  const int64_t *int_params;
  int32_t num_int_params;
  const float *float_params;
  int32_t num_float_params;
} attn_forward_extras;

/* attn_forward for a library whose spec declares runtime data; `extras` may be NULL for one that
 * declares none. The counts, dtypes and shapes are validated against the manifest before any
 * launch, as is `seqlen_q <= seqlen_k` for specs that index a key-length dimension with q. */
attn_status attn_forward_ex(attn_library *lib, const attn_tensor *q, const attn_tensor *k,
                            const attn_tensor *v, const attn_tensor *o, const attn_tensor *lse,
                            float scale, const attn_forward_extras *extras, void *stream);

/* The message of the calling thread's last failed call ("" if none). */
const char *attn_last_error(void);
const char *attn_status_name(attn_status status);

#ifdef __cplusplus
}
#endif

#endif /* ATTN_ATTN_H */
