//===- Manifest.h - The JSON manifest embedded in every library -*- C++ -*-===//
//
// The manifest is the library's self-description: the spec it came from, the
// ABI version, and per kernel the arch, symbol and launch configuration the
// runtime needs. Format: docs/architecture.md ("Library and manifest").
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_CODEGEN_MANIFEST_H
#define ATTNC_COMPILER_CODEGEN_MANIFEST_H

#include "compiler/Codegen/CudaEmitter.h"
#include "compiler/Codegen/Nvcc.h"
#include "compiler/Spec/Spec.h"

#include <string>
#include <vector>

namespace attnc::codegen {

/// A compiled kernel: what the emitter described plus what ptxas reported.
struct CompiledKernel {
  KernelInfo info;
  ResourceUsage usage;
  /// The image the library embeds: a cubin, or PTX (imageIsPtx) that the
  /// driver compiles when it loads it, for the device at hand.
  std::string imagePath;
  bool imageIsPtx = false;
};

/// The manifest JSON (pretty-printed) for `spec` and its kernels.
std::string buildManifest(const spec::Spec &spec, const std::vector<CompiledKernel> &kernels);

/// The version of attnc that writes the manifest.
extern const char *const kAttncVersion;

} // namespace attnc::codegen

#endif // ATTNC_COMPILER_CODEGEN_MANIFEST_H
