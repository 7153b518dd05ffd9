//===- Nvcc.h - Compiling emitted CUDA with nvcc ----------------*- C++ -*-===//

#ifndef ATTNC_COMPILER_CODEGEN_NVCC_H
#define ATTNC_COMPILER_CODEGEN_NVCC_H

#include "compiler/Target/Target.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace attnc::codegen {

/// Where the tools and headers are; defaults come from the build, and the
/// ATTNC_NVCC / ATTNC_DEVICE_INCLUDE environment variables override them.
struct Toolchain {
  std::string nvcc;
  std::string deviceInclude;  ///< runtime/device
  std::string runtimeInclude; ///< runtime/include (attn/abi.h)
  std::string hostCompiler;   ///< builds the library's host part: $CC or cc

  static Toolchain fromEnvironment(std::optional<std::string> nvccOverride);
};

/// What ptxas reported for one kernel.
struct ResourceUsage {
  int registers = -1;
  int spillStoreBytes = 0;
  int spillLoadBytes = 0;
  int stackBytes = 0;
  /// ptxas's "Potential Performance Loss" notes on the kernel (e.g. C7515:
  /// its wgmma instructions serialised), one per line; empty when none.
  std::string performanceLoss;
};

enum class NvccOutput { Cubin, Ptx };

/// Compiles `cuFile` for `target` into `outFile`; on failure the error holds
/// nvcc's diagnostics. Fills `usage` with ptxas's verbose report on the entry
/// function `entry` (cubin only; a file may hold other kernels, such as a
/// plan kernel).
llvm::Error runNvcc(const Toolchain &toolchain, const target::Target &target,
                    NvccOutput output, llvm::StringRef cuFile, llvm::StringRef outFile,
                    ResourceUsage *usage, llvm::StringRef entry = "");

/// Runs `program` with `args`, capturing stdout+stderr into `log`. Returns an
/// error naming the command and its output when it fails.
llvm::Error runProgram(llvm::StringRef program, llvm::ArrayRef<std::string> args,
                       std::string &log);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_NVCC_H
