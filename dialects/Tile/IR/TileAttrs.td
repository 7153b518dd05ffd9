//===- TileAttrs.td - tile dialect attributes and enums ----*- tablegen -*-===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEATTRS_TD
#define ATTNC_DIALECTS_TILE_IR_TILEATTRS_TD

include "dialects/Tile/IR/TileDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// #tile.config
//===----------------------------------------------------------------------===//

def Tile_Launch : I32Enum<"Launch", "how the CTAs of a warp-specialised kernel take work tiles", [
  I32EnumCase<"grid", 0>,
  I32EnumCase<"persistent", 1>,
  I32EnumCase<"dynamic", 2>
]> {
  let cppNamespace = "::mlir::tile";
}
def Tile_LaunchParameter : EnumParameter<Tile_Launch> {
  let defaultValue = "::mlir::tile::Launch::grid";
}

def Tile_Epilogue : I32Enum<"Epilogue", "how a warp-specialised kernel writes O", [
  I32EnumCase<"direct", 0>,
  I32EnumCase<"tma", 1>
]> {
  let cppNamespace = "::mlir::tile";
}
def Tile_EpilogueParameter : EnumParameter<Tile_Epilogue> {
  let defaultValue = "::mlir::tile::Epilogue::direct";
}

def Tile_ConfigAttr : AttrDef<Tile_Dialect, "Config"> {
  let mnemonic = "config";
  let summary = "tile configuration of one kernel";
  let description = [{
    * `arch`: SM version the kernel is compiled for, 80 (sm_80) or 90 (sm_90a).
    * `block_m`: query rows per CTA (the q tile).
    * `block_n`: keys per kv tile, a multiple of the mma n/k granule 16.
    * `num_warps`: warps per CTA; the CTA has 32 * num_warps threads.
    * `stages`: K/V shared-memory buffers (pipeline depth).
    * `warpgroups` (default 0): consumer warpgroups of the warp-specialised
      wgmma + TMA kernel (runtime/device/attn/device/sm90, sm_90a only): the
      CTA is one producer warpgroup (TMA loads) and `warpgroups` consumers of
      64 q rows each. 0 selects the mma.sync kernel
      (runtime/device/attn/device/sm80), in which each of the `num_warps`
      warps owns block_m / num_warps rows.
    * `launch` (default `grid`): how the warp-specialised kernel's CTAs take
      their work tiles (runtime/device/attn/device/sm90/scheduler.cuh):
      `grid`, one CTA per work tile; `persistent`, one CTA per SM looping
      over the tiles in an order fixed in advance; `dynamic`, one CTA per SM
      taking each next tile from a counter in global memory when it is free.
    * `epilogue` (default `direct`): how the warp-specialised kernel writes O
      (runtime/device/attn/device/sm90/epilogue.cuh): `direct`, stores from
      the accumulators; `tma`, each consumer warpgroup writes its rows into an
      O tile in shared memory and one TMA copy stores it, so that the warps
      go on to the next work tile meanwhile.

    Verified: arch in {80, 90}; block_n = 16 * j for some j >= 1.
    mma.sync kernel: num_warps >= 1; block_m = 16 * num_warps * j for some
    j >= 1; stages >= 1; launch = grid; epilogue = direct.
    Warp-specialised kernel: arch 90; 1 <= warpgroups <= 3;
    block_m = 64 * warpgroups; num_warps = 4 * (1 + warpgroups);
    block_n <= 256 (one wgmma N); stages >= 2.
    The kernel (tile.kernel's verifier): epilogue = tma only over a token
    sequence (no q_box: a grid's q tile is a box of tokens).
    Build with `ConfigAttr::getChecked` to get these checks in C++. The
    defaulted parameters are printed only when set.

    ```mlir
    #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>
    #tile.config<arch = 90, block_m = 128, block_n = 128, num_warps = 12, stages = 2,
                 warpgroups = 2, launch = persistent, epilogue = tma>
    ```
  }];
  let parameters = (ins
    "int64_t":$arch,
    "int64_t":$block_m,
    "int64_t":$block_n,
    "int64_t":$num_warps,
    "int64_t":$stages,
    DefaultValuedParameter<"int64_t", "0">:$warpgroups,
    Tile_LaunchParameter:$launch,
    Tile_EpilogueParameter:$epilogue
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Threads per CTA.
    int64_t getNumThreads() const { return 32 * getNumWarps(); }
    /// The wgmma + TMA kernel family (a producer and consumer warpgroups).
    bool isWarpSpecialized() const { return getWarpgroups() > 0; }
  }];
}

//===----------------------------------------------------------------------===//
// Enums. Printed as bare keywords inside op syntax: `{span = full}`.
//===----------------------------------------------------------------------===//

def Tile_KvSpan : I32Enum<"KvSpan", "which kv tiles a tile.kv_loop visits", [
  I32EnumCase<"partial_high", 0>,
  I32EnumCase<"full", 1>,
  I32EnumCase<"partial_low", 2>,
  I32EnumCase<"routed", 3>,
  I32EnumCase<"boxes", 4>
]> {
  let cppNamespace = "::mlir::tile";
}
def Tile_KvSpanAttr : EnumAttr<Tile_Dialect, Tile_KvSpan, "kv_span">;

def Tile_KvOperand : I32Enum<"KvOperand", "the K or the V operand", [
  I32EnumCase<"k", 0>,
  I32EnumCase<"v", 1>
]> {
  let cppNamespace = "::mlir::tile";
}
def Tile_KvOperandAttr : EnumAttr<Tile_Dialect, Tile_KvOperand, "kv_operand">;

def Tile_TileWhich : I32Enum<"TileWhich", "which kv tile a tile.load fetches", [
  I32EnumCase<"first", 0>,
  I32EnumCase<"current", 1>,
  I32EnumCase<"next", 2>
]> {
  let cppNamespace = "::mlir::tile";
}
def Tile_TileWhichAttr : EnumAttr<Tile_Dialect, Tile_TileWhich, "which">;

#endif // ATTNC_DIALECTS_TILE_IR_TILEATTRS_TD
