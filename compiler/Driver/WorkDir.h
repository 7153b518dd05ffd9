//===- WorkDir.h - A scratch directory for one attnc run --------*- C++ -*-===//

#ifndef ATTNC_COMPILER_DRIVER_WORKDIR_H
#define ATTNC_COMPILER_DRIVER_WORKDIR_H

#include "llvm/Support/Error.h"

#include <string>

namespace attnc {

/// A fresh temporary directory removed with everything in it on destruction,
/// or a kept directory (--keep-temps) left in place.
class WorkDir {
public:
  static llvm::Expected<WorkDir> create(const std::string &keep);
  WorkDir(WorkDir &&other) noexcept;
  WorkDir(const WorkDir &) = delete;
  ~WorkDir();

  std::string path(const std::string &name) const;
  /// Writes `contents` to `name` in the directory and returns its path; a
  /// write error is fatal (the directory was just created by us).
  std::string write(const std::string &name, const std::string &contents);

private:
  WorkDir(std::string dir, bool remove) : dir(std::move(dir)), remove(remove) {}
  std::string dir;
  bool remove;
};

llvm::Error writeFile(const std::string &path, const std::string &contents);
llvm::Expected<std::string> readFile(const std::string &path);

} // namespace attnc

#endif // ATTNC_COMPILER_DRIVER_WORKDIR_H
