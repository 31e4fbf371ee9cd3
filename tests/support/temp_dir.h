// TempDir: a fresh directory for one test, removed with everything in it afterwards.
#ifndef COALITION_TESTS_SUPPORT_TEMP_DIR_H_
#define COALITION_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace coalition::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_TEMP_DIR_H_
