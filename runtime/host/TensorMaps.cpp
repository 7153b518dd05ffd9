#include "TensorMaps.h"

#include <cstdint>
#include <cstring>

static_assert(sizeof(attn_tensor_map) == sizeof(CUtensorMap), "attn_tensor_map is a CUtensorMap");
static_assert(alignof(attn_tensor_map) >= 64, "the copy engine reads tensor maps at 64-byte alignment");

namespace attn::runtime {
namespace {

constexpr uint64_t kElementBytes = 2;

// One operand: base pointer, the [D, S, H, B] extents and the S, H, B strides in elements.
struct Operand {
  const void *data;
  uint64_t dims[4];
  int64_t strides[3];
};

CUresult encodeOne(TensorMapEncodeTiledFn encode, CUtensorMapDataType type, const Operand &op,
                   uint32_t boxRows, attn_tensor_map *out) {
  if (reinterpret_cast<uintptr_t>(op.data) % 16 != 0)
    return CUDA_ERROR_INVALID_VALUE;
  cuuint64_t dims[4];
  cuuint64_t strides[3];
  for (int i = 0; i < 4; ++i)
    dims[i] = op.dims[i];
  for (int i = 0; i < 3; ++i) {
    // A stride of an extent-1 dim is never used to address; make it a legal one (a non-zero
    // multiple of 16 bytes) whatever the caller's tensor says.
    uint64_t bytes = static_cast<uint64_t>(op.strides[i]) * kElementBytes;
    if (op.dims[i + 1] == 1)
      bytes = 16;
    if (op.strides[i] <= 0 && op.dims[i + 1] != 1)
      return CUDA_ERROR_INVALID_VALUE;
    if (bytes % 16 != 0)
      return CUDA_ERROR_INVALID_VALUE;
    strides[i] = bytes;
  }
  const cuuint32_t box[4] = {ATTN_TMA_BOX_COLS, boxRows, 1, 1};
  const cuuint32_t elementStrides[4] = {1, 1, 1, 1};
  CUtensorMap map;
  const CUresult result =
      encode(&map, type, 4, const_cast<void *>(op.data), dims, strides, box, elementStrides,
             CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
             CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (result == CUDA_SUCCESS)
    std::memcpy(out, &map, sizeof(map));
  return result;
}

} // namespace

CUresult encodeForwardTensorMaps(TensorMapEncodeTiledFn encode, const attn_forward_params &p,
                                 attn_dtype dtype, const ForwardTileShape &shape,
                                 attn_forward_tensor_maps *maps) {
  if (encode == nullptr || maps == nullptr || shape.headDim % ATTN_TMA_BOX_COLS != 0)
    return CUDA_ERROR_INVALID_VALUE;
  CUtensorMapDataType type;
  if (dtype == ATTN_DTYPE_BF16)
    type = CU_TENSOR_MAP_DATA_TYPE_BFLOAT16;
  else if (dtype == ATTN_DTYPE_F16)
    type = CU_TENSOR_MAP_DATA_TYPE_FLOAT16;
  else
    return CUDA_ERROR_INVALID_VALUE;
  const uint64_t d = static_cast<uint64_t>(shape.headDim);
  const uint64_t batch = static_cast<uint64_t>(p.batch);
  const Operand q{p.q,
                  {d, static_cast<uint64_t>(p.seqlen_q), static_cast<uint64_t>(p.heads_q), batch},
                  {p.q_row_stride, p.q_head_stride, p.q_batch_stride}};
  const Operand k{p.k,
                  {d, static_cast<uint64_t>(p.seqlen_k), static_cast<uint64_t>(p.heads_kv), batch},
                  {p.k_row_stride, p.k_head_stride, p.k_batch_stride}};
  const Operand v{p.v,
                  {d, static_cast<uint64_t>(p.seqlen_k), static_cast<uint64_t>(p.heads_kv), batch},
                  {p.v_row_stride, p.v_head_stride, p.v_batch_stride}};
  CUresult result = encodeOne(encode, type, q, static_cast<uint32_t>(shape.blockM), &maps->q);
  if (result == CUDA_SUCCESS)
    result = encodeOne(encode, type, k, static_cast<uint32_t>(shape.blockN), &maps->k);
  if (result == CUDA_SUCCESS)
    result = encodeOne(encode, type, v, static_cast<uint32_t>(shape.blockN), &maps->v);
  return result;
}

} // namespace attn::runtime
