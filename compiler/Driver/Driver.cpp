//===- Driver.cpp - The attnc pipeline, stage by stage --------------------===//

#include "compiler/Driver/Driver.h"

#include "compiler/Codegen/CudaEmitter.h"
#include "compiler/Codegen/LibraryWriter.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/SpecToAttn/SpecToAttn.h"
#include "compiler/Driver/Tilemap.h"
#include "compiler/Driver/WorkDir.h"
#include "dialects/Attn/IR/AttnDialect.h"
#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <future>

using namespace mlir;

namespace attnc {
namespace {

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "attnc") << message << "\n";
  return 1;
}

int fail(llvm::Error error) { return fail(llvm::toString(std::move(error))); }

/// Prints an --emit stage to `path`, or to stdout when no -o was given.
int emitStage(const std::string &path, const std::string &text) {
  if (path.empty()) {
    llvm::outs() << text;
    return 0;
  }
  if (llvm::Error error = writeFile(path, text))
    return fail(std::move(error));
  return 0;
}

std::string printed(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  os << "\n";
  return text;
}

LogicalResult lowerToTile(ModuleOp module, const DriverOptions &options) {
  PassManager pm(module.getContext());
  pm.addPass(createCanonicalizerPass());
  AttnToTileOptions lowering;
  lowering.archs.assign(options.archs.begin(), options.archs.end());
  lowering.launch = options.launch;
  pm.addPass(createAttnToTile(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  return pm.run(module);
}

target::Target targetOf(const codegen::KernelInfo &info) {
  return *target::lookupTarget(info.arch);
}

/// Compiles every kernel to a cubin in `work`, in parallel (nvcc is slow and
/// the kernels are independent), then reports and checks their resources.
/// With `embedPtx` the library embeds each kernel's PTX instead; the cubin is
/// still built, for ptxas's report.
llvm::Expected<std::vector<codegen::CompiledKernel>>
compileKernels(const std::vector<codegen::EmittedKernel> &kernels,
               const codegen::Toolchain &toolchain, WorkDir &work, bool quiet, bool embedPtx) {
  std::vector<codegen::CompiledKernel> compiled(kernels.size());
  std::vector<std::future<llvm::Error>> jobs;
  for (size_t i = 0; i < kernels.size(); ++i) {
    compiled[i].info = kernels[i].info;
    std::string cuFile = work.write(kernels[i].info.symbol + ".cu", kernels[i].source);
    std::string cubinPath = work.path(kernels[i].info.symbol + ".cubin");
    std::string ptxPath = work.path(kernels[i].info.symbol + ".ptx");
    compiled[i].imagePath = embedPtx ? ptxPath : cubinPath;
    compiled[i].imageIsPtx = embedPtx;
    auto compile = [&, i, cuFile, cubinPath, ptxPath]() -> llvm::Error {
      const target::Target target = targetOf(compiled[i].info);
      if (llvm::Error error =
              codegen::runNvcc(toolchain, target, codegen::NvccOutput::Cubin, cuFile, cubinPath,
                               &compiled[i].usage, compiled[i].info.symbol))
        return error;
      if (!embedPtx)
        return llvm::Error::success();
      return codegen::runNvcc(toolchain, target, codegen::NvccOutput::Ptx, cuFile, ptxPath,
                              nullptr, compiled[i].info.symbol);
    };
    jobs.push_back(std::async(std::launch::async, compile));
  }
  llvm::Error errors = llvm::Error::success();
  for (auto &job : jobs)
    errors = llvm::joinErrors(std::move(errors), job.get());
  if (errors)
    return std::move(errors);

  for (const codegen::CompiledKernel &kernel : compiled) {
    const codegen::KernelInfo &info = kernel.info;
    const target::Target target = targetOf(info);
    if (info.smemBytes > target.maxSmemPerBlock)
      return llvm::createStringError(
          info.symbol + ": the tile config needs " + std::to_string(info.smemBytes) +
          " bytes of shared memory per block; " + std::string(target.name) + " allows " +
          std::to_string(target.maxSmemPerBlock));
    // The kernel runs, but slower than its design (ptxas: wgmma serialised, ...): said even
    // with -q.
    llvm::StringRef loss = kernel.usage.performanceLoss;
    loss.consume_back("\n");
    if (!loss.empty())
      llvm::errs() << "attnc: warning: " << info.symbol << ": ptxas: " << loss << "\n";
    if (quiet)
      continue;
    llvm::errs() << "attnc: " << info.symbol << ": " << info.blockM << "x" << info.blockN
                 << " tiles, ";
    if (info.warpSpecialized())
      llvm::errs() << info.warpgroups << " consumer warpgroups (" << info.threads
                   << " threads), " << info.stages << " stages, "
                   << target::launchName(info.launch) << ", "
                   << (info.epilogue == target::Epilogue::Tma ? "TMA epilogue, " : "");
    else
      llvm::errs() << info.numWarps << " warps, ";
    llvm::errs() << info.smemBytes << " B shared memory, " << kernel.usage.registers
                 << " registers, " << kernel.usage.spillStoreBytes << " B spilled\n";
  }
  return compiled;
}

int writeLibrary(const spec::Spec &spec, const std::vector<codegen::CompiledKernel> &kernels,
                 const codegen::Toolchain &toolchain, WorkDir &work, std::string output) {
  if (output.empty())
    output = "lib" + spec.name + ".so";
  std::string manifest = codegen::buildManifest(spec, kernels);
  llvm::Expected<std::string> source = codegen::librarySource(manifest, kernels);
  if (!source)
    return fail(source.takeError());
  std::string cFile = work.write("lib" + spec.name + ".c", *source);

  // Link and write the header beside the output under temporary names, then
  // rename both: the output is replaced whole or not at all.
  llvm::SmallString<256> header(llvm::sys::path::parent_path(output));
  llvm::sys::path::append(header, spec.name + ".h");
  std::string soTemp = output + ".tmp", headerTemp = header.str().str() + ".tmp";
  llvm::FileRemover removeSo(soTemp), removeHeader(headerTemp);
  if (llvm::Error error = codegen::linkLibrary(toolchain, cFile, soTemp))
    return fail(std::move(error));
  if (llvm::Error error = writeFile(headerTemp, codegen::libraryHeader(spec, kernels)))
    return fail(std::move(error));
  if (std::error_code ec = llvm::sys::fs::rename(soTemp, output))
    return fail("cannot write " + output + ": " + ec.message());
  if (std::error_code ec = llvm::sys::fs::rename(headerTemp, header))
    return fail("cannot write " + header + ": " + ec.message());
  return 0;
}

/// --emit=tilemap: the spec's attn mask, classified tile by tile for one
/// problem on one target (sm_80 unless --arch names another).
int emitTilemap(ModuleOp module, const DriverOptions &options) {
  if (options.archs.size() > 1)
    return fail("--emit=tilemap maps one target; got " + std::to_string(options.archs.size()) +
                " --arch values");
  const target::Target target =
      *target::lookupTarget(options.archs.empty() ? "sm_80" : options.archs.front());
  std::string text;
  for (attn::AttentionOp attention : module.getOps<attn::AttentionOp>()) {
    // A grid's tokens are both lengths: the flags may only repeat them.
    TilemapProblem problem{options.sq.value_or(0), options.skv.value_or(0), options.batch,
                           options.head};
    if (std::optional<ArrayRef<int64_t>> grid = attention.getGrid()) {
      int64_t tokens = 1;
      for (int64_t size : *grid)
        tokens *= size;
      if ((options.sq && *options.sq != tokens) || (options.skv && *options.skv != tokens))
        return fail("the spec's token grid has " + std::to_string(tokens) +
                    " tokens: --sq and --skv must be that or left out");
      problem.sq = problem.skv = tokens;
    } else if (!options.sq || !options.skv) {
      return fail("--emit=tilemap needs the problem shape: --sq N --skv M");
    }
    text += buildTilemap(attention, problem, target);
  }
  return emitStage(options.outputPath, text);
}

} // namespace

int runDriver(const DriverOptions &options) {
  if (options.emit == EmitKind::Tilemap) {
    if (options.sq.value_or(0) < 0 || options.skv.value_or(0) < 0 || options.batch < 0 ||
        options.head < 0)
      return fail("--sq, --skv, --batch and --head must not be negative");
  }
  spec::SpecResult parsed = spec::parseSpecFile(options.specPath);
  if (!parsed.spec) {
    for (const spec::SpecError &error : parsed.errors)
      llvm::errs() << error.format(options.specPath) << "\n";
    return 1;
  }
  const spec::Spec &spec = *parsed.spec;

  MLIRContext context;
  context.loadDialect<attn::AttnDialect, tile::TileDialect, arith::ArithDialect>();
  OwningOpRef<ModuleOp> module = buildAttnModule(context, spec, options.specPath);
  if (!module)
    return 1;
  if (options.emit == EmitKind::Attn)
    return emitStage(options.outputPath, printed(*module));
  if (options.emit == EmitKind::Tilemap)
    return emitTilemap(*module, options);
  if (failed(lowerToTile(*module, options)))
    return 1;
  if (options.emit == EmitKind::Tile)
    return emitStage(options.outputPath, printed(*module));

  std::vector<codegen::EmittedKernel> kernels;
  for (tile::KernelOp kernel : module->getOps<tile::KernelOp>()) {
    FailureOr<codegen::EmittedKernel> emitted =
        codegen::emitCudaKernel(kernel, llvm::sys::path::filename(options.specPath));
    if (failed(emitted))
      return 1;
    kernels.push_back(std::move(*emitted));
  }
  if (options.emit == EmitKind::Cuda) {
    std::string text;
    for (const codegen::EmittedKernel &kernel : kernels)
      text += kernel.source + "\n";
    return emitStage(options.outputPath, text);
  }

  llvm::Expected<WorkDir> work = WorkDir::create(options.keepTemps);
  if (!work)
    return fail(work.takeError());
  codegen::Toolchain toolchain = codegen::Toolchain::fromEnvironment(options.nvcc);
  if (options.emit == EmitKind::Ptx) {
    std::string text;
    for (const codegen::EmittedKernel &kernel : kernels) {
      std::string cuFile = work->write(kernel.info.symbol + ".cu", kernel.source);
      std::string ptxFile = work->path(kernel.info.symbol + ".ptx");
      if (llvm::Error error = codegen::runNvcc(toolchain, targetOf(kernel.info),
                                               codegen::NvccOutput::Ptx, cuFile, ptxFile,
                                               nullptr))
        return fail(std::move(error));
      llvm::Expected<std::string> ptx = readFile(ptxFile);
      if (!ptx)
        return fail(ptx.takeError());
      text += "// " + kernel.info.symbol + " (" + kernel.info.arch + ")\n" + *ptx;
    }
    return emitStage(options.outputPath, text);
  }

  auto compiled = compileKernels(kernels, toolchain, *work, options.quiet, options.embedPtx);
  if (!compiled)
    return fail(compiled.takeError());
  return writeLibrary(spec, *compiled, toolchain, *work, options.outputPath);
}

} // namespace attnc
