//===- attnc.cpp - The attention kernel compiler --------------------------===//
//
//   attnc SPEC.json -o libNAME.so           compile a spec to a shared library
//   attnc --emit=attn|tile|cuda|ptx SPEC    print one stage to stdout
//   attnc --emit=tilemap --sq N --skv M SPEC  print the kv tiles each q tile visits
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "compiler/Target/Target.h"
#include "compiler/Target/TileHeuristics.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("attnc options");
  cl::opt<std::string> spec(cl::Positional, cl::desc("<spec.json>"), cl::Required,
                            cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("Output library (default: lib<name>.so), or the --emit output (default: stdout)"),
                              cl::value_desc("file"), cl::cat(category));
  cl::opt<attnc::EmitKind> emit(
      "emit", cl::desc("Stop after a stage and print it"), cl::init(attnc::EmitKind::Library),
      cl::values(clEnumValN(attnc::EmitKind::Library, "lib", "the shared library (default)"),
                 clEnumValN(attnc::EmitKind::Attn, "attn", "the attn dialect"),
                 clEnumValN(attnc::EmitKind::Tile, "tile", "the tile dialect"),
                 clEnumValN(attnc::EmitKind::Cuda, "cuda", "the emitted CUDA C++"),
                 clEnumValN(attnc::EmitKind::Ptx, "ptx", "the PTX nvcc makes of it"),
                 clEnumValN(attnc::EmitKind::Tilemap, "tilemap",
                            "the kv tiles each q tile visits, as JSON (needs --sq, --skv)")),
      cl::cat(category));
  // cl::desc keeps a reference: the text must outlive the option.
  static const std::string archHelp =
      "Targets to build (default: all of " + attnc::target::targetNames() + ")";
  cl::list<std::string> archs(
      "arch", cl::desc(archHelp),
      cl::CommaSeparated, cl::value_desc("sm_80,sm_90a"), cl::cat(category));
  cl::opt<std::string> nvcc("nvcc", cl::desc("nvcc to use (default: $ATTNC_NVCC or the build's)"),
                            cl::value_desc("path"), cl::cat(category));
  cl::opt<std::string> keepTemps("keep-temps", cl::desc("Keep intermediate files in a directory"),
                                 cl::value_desc("dir"), cl::cat(category));
  cl::opt<std::string> embed(
      "embed",
      cl::desc("Kernel images the library carries: cubin (default), or ptx, which the driver "
               "compiles when the library is loaded, for the GPU at hand (an sm_80 kernel then "
               "also runs on Hopper)"),
      cl::value_desc("cubin|ptx"), cl::init("cubin"), cl::cat(category));
  cl::opt<std::string> launch(
      "launch",
      cl::desc("How the sm_90a kernels' CTAs take work tiles: grid (one CTA per tile), "
               "persistent (one per SM, a fixed order) or dynamic (one per SM, each taking the "
               "next tile from a counter); default: chosen per mask"),
      cl::value_desc("grid|persistent|dynamic"), cl::cat(category));
  cl::opt<bool> quiet("q", cl::desc("Do not print the per-kernel resource report"),
                      cl::cat(category));
  cl::opt<int64_t> sq("sq", cl::desc("--emit=tilemap: query sequence length"),
                      cl::value_desc("N"), cl::cat(category));
  cl::opt<int64_t> skv("skv", cl::desc("--emit=tilemap: key/value sequence length"),
                       cl::value_desc("M"), cl::cat(category));
  cl::opt<int64_t> batch("batch", cl::desc("--emit=tilemap: batch index (default 0)"),
                         cl::init(0), cl::cat(category));
  cl::opt<int64_t> head("head", cl::desc("--emit=tilemap: query head index (default 0)"),
                        cl::init(0), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "attnc: ahead-of-time attention kernel compiler\n");

  attnc::DriverOptions options;
  options.specPath = spec;
  options.outputPath = output;
  options.emit = emit;
  options.archs.assign(archs.begin(), archs.end());
  if (nvcc.getNumOccurrences())
    options.nvcc = nvcc;
  options.keepTemps = keepTemps;
  options.quiet = quiet;
  if (embed != "cubin" && embed != "ptx") {
    llvm::errs() << "attnc: error: --embed takes cubin or ptx, not '" << embed << "'\n";
    return 1;
  }
  options.embedPtx = embed == "ptx";
  if (launch.getNumOccurrences() && !attnc::target::lookupLaunch(launch.getValue())) {
    llvm::errs() << "attnc: error: --launch takes grid, persistent or dynamic, not '"
                 << launch.getValue() << "'\n";
    return 1;
  }
  options.launch = launch;
  if (sq.getNumOccurrences())
    options.sq = sq;
  if (skv.getNumOccurrences())
    options.skv = skv;
  options.batch = batch;
  options.head = head;
  if (emit != attnc::EmitKind::Tilemap &&
      (sq.getNumOccurrences() || skv.getNumOccurrences() || batch.getNumOccurrences() ||
       head.getNumOccurrences())) {
    llvm::errs() << "attnc: error: --sq, --skv, --batch and --head apply to --emit=tilemap only\n";
    return 1;
  }
  for (const std::string &arch : options.archs)
    if (!attnc::target::lookupTarget(arch)) {
      llvm::errs() << "attnc: error: unknown target '" << arch
                   << "'; supported: " << attnc::target::targetNames() << "\n";
      return 1;
    }
  return attnc::runDriver(options);
}
