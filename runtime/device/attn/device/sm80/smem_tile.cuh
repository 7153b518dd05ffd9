// A [kRows, kCols] tile of 16-bit elements in shared memory, swizzled for ldmatrix.
//
// Rows are 128 or 256 bytes, so the 8 row addresses of one ldmatrix would all hit the same 16-byte
// bank group. XOR-ing the 16-byte chunk index with (row % 8) spreads any 8 consecutive rows of
// one chunk column over all 32 banks, for cp.async writes and ldmatrix reads alike.
//
// Stepping an ldmatrix address: a lane's address is fixed up to a compile-time step. Moving by
// 16·n rows adds n·16·kRowBytes (row % 8 is unchanged); moving by an even number of chunks 2c
// from a lane chunk of 0 or 1 is an XOR of the byte offset with 32·c, because the low chunk bit
// is untouched and the XOR commutes with the swizzle. So each lane keeps one byte offset per
// tile and every fragment address is one XOR and one add of constants.
#pragma once

#include <stdint.h>

namespace attn::device::sm80 {

template <class Element, int kRows, int kCols>
struct SmemTile {
  static constexpr int kChunkElems = 16 / sizeof(Element);  // elements per 16-byte chunk
  static constexpr int kChunksPerRow = kCols / kChunkElems;
  static constexpr int kRowBytes = kCols * sizeof(Element);
  static constexpr int kBytes = kRows * kRowBytes;
  static_assert(kChunksPerRow % 8 == 0, "swizzle needs rows of a multiple of 128 bytes");

  char *base;

  // Byte offset of chunk `chunk_col` of `row`.
  __device__ __forceinline__ static uint32_t offset(int row, int chunk_col) {
    return row * kRowBytes + ((chunk_col ^ (row & 7)) * 16);
  }
  // The address `lane_offset` (an offset() with chunk_col < 2) moved by 16·row_blocks rows and
  // 2·chunk_pairs chunks.
  __device__ __forceinline__ char *at(uint32_t lane_offset, int row_blocks, int chunk_pairs) const {
    return base + ((lane_offset ^ (chunk_pairs * 32)) + row_blocks * 16 * kRowBytes);
  }
  __device__ __forceinline__ char *chunk(int row, int chunk_col) const {
    return base + offset(row, chunk_col);
  }
};

}  // namespace attn::device::sm80
