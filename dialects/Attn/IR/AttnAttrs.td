//===- AttnAttrs.td - attn dialect attributes --------------*- tablegen -*-===//

#ifndef ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_TD
#define ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_TD

include "dialects/Attn/IR/AttnDialect.td"
include "mlir/IR/EnumAttr.td"

def Attn_Alignment : I32Enum<"Alignment",
    "where the diagonal of a causal mask sits when sq != skv", [
  I32EnumCase<"bottom_right", 0>,
  I32EnumCase<"top_left", 1>
]> {
  let cppNamespace = "::mlir::attn";
}

def Attn_AlignmentAttr : EnumAttr<Attn_Dialect, Attn_Alignment, "alignment"> {
  let description = [{
    `bottom_right` aligns the diagonal with the last query and the last key
    (query q sees keys k <= q + (skv - sq)); this is the FlashAttention >= 2.1
    convention, and the one to use for decoding with a KV cache.
    `top_left` aligns it with the first query and key (k <= q).
    The two agree when sq == skv. Printed as `#attn.alignment<bottom_right>`.
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_TD
