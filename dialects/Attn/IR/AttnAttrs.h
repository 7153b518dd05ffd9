//===- AttnAttrs.h - attn dialect attributes and enums ----------*- C++ -*-===//
//
// `mlir::attn::Alignment` (enum) and `mlir::attn::AlignmentAttr`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_H
#define ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "dialects/Attn/IR/AttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Attn/IR/AttnAttrs.h.inc"

#endif // ATTNC_DIALECTS_ATTN_IR_ATTNATTRS_H
