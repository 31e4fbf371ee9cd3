// FileSystem: the engine's seam to the disk, so tests can present any directory tree.
#ifndef COALITION_COMMON_FILE_SYSTEM_H_
#define COALITION_COMMON_FILE_SYSTEM_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace coalition {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual bool is_directory(const std::filesystem::path& path) const = 0;
  virtual bool is_regular_file(const std::filesystem::path& path) const = 0;
  // Entries directly inside `dir`, sorted by name; empty when it cannot be read.
  virtual std::vector<std::filesystem::path> list(const std::filesystem::path& dir) const = 0;
  virtual Result<std::string> read(const std::filesystem::path& path) const = 0;
  // True when anyone on the machine may write to `path` (mode o+w; a link is followed), so
  // whoever can write there chooses what it holds.
  virtual bool writable_by_anyone(const std::filesystem::path& path) const = 0;
};

// The real disk. Never throws.
class RealFileSystem final : public FileSystem {
 public:
  bool is_directory(const std::filesystem::path& path) const override;
  bool is_regular_file(const std::filesystem::path& path) const override;
  std::vector<std::filesystem::path> list(const std::filesystem::path& dir) const override;
  Result<std::string> read(const std::filesystem::path& path) const override;
  bool writable_by_anyone(const std::filesystem::path& path) const override;
};

}  // namespace coalition

#endif  // COALITION_COMMON_FILE_SYSTEM_H_
