#include "TensorMaps.h"

#include <cstdint>
#include <cstring>

static_assert(sizeof(attn_tensor_map) == sizeof(CUtensorMap), "attn_tensor_map is a CUtensorMap");
static_assert(alignof(attn_tensor_map) >= 64, "the copy engine reads tensor maps at 64-byte alignment");

namespace attn::runtime {
namespace {

constexpr uint64_t kElementBytes = 2;

// One operand: base pointer, its extents from D outwards (4 or 5 of them) and the strides of all
// but D, in elements.
struct Operand {
  const void *data;
  int rank;
  uint64_t dims[5];
  int64_t strides[4];
};

CUresult encodeOne(TensorMapEncodeTiledFn encode, CUtensorMapDataType type, const Operand &op,
                   const cuuint32_t (&box)[5], attn_tensor_map *out) {
  if (reinterpret_cast<uintptr_t>(op.data) % 16 != 0)
    return CUDA_ERROR_INVALID_VALUE;
  cuuint64_t dims[5];
  cuuint64_t strides[4];
  for (int i = 0; i < op.rank; ++i)
    dims[i] = op.dims[i];
  for (int i = 0; i + 1 < op.rank; ++i) {
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
  const cuuint32_t elementStrides[5] = {1, 1, 1, 1, 1};
  CUtensorMap map;
  const CUresult result =
      encode(&map, type, op.rank, const_cast<void *>(op.data), dims, strides, box, elementStrides,
             CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
             CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (result == CUDA_SUCCESS)
    std::memcpy(out, &map, sizeof(map));
  return result;
}

// One tensor of [B, S, H, D] (by strides) as the map the kernel's geometry reads.
Operand operand(const void *data, uint64_t d, int64_t seqlen, int heads, int batch,
                int64_t rowStride, int64_t headStride, int64_t batchStride,
                const std::vector<int32_t> &grid) {
  if (grid.size() < 2)
    return {data, 4, {d, static_cast<uint64_t>(seqlen), static_cast<uint64_t>(heads),
                      static_cast<uint64_t>(batch), 0},
            {rowStride, headStride, batchStride, 0}};
  const uint64_t x = static_cast<uint64_t>(grid.back());
  const uint64_t folded = static_cast<uint64_t>(seqlen) / x;
  return {data, 5, {d, x, folded, static_cast<uint64_t>(heads), static_cast<uint64_t>(batch)},
          {rowStride, rowStride * static_cast<int64_t>(x), headStride, batchStride}};
}

// Q with packed heads: the q heads of a kv head's group as a dim of their own, inside the
// sequence, so that a box of (head, query) pairs is a tile's rows.
Operand packedQuery(const attn_forward_params &p, uint64_t d) {
  const int64_t group = p.head_group;
  return {p.q, 5, {d, static_cast<uint64_t>(group), static_cast<uint64_t>(p.seqlen_q),
                   static_cast<uint64_t>(p.heads_kv), static_cast<uint64_t>(p.batch)},
          {p.q_head_stride, p.q_row_stride, p.q_head_stride * group, p.q_batch_stride}};
}

// The box of one copy: 64 columns by the tile's rows, or by the last two axes of its grid box.
void boxOf(int rows, const std::vector<int32_t> &gridBox, cuuint32_t (&box)[5]) {
  const bool grid = gridBox.size() >= 2;
  box[0] = ATTN_TMA_BOX_COLS;
  box[1] = static_cast<cuuint32_t>(grid ? gridBox[gridBox.size() - 1] : rows);
  box[2] = static_cast<cuuint32_t>(grid ? gridBox[gridBox.size() - 2] : 1);
  box[3] = box[4] = 1;
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
  const bool tilesGrid = shape.qBox.size() >= 2;
  const std::vector<int32_t> none;
  const std::vector<int32_t> &grid = tilesGrid ? shape.grid : none;
  const uint64_t d = static_cast<uint64_t>(shape.headDim);
  const bool packed = p.pack_heads != 0;
  if (packed && (tilesGrid || p.head_group < 1 || shape.blockM % p.head_group != 0))
    return CUDA_ERROR_INVALID_VALUE;
  const Operand q = packed ? packedQuery(p, d)
                           : operand(p.q, d, p.seqlen_q, p.heads_q, p.batch, p.q_row_stride,
                                     p.q_head_stride, p.q_batch_stride, grid);
  const Operand k = operand(p.k, d, p.seqlen_k, p.heads_kv, p.batch, p.k_row_stride,
                            p.k_head_stride, p.k_batch_stride, grid);
  const Operand v = operand(p.v, d, p.seqlen_k, p.heads_kv, p.batch, p.v_row_stride,
                            p.v_head_stride, p.v_batch_stride, grid);
  cuuint32_t qBox[5], kvBox[5];
  boxOf(shape.blockM, tilesGrid ? shape.qBox : none, qBox);
  if (packed) {
    qBox[1] = static_cast<cuuint32_t>(p.head_group);
    qBox[2] = static_cast<cuuint32_t>(shape.blockM / p.head_group);
  }
  boxOf(shape.blockN, tilesGrid ? shape.kvBox : none, kvBox);
  CUresult result = encodeOne(encode, type, q, qBox, &maps->q);
  if (result == CUDA_SUCCESS)
    result = encodeOne(encode, type, k, kvBox, &maps->k);
  if (result == CUDA_SUCCESS)
    result = encodeOne(encode, type, v, kvBox, &maps->v);
  // O, for a TMA epilogue: the rows of one consumer warpgroup. A grid's q tiles are boxes of
  // tokens, stored row by row, so a grid kernel gets none.
  std::memset(&maps->o, 0, sizeof maps->o);
  if (result == CUDA_SUCCESS && !tilesGrid) {
    const Operand o = operand(p.o, d, p.seqlen_q, p.heads_q, p.batch, p.o_row_stride,
                              p.o_head_stride, p.o_batch_stride, none);
    cuuint32_t oBox[5];
    boxOf(ATTN_TMA_O_BOX_ROWS, none, oBox);
    result = encodeOne(encode, type, o, oBox, &maps->o);
  }
  return result;
}

} // namespace attn::runtime
