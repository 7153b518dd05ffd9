//===- Nvcc.cpp - Compiling emitted CUDA with nvcc ------------------------===//

#include "compiler/Codegen/Nvcc.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Regex.h"

#include <cstdlib>

#ifndef ATTNC_DEFAULT_NVCC
#define ATTNC_DEFAULT_NVCC "nvcc"
#endif
#ifndef ATTNC_DEFAULT_DEVICE_INCLUDE
#define ATTNC_DEFAULT_DEVICE_INCLUDE ""
#endif
#ifndef ATTNC_DEFAULT_RUNTIME_INCLUDE
#define ATTNC_DEFAULT_RUNTIME_INCLUDE ""
#endif

namespace attnc::codegen {

static std::string envOr(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value && *value ? value : fallback;
}

Toolchain Toolchain::fromEnvironment(std::optional<std::string> nvccOverride) {
  Toolchain toolchain;
  toolchain.nvcc = nvccOverride ? *nvccOverride : envOr("ATTNC_NVCC", ATTNC_DEFAULT_NVCC);
  toolchain.deviceInclude = envOr("ATTNC_DEVICE_INCLUDE", ATTNC_DEFAULT_DEVICE_INCLUDE);
  toolchain.runtimeInclude = envOr("ATTNC_RUNTIME_INCLUDE", ATTNC_DEFAULT_RUNTIME_INCLUDE);
  toolchain.hostCompiler = envOr("CC", "cc");
  return toolchain;
}

llvm::Error runProgram(llvm::StringRef program, llvm::ArrayRef<std::string> args,
                       std::string &log) {
  llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(program);
  if (!path)
    return llvm::createStringError("cannot find '" + program.str() +
                                   "' (set ATTNC_NVCC, CC or PATH)");
  llvm::SmallString<128> logFile;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("attnc", "log", logFile))
    return llvm::createStringError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeLog(logFile);

  llvm::SmallVector<llvm::StringRef> argv{*path};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(logFile),
                                                llvm::StringRef(logFile)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*path, argv, std::nullopt, redirects, 0, 0, &message);
  if (auto buffer = llvm::MemoryBuffer::getFile(logFile))
    log = (*buffer)->getBuffer().str();
  if (status != 0) {
    std::string command;
    for (llvm::StringRef arg : argv)
      command += arg.str() + " ";
    return llvm::createStringError("command failed (" +
                                   (message.empty() ? "exit " + std::to_string(status) : message) +
                                   "): " + command + "\n" + log);
  }
  return llvm::Error::success();
}

/// ptxas -v prints, per kernel, "Compiling entry function 'NAME'", then
/// "N bytes stack frame, N bytes spill stores, N bytes spill loads" and
/// "Used N registers". Only `entry`'s section is read (the whole log if empty).
/// Notes such as "(C7515) Potential Performance Loss: ... in the function
/// 'NAME'" come before the section, naming their kernel.
static void parsePtxasReport(llvm::StringRef log, llvm::StringRef entry, ResourceUsage &usage) {
  const std::string quotedEntry = "'" + entry.str() + "'";
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    const size_t at = line.find("Potential Performance Loss: ");
    if (at != llvm::StringRef::npos && (entry.empty() || line.contains(quotedEntry)))
      usage.performanceLoss += line.substr(at).str() + "\n";
  }
  if (!entry.empty()) {
    const std::string marker = "Compiling entry function '" + entry.str() + "'";
    size_t begin = log.find(marker);
    if (begin == llvm::StringRef::npos)
      return;
    log = log.substr(begin + marker.size());
    log = log.substr(0, log.find("Compiling entry function"));
  }
  llvm::SmallVector<llvm::StringRef> match;
  if (llvm::Regex("Used ([0-9]+) registers").match(log, &match))
    usage.registers = std::stoi(match[1].str());
  if (llvm::Regex("([0-9]+) bytes stack frame, ([0-9]+) bytes spill stores, ([0-9]+) bytes "
                  "spill loads")
          .match(log, &match)) {
    usage.stackBytes = std::stoi(match[1].str());
    usage.spillStoreBytes = std::stoi(match[2].str());
    usage.spillLoadBytes = std::stoi(match[3].str());
  }
}

llvm::Error runNvcc(const Toolchain &toolchain, const target::Target &target,
                    NvccOutput output, llvm::StringRef cuFile, llvm::StringRef outFile,
                    ResourceUsage *usage, llvm::StringRef entry) {
  std::vector<std::string> args = {"-std=c++17", "-O3", "--restrict",
                                   "-I" + toolchain.deviceInclude,
                                   "-I" + toolchain.runtimeInclude};
  if (output == NvccOutput::Cubin) {
    // -gencode, not -arch=sm_90a: the shorthand also runs a plain sm_90 pass
    // that rejects sm_90a-only instructions.
    args.push_back("-gencode=arch=" + std::string(target.computeName) +
                   ",code=" + std::string(target.name));
    args.insert(args.end(), {"-cubin", "-Xptxas", "-v"});
  } else {
    args.insert(args.end(), {"-arch=" + std::string(target.computeName), "-ptx"});
  }
  args.insert(args.end(), {"-o", outFile.str(), cuFile.str()});
  std::string log;
  if (llvm::Error error = runProgram(toolchain.nvcc, args, log))
    return error;
  if (usage)
    parsePtxasReport(log, entry, *usage);
  return llvm::Error::success();
}

} // namespace attnc::codegen
