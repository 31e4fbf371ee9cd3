// FakeFileSystem: an in-memory directory tree for tests of code behind the FileSystem seam.
#ifndef COALITION_TESTS_SUPPORT_FAKE_FILE_SYSTEM_H_
#define COALITION_TESTS_SUPPORT_FAKE_FILE_SYSTEM_H_

#include <map>
#include <set>

#include "common/file_system.h"

namespace coalition::test {

class FakeFileSystem final : public FileSystem {
 public:
  // Adds a file and every directory above it.
  void add_file(const std::filesystem::path& path, std::string content = {}) {
    auto p = path.lexically_normal();
    files_[p] = std::move(content);
    for (auto dir = p.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      dirs_.insert(dir);
    }
  }
  bool is_directory(const std::filesystem::path& path) const override {
    return dirs_.count(normal(path)) != 0;
  }
  bool is_regular_file(const std::filesystem::path& path) const override {
    return files_.count(normal(path)) != 0;
  }
  std::vector<std::filesystem::path> list(const std::filesystem::path& dir) const override {
    std::set<std::filesystem::path> entries;
    auto d = normal(dir);
    for (const auto& [file, content] : files_) {
      if (file.parent_path() == d) entries.insert(file);
    }
    for (const auto& sub : dirs_) {
      if (sub.parent_path() == d) entries.insert(sub);
    }
    return {entries.begin(), entries.end()};
  }
  // Marks `path` (a file or a directory added before) as writable by anyone.
  void make_writable_by_anyone(const std::filesystem::path& path) {
    open_to_all_.insert(normal(path));
  }
  bool writable_by_anyone(const std::filesystem::path& path) const override {
    return open_to_all_.count(normal(path)) != 0;
  }
  Result<std::string> read(const std::filesystem::path& path) const override {
    auto it = files_.find(normal(path));
    if (it == files_.end()) return Error::io("cannot open " + path.string());
    return it->second;
  }

 private:
  static std::filesystem::path normal(const std::filesystem::path& p) {
    auto n = p.lexically_normal();
    if (n.has_filename() || n == n.root_path()) return n;
    return n.parent_path();  // "/p/" -> "/p"
  }
  std::map<std::filesystem::path, std::string> files_;
  std::set<std::filesystem::path> dirs_;
  std::set<std::filesystem::path> open_to_all_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_FAKE_FILE_SYSTEM_H_
