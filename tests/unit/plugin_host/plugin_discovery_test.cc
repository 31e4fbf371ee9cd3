#include "plugin_host/plugin_discovery.h"

#include <gtest/gtest.h>

#include "support/fake_file_system.h"

namespace coalition {
namespace {

TEST(DiscoverPlugins, FindsLibrariesAndPluginFoldersInOrder) {
  test::FakeFileSystem fs;
  fs.add_file("/p/libnoop.so");
  fs.add_file("/p/libdata.so");
  fs.add_file("/p/README.md");
  fs.add_file("/p/notify/libnotify.so");
  fs.add_file("/p/notify/README.md");
  fs.add_file("/p/empty_folder/other.so");
  fs.add_file("/q/libpartner.so");
  auto found = discover_plugins({"/p", "/q"}, fs);
  std::vector<std::string> names;
  for (const auto& f : found.files) names.push_back(f.string());
  EXPECT_EQ(names, (std::vector<std::string>{"/p/libdata.so", "/p/libnoop.so",
                                             "/p/notify/libnotify.so", "/q/libpartner.so"}));
  EXPECT_TRUE(found.warnings.empty());
}

TEST(DiscoverPlugins, MissingDirectoryIsAWarning) {
  test::FakeFileSystem fs;
  fs.add_file("/p/libnoop.so");
  auto found = discover_plugins({"/nowhere", "/p"}, fs);
  ASSERT_EQ(found.files.size(), 1u);
  ASSERT_EQ(found.warnings.size(), 1u);
  EXPECT_NE(found.warnings[0].find("/nowhere"), std::string::npos);
}

TEST(DiscoverPlugins, SameDirectoryTwiceYieldsEachFileOnce) {
  test::FakeFileSystem fs;
  fs.add_file("/p/libnoop.so");
  auto found = discover_plugins({"/p", "/p/"}, fs);
  EXPECT_EQ(found.files.size(), 1u);
}

TEST(DiscoverPlugins, LibrariesAnyoneMayReplaceAreRefusedNotListed) {
  test::FakeFileSystem fs;
  fs.add_file("/p/libnoop.so");
  fs.add_file("/p/libopen.so");
  fs.add_file("/p/notify/libnotify.so");
  fs.add_file("/shared/libpartner.so");
  fs.make_writable_by_anyone("/p/libopen.so");
  fs.make_writable_by_anyone("/p/notify");
  fs.make_writable_by_anyone("/shared");
  auto found = discover_plugins({"/p", "/shared"}, fs);
  ASSERT_EQ(found.files.size(), 1u);
  EXPECT_EQ(found.files[0], "/p/libnoop.so");
  ASSERT_EQ(found.refused.size(), 3u);
  EXPECT_EQ(found.refused[0].message(),
            "/p/libopen.so: refused, because anyone on this machine may write to /p/libopen.so "
            "(chmod o-w /p/libopen.so)");
  EXPECT_NE(found.refused[1].message().find("may write to /p/notify "), std::string::npos);
  EXPECT_NE(found.refused[2].message().find("/shared/libpartner.so: refused"), std::string::npos);
}

TEST(SplitSearchPath, SkipsEmptyEntries) {
  auto dirs = split_search_path("/a::/b:");
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_EQ(dirs[0], "/a");
  EXPECT_EQ(dirs[1], "/b");
  EXPECT_TRUE(split_search_path("").empty());
}

}  // namespace
}  // namespace coalition
