//===- LibraryWriter.h - Kernels + manifest → lib<name>.so ------*- C++ -*-===//
//
// The library is data behind one function: the manifest, the cubins, and
// `attn_get_library()` (runtime/include/attn/abi.h). It is built from
// a generated C file by the host C compiler and links against nothing, so it
// loads on any machine; the runtime does all CUDA work.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_LIBRARYWRITER_H
#define ATTNC_COMPILER_CODEGEN_LIBRARYWRITER_H

#include "compiler/Codegen/Manifest.h"

namespace attnc::codegen {

/// The generated C source of the library (the cubins read from disk).
llvm::Expected<std::string> librarySource(const std::string &manifest,
                                          const std::vector<CompiledKernel> &kernels);

/// The generated C header declaring the library's entry point and documenting
/// its kernels.
std::string libraryHeader(const spec::Spec &spec, const std::vector<CompiledKernel> &kernels);

/// Compiles `cFile` into the shared library `soFile`.
llvm::Error linkLibrary(const Toolchain &toolchain, llvm::StringRef cFile,
                        llvm::StringRef soFile);

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_LIBRARYWRITER_H
