//===- TileDialect.cpp - tile dialect registration and attributes ---------===//

#include "dialects/Tile/IR/TileDialect.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tile;

#include "dialects/Tile/IR/TileDialect.cpp.inc"
#include "dialects/Tile/IR/TileEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.cpp.inc"

void TileDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Tile/IR/TileOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Tile/IR/TileAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ConfigAttr
//===----------------------------------------------------------------------===//

/// Rows of one mma.sync m16n8k16 (per warp) and the n/k granule of a tile.
static constexpr int64_t kMmaRows = 16;
static constexpr int64_t kMmaGranule = 16;
/// The warp-specialised kernel: 64 q rows per consumer warpgroup (one wgmma
/// M), at most three consumers, and a kv tile that is one wgmma N.
static constexpr int64_t kWarpgroupRows = 64;
static constexpr int64_t kWarpsPerWarpgroup = 4;
static constexpr int64_t kMaxConsumerWarpgroups = 3;
static constexpr int64_t kMaxWgmmaN = 256;

/// Rules of the warp-specialised (sm90) kernel family.
static LogicalResult verifyWarpSpecialized(function_ref<InFlightDiagnostic()> emitError,
                                           int64_t arch, int64_t blockM, int64_t blockN,
                                           int64_t numWarps, int64_t stages,
                                           int64_t warpgroups) {
  if (arch != 90)
    return emitError() << "warpgroups needs arch 90 (wgmma and TMA), got arch " << arch;
  if (warpgroups > kMaxConsumerWarpgroups)
    return emitError() << "warpgroups must be 1 to " << kMaxConsumerWarpgroups << ", got "
                       << warpgroups;
  if (blockM != kWarpgroupRows * warpgroups)
    return emitError() << "block_m must be 64 * warpgroups = " << kWarpgroupRows * warpgroups
                       << ", got " << blockM;
  if (numWarps != kWarpsPerWarpgroup * (1 + warpgroups))
    return emitError() << "num_warps must be 4 * (1 + warpgroups) = "
                       << kWarpsPerWarpgroup * (1 + warpgroups)
                       << " (a producer warpgroup and the consumers), got " << numWarps;
  if (blockN > kMaxWgmmaN)
    return emitError() << "block_n must be at most " << kMaxWgmmaN << " (one wgmma N), got "
                       << blockN;
  if (stages < 2)
    return emitError() << "stages must be >= 2 (the next kv tile loads during this one), got "
                       << stages;
  return success();
}

LogicalResult ConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t arch, int64_t blockM, int64_t blockN,
                                 int64_t numWarps, int64_t stages, int64_t warpgroups,
                                 Launch launch, Epilogue epilogue) {
  if (arch != 80 && arch != 90)
    return emitError() << "arch must be 80 or 90, got " << arch;
  if (blockN <= 0 || blockN % kMmaGranule != 0)
    return emitError() << "block_n must be a positive multiple of 16, got "
                       << blockN;
  if (warpgroups < 0)
    return emitError() << "warpgroups must be >= 0, got " << warpgroups;
  if (warpgroups > 0)
    return verifyWarpSpecialized(emitError, arch, blockM, blockN, numWarps, stages, warpgroups);
  if (launch != Launch::grid)
    return emitError() << "launch = " << stringifyLaunch(launch)
                       << " needs a warp-specialised kernel (warpgroups >= 1)";
  if (epilogue != Epilogue::direct)
    return emitError() << "epilogue = " << stringifyEpilogue(epilogue)
                       << " needs a warp-specialised kernel (warpgroups >= 1)";
  if (numWarps < 1)
    return emitError() << "num_warps must be >= 1, got " << numWarps;
  // Each warp owns block_m / num_warps rows, a whole number of mma tiles.
  int64_t rowGranule = kMmaRows * numWarps;
  if (blockM <= 0 || blockM % rowGranule != 0)
    return emitError() << "block_m must be a positive multiple of 16 * "
                          "num_warps = "
                       << rowGranule << ", got " << blockM;
  if (stages < 1)
    return emitError() << "stages must be >= 1, got " << stages;
  return success();
}
