// A [kRows, kCols] tile of a 16-bit type in shared memory, 128B-swizzled, and the wgmma
// descriptors that read it.
//
// Layout: kCols / 64 column blocks, each [kRows][64 elements] with rows of 128 bytes, exactly as
// one TMA box per block writes it (tensor_maps.h). Within every 8-row, 1024-byte group the 16-byte
// chunk c of row r sits at chunk c ^ (r % 8) (the 128B swizzle), which keeps ldmatrix-free
// wgmma reads and the copy engine's writes free of bank conflicts. Blocks start 1024-aligned.
//
// wgmma descriptor (PTX ISA, "Matrix Descriptor Format"), 64 bits:
//   [0,14) start address >> 4   [16,30) leading-dim byte offset >> 4
//   [32,46) stride-dim byte offset >> 4   [62,64) swizzle mode (1 = 128B)
// K-major use (Q and K as A/B of S = Q·Kᵀ: rows are M or N, columns are the reduction dim):
//   SBO = 1024 (next 8-row group), LBO unused; a k-step of 16 columns inside a 64-column block
//   advances the start address by 32 bytes (the hardware applies the swizzle to the address).
// MN-major use (V as B of O = P·V, transpose bit set: rows are the reduction dim, columns N):
//   SBO = 1024 (next 8 rows of the reduction), LBO = block stride (next 64 columns of N); a
//   k-step of 16 rows advances the start address by 16 · 128 bytes.
#pragma once

#include <stdint.h>

#include "attn/device/sm90/mbarrier.cuh"
#include "attn/device/sm90/tensor_maps.h"

namespace attn::device::sm90 {

template <int kRows, int kCols>
struct SwizzledTile {
  static constexpr int kBlockCols = ATTN_TMA_BOX_COLS;  // 64 elements = 128 bytes
  static constexpr int kRowBytes = kBlockCols * 2;
  static constexpr int kBlocks = kCols / kBlockCols;
  static constexpr int kBlockBytes = kRows * kRowBytes;
  static constexpr int kBytes = kBlocks * kBlockBytes;
  static_assert(kCols % kBlockCols == 0, "columns come in whole 128-byte swizzle blocks");
  static_assert(kRows % 8 == 0, "rows come in whole 8-row swizzle groups");
  static_assert(kBlockBytes % 1024 == 0, "every block starts on a 1024-byte swizzle period");
};

constexpr uint64_t kSwizzle128B = 1ull << 62;

__device__ __forceinline__ uint64_t make_desc(uint32_t smem_byte_addr, uint32_t lbo, uint32_t sbo) {
  return uint64_t((smem_byte_addr & 0x3FFFF) >> 4) | (uint64_t((lbo >> 4) & 0x3FFF) << 16) |
         (uint64_t((sbo >> 4) & 0x3FFF) << 32) | kSwizzle128B;
}

// A or B of a K-major product: rows [row0, row0 + M or N) of the tile, k-step `kk` (16 columns).
template <class Tile>
__device__ __forceinline__ uint64_t desc_k_major(uint32_t tile_addr, int row0, int kk) {
  const uint32_t addr = tile_addr + (kk / 4) * Tile::kBlockBytes + row0 * Tile::kRowBytes + (kk % 4) * 32;
  return make_desc(addr, /*lbo=*/16, /*sbo=*/1024);
}

// B of an MN-major product (transpose bit): reduction rows [16·kk, 16·kk + 16), all columns.
template <class Tile>
__device__ __forceinline__ uint64_t desc_mn_major(uint32_t tile_addr, int kk) {
  return make_desc(tile_addr + kk * 16 * Tile::kRowBytes, /*lbo=*/Tile::kBlockBytes, /*sbo=*/1024);
}

}  // namespace attn::device::sm90
