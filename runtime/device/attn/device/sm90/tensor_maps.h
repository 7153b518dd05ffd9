/* The TMA tensor maps of the sm_90a forward kernel, as opaque blobs.
 *
 * A tensor map (the driver's CUtensorMap) is a 128-byte, 64-byte-aligned descriptor that the
 * host encodes with cuTensorMapEncodeTiled and the kernel receives by value as a
 * __grid_constant__ parameter (the copy engine reads it from the parameter space). Plain C with
 * no CUDA header, so that abi.h can publish the same layout; runtime/host/TensorMaps.h fills it.
 *
 * Q, K, V and O are each described as a 4-d tensor (innermost first) [D, S, H, B] with the
 * strides of attn_forward_params, so rows past a sequence's end are out of bounds of that head:
 * the copy engine zero-fills them on loads and skips them on stores. One box is 64 elements of D
 * (128 bytes, the 128B swizzle span) by a tile of rows; a [rows, D] tile takes D / 64 boxes.
 * O's box is one consumer warpgroup's 64 rows (sm90/epilogue.cuh), and only kernels that tile a
 * sequence get an O map (the others' is left zeroed). */
#ifndef ATTN_DEVICE_SM90_TENSOR_MAPS_H
#define ATTN_DEVICE_SM90_TENSOR_MAPS_H

#include <stdint.h>

#ifdef __cplusplus
#define ATTN_ALIGNAS_64 alignas(64)
extern "C" {
#else
#define ATTN_ALIGNAS_64 _Alignas(64)
#endif

typedef struct attn_tensor_map {
  ATTN_ALIGNAS_64 uint64_t opaque[16]; /* a CUtensorMap */
} attn_tensor_map;

/* The sm_90a forward kernel's second parameter. */
typedef struct attn_forward_tensor_maps {
  attn_tensor_map q; /* box [64, block_m] */
  attn_tensor_map k; /* box [64, block_n] */
  attn_tensor_map v; /* box [64, block_n] */
  attn_tensor_map o; /* box [64, 64] */
} attn_forward_tensor_maps;

/* Rows of O per box: a consumer warpgroup's (one wgmma M). */
#define ATTN_TMA_O_BOX_ROWS 64

/* Elements of D per box: 128 bytes of a 16-bit type, the width of one 128B-swizzled row. */
#define ATTN_TMA_BOX_COLS 64

#ifdef __cplusplus
}
#endif

#endif /* ATTN_DEVICE_SM90_TENSOR_MAPS_H */
