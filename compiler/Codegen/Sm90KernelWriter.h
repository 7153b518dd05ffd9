//===- Sm90KernelWriter.h - The warp-specialised sm_90a kernel --*- C++ -*-===//
//
// The kernel half of an emitted file for a #tile.config with warpgroups > 0:
// the Traits of runtime/device/attn/device/sm90 (tile shape, stages,
// schedule), a Variant that adapts the hooks CudaEmitter wrote above it to the
// contract of sm90/forward.cuh, and the __global__ function, which takes the
// kernel parameters and the TMA tensor maps and calls the composed kernel.
//
// The tile ops of the kernel body describe the FlashAttention-2 schedule that
// the mma.sync kernel follows step by step; the warp-specialised kernel
// implements the same computation (producer, consumers and their pipelines in
// one composition), so the writer only checks that the body asks for nothing
// else.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_SM90KERNELWRITER_H
#define ATTNC_COMPILER_CODEGEN_SM90KERNELWRITER_H

#include "compiler/Codegen/CudaEmitter.h"
#include "llvm/Support/raw_ostream.h"

namespace attnc::codegen {

/// Writes the Traits, the Variant and the kernel of `kernel` to `os`, after
/// its hooks. Fails with an error on an op the composed kernel cannot honour.
mlir::LogicalResult writeSm90Kernel(mlir::tile::KernelOp kernel, const KernelInfo &info,
                                    llvm::raw_ostream &os);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_SM90KERNELWRITER_H
