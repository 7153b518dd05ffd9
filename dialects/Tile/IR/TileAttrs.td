//===- TileAttrs.td - tile dialect attributes and enums ----*- tablegen -*-===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEATTRS_TD
#define ATTNC_DIALECTS_TILE_IR_TILEATTRS_TD

include "dialects/Tile/IR/TileDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// #tile.config
//===----------------------------------------------------------------------===//

def Tile_ConfigAttr : AttrDef<Tile_Dialect, "Config"> {
  let mnemonic = "config";
  let summary = "tile configuration of one kernel";
  let description = [{
    * `arch`: SM version the kernel is compiled for, 80 (sm_80) or 90 (sm_90a).
    * `block_m`: query rows per CTA (the q tile). Each of the `num_warps` warps
      owns block_m / num_warps rows, a multiple of the 16 rows of one mma.
    * `block_n`: keys per kv tile, a multiple of the mma n/k granule 16.
    * `num_warps`: warps per CTA; the CTA has 32 * num_warps threads.
    * `stages`: K/V shared-memory buffers (cp.async pipeline depth).

    Verified: arch in {80, 90}; num_warps >= 1; block_m = 16 * num_warps * j
    for some j >= 1; block_n = 16 * j for some j >= 1; stages >= 1.
    Build with `ConfigAttr::getChecked` to get these checks in C++.

    ```mlir
    #tile.config<arch = 80, block_m = 128, block_n = 64, num_warps = 4, stages = 2>
    ```
  }];
  let parameters = (ins
    "int64_t":$arch,
    "int64_t":$block_m,
    "int64_t":$block_n,
    "int64_t":$num_warps,
    "int64_t":$stages
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Threads per CTA.
    int64_t getNumThreads() const { return 32 * getNumWarps(); }
  }];
}

//===----------------------------------------------------------------------===//
// Enums. Printed as bare keywords inside op syntax: `{span = full}`.
//===----------------------------------------------------------------------===//

def Tile_KvSpan : I32Enum<"KvSpan", "which kv tiles a tile.kv_loop visits", [
  I32EnumCase<"partial_high", 0>,
  I32EnumCase<"full", 1>,
  I32EnumCase<"partial_low", 2>
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
