//===- WorkDir.cpp - A scratch directory for one attnc run ----------------===//

#include "compiler/Driver/WorkDir.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace attnc {

llvm::Expected<WorkDir> WorkDir::create(const std::string &keep) {
  if (!keep.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(keep))
      return llvm::createStringError("cannot create " + keep + ": " + ec.message());
    return WorkDir(keep, /*remove=*/false);
  }
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("attnc", dir))
    return llvm::createStringError("cannot create a temporary directory: " + ec.message());
  return WorkDir(dir.str().str(), /*remove=*/true);
}

WorkDir::WorkDir(WorkDir &&other) noexcept : dir(std::move(other.dir)), remove(other.remove) {
  other.remove = false;
}

WorkDir::~WorkDir() {
  if (remove)
    llvm::sys::fs::remove_directories(dir);
}

std::string WorkDir::path(const std::string &name) const {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return path.str().str();
}

std::string WorkDir::write(const std::string &name, const std::string &contents) {
  std::string file = path(name);
  if (llvm::Error error = writeFile(file, contents))
    llvm::report_fatal_error(std::move(error));
  return file;
}

llvm::Error writeFile(const std::string &path, const std::string &contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write " + path + ": " + ec.message());
  os << contents;
  os.close();
  if (os.has_error())
    return llvm::createStringError("cannot write " + path + ": " + os.error().message());
  return llvm::Error::success();
}

llvm::Expected<std::string> readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError("cannot read " + path + ": " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

} // namespace attnc
