//===- AttnDialect.td - the attn dialect definition --------*- tablegen -*-===//
//
// The `attn` dialect describes *what* an attention variant computes: the mask
// predicate over (batch, head, query, key) positions, the optional score
// modification, the head dimension, the element type and the modes to
// compile. It says nothing about tiling.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_ATTN_IR_ATTNDIALECT_TD
#define ATTNC_DIALECTS_ATTN_IR_ATTNDIALECT_TD

include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Spec-level attention: the mask, the score modification and the problem shape";
  let description = [{
    One `attn.attention` op per attention variant. Its first region is the
    mask: a pure function of (b, h, q, k, sq, skv) built from `arith` ops and
    from structured mask ops such as `attn.causal`, which analyses can
    recognise without pattern-matching arithmetic. Its optional second region
    is the score modification: a pure f32 function of the score s and of
    (b, h, q, k, sq, skv, hq), in `arith` and `math`. `--attn-to-tile` lowers
    it to the `tile` dialect.
  }];

  // Mask regions are written in `arith`, score regions in `arith` and
  // `math`; folding materializes arith constants.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTNC_DIALECTS_ATTN_IR_ATTNDIALECT_TD
