//===- Driver.h - The attnc pipeline, stage by stage ------------*- C++ -*-===//
//
// spec.json → Spec → attn → (canonicalize, attn-to-tile, canonicalize) → tile
// → CUDA → cubins → lib<name>.so. `--emit` stops after a stage and prints it.
// A library is written to a temporary name beside the output and renamed into
// place only when everything succeeded, so a failed run leaves no output.
// `--emit=tilemap` prints, instead of a stage, the kv tiles each q tile of
// one problem visits (compiler/Driver/Tilemap.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_COMPILER_DRIVER_DRIVER_H
#define ATTNC_COMPILER_DRIVER_DRIVER_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnc {

enum class EmitKind { Library, Attn, Tile, Cuda, Ptx, Tilemap };

struct DriverOptions {
  std::string specPath;
  std::string outputPath;          ///< library (default lib<name>.so) or --emit file (default stdout)
  EmitKind emit = EmitKind::Library;
  std::vector<std::string> archs;  ///< empty: every target
  std::optional<std::string> nvcc; ///< overrides ATTNC_NVCC and the build default
  std::string keepTemps;           ///< directory to keep intermediate files in
  bool quiet = false;              ///< no per-kernel resource report
  /// Embed PTX rather than cubins: the driver compiles it at load time for the
  /// device at hand, so an sm_80 kernel also runs on later GPUs (Hopper).
  bool embedPtx = false;
  /// Overrides how the sm_90a kernels' CTAs take work tiles ("grid",
  /// "persistent", "dynamic"); empty: chosen per mask.
  std::string launch;
  /// --emit=tilemap only: the problem shape (sq and skv are required).
  std::optional<int64_t> sq, skv;
  int64_t batch = 0, head = 0;
};

/// Runs the pipeline; returns the process exit code. Diagnostics go to stderr,
/// emitted stages to stdout.
int runDriver(const DriverOptions &options);

} // namespace attnc

#endif // ATTNC_COMPILER_DRIVER_DRIVER_H
