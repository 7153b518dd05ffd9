//===- TileDialect.td - the tile dialect definition --------*- tablegen -*-===//
//
// The `tile` dialect describes *how* one attention kernel runs on one GPU
// architecture: its tile configuration, the kv-tile bounds of each q tile and
// the schedule of steps in each kv loop. The CUDA emitter prints it 1:1.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_TILE_IR_TILEDIALECT_TD
#define ATTNC_DIALECTS_TILE_IR_TILEDIALECT_TD

include "mlir/IR/OpBase.td"

def Tile_Dialect : Dialect {
  let name = "tile";
  let cppNamespace = "::mlir::tile";
  let summary = "Kernel-level attention: tile config, kv-tile bounds, step schedule";
  let description = [{
    A `tile.kernel` is one CUDA kernel. Each CTA owns one q tile of `block_m`
    query rows, walks the kv tiles of `block_n` keys that `tile.kv_bounds`
    selects, from the highest down, in up to three `tile.kv_loop`s (partial,
    full, partial), and ends in `tile.epilogue`. A kernel with a
    `tile.score_fn` passes every score through it before the mask. Step ops (`tile.load`,
    `tile.mma_qk`, ...) are calls of the device tile object
    (`attn/device/sm80/forward.cuh`); they have no SSA operands, and their
    memory effects keep them in order and alive through canonicalize and CSE.
  }];

  // mask_fn and kv_bounds bodies are `arith`, score_fn bodies `arith` and
  // `math`.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let useDefaultAttributePrinterParser = 1;
}

class Tile_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tile_Dialect, mnemonic, traits>;

#endif // ATTNC_DIALECTS_TILE_IR_TILEDIALECT_TD
