//===- SpecToAttn.h - Spec model → attn dialect -----------------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CONVERSION_SPECTOATTN_SPECTOATTN_H
#define ATTNC_COMPILER_CONVERSION_SPECTOATTN_SPECTOATTN_H

#include "compiler/Spec/Spec.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace attnc {

/// A module holding one attn.attention built from `spec`: the mask expression
/// becomes arith ops plus structured attn ops (causal) in its mask region, and
/// the score expression, if any, arith and math ops in its score region.
/// `fileName` locates the ops. Returns null after emitting a diagnostic if
/// the module does not verify.
mlir::OwningOpRef<mlir::ModuleOp> buildAttnModule(mlir::MLIRContext &context,
                                                  const spec::Spec &spec,
                                                  llvm::StringRef fileName);

} // namespace attnc

#endif // ATTNC_COMPILER_CONVERSION_SPECTOATTN_SPECTOATTN_H
