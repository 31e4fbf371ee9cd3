#include "common/file_system.h"

#include <algorithm>

#include "common/json_text.h"

namespace coalition {

namespace fs = std::filesystem;

bool RealFileSystem::is_directory(const fs::path& path) const {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool RealFileSystem::is_regular_file(const fs::path& path) const {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

std::vector<fs::path> RealFileSystem::list(const fs::path& dir) const {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

Result<std::string> RealFileSystem::read(const fs::path& path) const {
  return read_text_file(path.string());
}

bool RealFileSystem::writable_by_anyone(const fs::path& path) const {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec) return false;
  return (status.permissions() & fs::perms::others_write) != fs::perms::none;
}

}  // namespace coalition
