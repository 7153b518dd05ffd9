/* attnc library ABI: what every generated lib<name>.so exports and what its kernels take.
 *
 * A generated library holds data only: a manifest (JSON), one kernel image per target arch
 * and this descriptor. It links against nothing, not even the CUDA driver; the runtime
 * (attn.h) loads it, checks the ABI version, picks the image for the device and launches.
 * Bump ATTN_ABI_VERSION whenever a struct below changes layout or meaning. */
#ifndef ATTN_ABI_H
#define ATTN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATTN_ABI_VERSION 6u

/* The symbol every generated library exports:
 *   const attn_library_descriptor *attn_get_library(void); */
#define ATTN_LIBRARY_SYMBOL "attn_get_library"

/* One embedded cubin. `sm` is the compute capability times ten (80, 90); `arch` the exact
 * target it was built for ("sm_80", "sm_90a"). */
typedef struct attn_kernel_image {
  const char *arch;
  int32_t sm;
  const void *data;
  uint64_t size;
} attn_kernel_image;

typedef struct attn_library_descriptor {
  uint32_t abi_version;      /* ATTN_ABI_VERSION of the attnc that built the library */
  const char *manifest_json; /* spec, kernels, launch configs, arguments: see docs/abi.md */
  uint32_t num_images;
  const attn_kernel_image *images;
} attn_library_descriptor;

typedef const attn_library_descriptor *(*attn_library_descriptor_fn)(void);

/* The longest sequence (queries or keys) a kernel accepts. Every token index a kernel forms, the
 * rows of a last partial tile included, then stays below 2^30, which lets the mask and score
 * hooks compute in 32-bit integers (attnc proves their ranges at compile time). */
#define ATTN_MAX_SEQLEN ((1 << 30) - 256)

/* Runtime data a spec declares ("tensors", "params"): see docs/spec.md. */
#define ATTN_MAX_TENSORS 8
#define ATTN_MAX_TENSOR_RANK 4
#define ATTN_MAX_PARAMS 8

/* A runtime tensor as the kernel reads it: element (i0, i1, ...) lives at
 * data + Σ i_d · strides[d] elements. Broadcast dimensions (declared size 1)
 * have stride 0. */
typedef struct attn_runtime_tensor {
  const void *data;
  int64_t strides[ATTN_MAX_TENSOR_RANK];
} attn_runtime_tensor;

/* The forward kernel's only parameter, passed by value. Tensors are logically
 * Q [B, Hq, Sq, D], K/V [B, Hkv, Skv, D], O [B, Hq, Sq, D], LSE [B, Hq, Sq] (f32); strides are
 * in elements and the last dim (D, or Sq for LSE) is contiguous, so [B,S,H,D] and [B,H,S,D]
 * storage both map onto it without copies. The runtime fills it after validation. */
typedef struct attn_forward_params {
  const void *q;
  const void *k;
  const void *v;
  void *o;
  float *lse;
  int64_t q_batch_stride, q_head_stride, q_row_stride;
  int64_t k_batch_stride, k_head_stride, k_row_stride;
  int64_t v_batch_stride, v_head_stride, v_row_stride;
  int64_t o_batch_stride, o_head_stride, o_row_stride;
  int64_t lse_batch_stride, lse_head_stride;
  int32_t batch;
  int32_t heads_q;
  int32_t heads_kv;
  int32_t head_group; /* heads_q / heads_kv: q head h reads kv head h / head_group */
  int32_t seqlen_q;
  int32_t seqlen_k;
  /* 1: the q heads that share a kv head are packed into the rows of one q tile, row
   * r = query * head_group + (q head - first head of the group), and a work tile is a
   * (q tile, kv head, batch) triple (the twin kernel a manifest names "packed_heads_symbol"; the
   * runtime sets it for queries shorter than a tile, e.g. decoding, where a tile of one head
   * would be mostly empty rows). 0: a q tile holds rows of one head. */
  int32_t pack_heads;
  float scale;      /* softmax scale applied to Q·Kᵀ */
  float scale_log2; /* scale · log2(e): the kernel exponentiates with exp2 */
  /* The spec's runtime tensors by slot, and its int and float parameters, each numbered in
   * declaration order among those of their type. Unused entries are zero. */
  attn_runtime_tensor tensors[ATTN_MAX_TENSORS];
  int64_t int_params[ATTN_MAX_PARAMS];
  float float_params[ATTN_MAX_PARAMS];
  /* The plan of the call (attn/device/plan.h), for masks that read i32 tensors along the
   * sequence: summaries[slot] holds, for each batch row b and each run of ATTN_SUMMARY_GRANULE
   * positions g, the minimum and maximum of tensors[slot] there, at [(b·runs + g)·2 + {0, 1}].
   * Filled by the library's plan kernel before the forward kernel runs; NULL for other slots. */
  const int32_t *summaries[ATTN_MAX_TENSORS];
  /* The tile counter of a kernel whose persistent CTAs take their work tiles from it (manifest
   * grid "dynamic"; attn/device/sm90/scheduler.cuh): zeroed on the stream before the launch by
   * the runtime. NULL for other kernels. */
  unsigned long long *work_counter;
  /* The kv-tile plan of a kernel whose kv tiles a run-time scan finds (manifest plan
   * "kv_tiles"; attn/device/kv_plan.h): per (batch, head or all heads, q tile), the kv-tile
   * bounds and a bit per kv tile that may keep a pair and per tile that keeps every pair.
   * Filled by the library's kv plan kernel before the forward kernel runs; NULL for other
   * kernels. */
  const uint32_t *kv_plan;
} attn_forward_params;

/* Positions per entry of a plan summary: the smallest kv tile of any kernel, so that a tile's
 * summary is a few entries. */
#define ATTN_SUMMARY_GRANULE 32

#ifdef __cplusplus
}
#endif

#endif /* ATTN_ABI_H */
