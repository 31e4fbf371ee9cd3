// Private files: 0600, whole or not at all, never through a link, never over a file unasked.
#include "common/private_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "support/temp_dir.h"

namespace coalition {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(PrivateFile, WritesA0600FileAndRefusesToOverwriteUnasked) {
  test::TempDir dir;
  const auto path = dir.path() / "export.json";
  ASSERT_TRUE(write_private_file(path.string(), "first", false).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = write_private_file(path.string(), "second", false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(read(path), "first");
  ASSERT_TRUE(write_private_file(path.string(), "second", true).ok());
  EXPECT_EQ(read(path), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(PrivateFile, NeverWritesThroughASymbolicLink) {
  test::TempDir dir;
  const auto target = dir.path() / "target";
  std::ofstream(target) << "precious";
  const auto link = dir.path() / "link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  for (bool replace : {false, true}) {
    auto s = write_private_file(link.string(), "data", replace);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(read(target), "precious");
}

TEST(PrivateFile, AFailedWriteLeavesNothingBehind) {
  test::TempDir dir;
  auto s = write_private_file((dir.path() / "missing" / "x.json").string(), "data", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kIo);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0);
}

TEST(PrivateDirectories, AreCreated0700AndExistingOnesKept) {
  test::TempDir dir;
  const auto deep = dir.path() / "a" / "b" / "c";
  ASSERT_TRUE(create_private_directories(deep.string()).ok());
  for (const auto& p : {dir.path() / "a", dir.path() / "a" / "b", deep}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
  }
  struct stat before {};
  ASSERT_EQ(::stat(dir.path().c_str(), &before), 0);
  ASSERT_TRUE(create_private_directories(dir.path().string()).ok());
  struct stat after {};
  ASSERT_EQ(::stat(dir.path().c_str(), &after), 0);
  EXPECT_EQ(before.st_mode, after.st_mode);
}

}  // namespace
}  // namespace coalition
