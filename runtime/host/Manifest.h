// The manifest of an attnc library (docs/architecture.md, "Library and manifest"), parsed and
// checked once at open so that launches read plain fields.
#ifndef ATTN_RUNTIME_MANIFEST_H
#define ATTN_RUNTIME_MANIFEST_H

#include <cstdint>
#include <string>
#include <vector>

#include "attn/attn.h"

namespace attn::runtime {

// One tensor a plan kernel summarises (attn/device/plan.h): its slot, whether it has a batch
// dimension, and whether it runs along the queries ("sq") or the keys ("skv").
struct ManifestSummary {
  int32_t slot = 0;
  bool batched = false;
  bool alongQueries = false;
};

// A plan kernel (same image as the forward kernel): its symbol, "" when there is none.
struct ManifestPlanKernel {
  std::string symbol;
  int32_t threads = 0;
};

// The plan kernels a forward kernel needs first, in this order: the summaries of the id tensors
// its mask reads (attn/device/plan.h), then its kv tiles (attn/device/kv_plan.h).
struct ManifestPlan {
  ManifestPlanKernel summary;
  std::vector<ManifestSummary> summaries; // blockIdx.z of the summary kernel indexes these
  ManifestPlanKernel kvTiles;              // grid (q tiles, Hq or 1, B)
  bool kvTilesPerHead = false;             // an entry per head (else one for all heads)
};

// How a kernel's grid is sized (the manifest's "grid"; absent means QTileHeadBatch).
enum class LaunchGrid {
  QTileHeadBatch, // (ceil(Sq / blockM), Hq, B): the mma.sync kernel
  WorkTiles,      // B·Hq·ceil(Sq / blockM) CTAs in x, one per work tile (sm90/scheduler.cuh)
  Persistent,     // min(work tiles, SM count) CTAs in x, each looping over work tiles
  Dynamic,        // as Persistent, the CTAs taking their tiles from params.work_counter
};

// Persistent and Dynamic grids have at most one CTA per multiprocessor.
inline bool onePerMultiprocessor(LaunchGrid grid) {
  return grid == LaunchGrid::Persistent || grid == LaunchGrid::Dynamic;
}

// One compiled kernel: which mode and arch it serves, the symbol in its image and how to launch it.
struct ManifestKernel {
  std::string mode;   // "forward"
  std::string arch;   // "sm_80", "sm_90a": names the descriptor image that holds it
  std::string symbol; // the __global__ function in that image
  int32_t threads = 0;
  int32_t smemBytes = 0; // dynamic shared memory per block
  int32_t blockM = 0;    // query rows per block (per work tile)
  int32_t blockN = 0;    // keys per kv tile: the K/V tensor maps' box rows
  LaunchGrid grid = LaunchGrid::QTileHeadBatch;
  // The kernel's second parameter is the TMA tensor maps of Q, K and V
  // (attn/device/sm90/tensor_maps.h), encoded by the runtime at each launch.
  bool tensorMaps = false;
  // The same kernel over packed heads: the q heads of a kv head's group in one q tile's rows
  // (attn_forward_params::pack_heads), where none of its hooks reads the head; "" if none.
  std::string packedHeadsSymbol;
  ManifestPlan plan;
  // A kernel that tiles the token grid in N-d: the box of the grid a q tile and a kv tile cover
  // (products block_m and block_n); empty for a kernel that tiles the token sequence.
  std::vector<int32_t> qBox, kvBox;
  int64_t gridQTiles = 0; // with boxes: the q tiles of one (batch, head), from token_grid
};

// A runtime tensor the spec declares: dims are "b", "hq", "sq", "skv", "sq/N" (ceil(sq / N)
// blocks of a routing list) or a fixed size.
struct ManifestTensor {
  std::string name;
  attn_dtype dtype = ATTN_DTYPE_I32;
  std::vector<std::string> dims; // "b", "hq", "sq", "skv", "sq/N", or a decimal size
};

// N of an "sq/N" dimension (1 <= N < 2^31); 0 for any other name.
int64_t queryBlockSize(const std::string &dim);

struct ManifestParam {
  std::string name;
  bool isFloat = false;
};

struct Manifest {
  uint32_t abiVersion = 0;
  std::string name;
  attn_dtype dtype = ATTN_DTYPE_BF16; // of q, k, v and o
  int32_t headDim = 0;
  std::string mask; // the mask as the manifest names it ("none", "causal", ...); "" if absent
  std::string score = "s"; // the score modification; "s" (identity) if absent
  std::vector<ManifestKernel> kernels;
  std::vector<ManifestTensor> tensors; // runtime data, in declaration order
  std::vector<ManifestParam> params;
  bool requiresQueryNotLonger = false; // calls need seqlen_q <= seqlen_k
  // The spec's token grid (axis sizes, row-major): calls need seqlen_q = seqlen_k = its token
  // count. Empty when the spec has none.
  std::vector<int32_t> tokenGrid;
  int64_t gridTokens = 0; // their product; 0 without a grid
};

// Parses `text` into `out`. Every field the runtime reads is checked for presence, type and range;
// on failure returns false and sets `error` to a message naming the field by its path
// ("kernels[1].threads: expected an integer, found a string"). Never throws.
bool parseManifest(const char *text, Manifest &out, std::string &error);

// "bf16", "f16", "f32", "i32": the spelling manifests use.
const char *dtypeName(attn_dtype dtype);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_MANIFEST_H
