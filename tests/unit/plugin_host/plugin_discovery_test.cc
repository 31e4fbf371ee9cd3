#include "plugin_host/plugin_discovery.h"

#include <gtest/gtest.h>

#include "support/fake_file_system.h"

namespace coalition {
namespace {

// A plugin as it is installed: its library and its manifest beside it.
void add_plugin(test::FakeFileSystem& fs, const std::string& dir, const std::string& id) {
  fs.add_file(dir + "/lib" + id + ".so");
  fs.add_file(dir + "/" + id + ".plugin.json");
}

std::vector<std::string> manifests(const DiscoveredPlugins& found) {
  std::vector<std::string> names;
  for (const auto& p : found.plugins) names.push_back(p.manifest.string());
  return names;
}

TEST(DiscoverPlugins, FindsManifestsAndPluginFoldersInOrder) {
  test::FakeFileSystem fs;
  add_plugin(fs, "/p", "noop");
  add_plugin(fs, "/p", "data");
  fs.add_file("/p/README.md");
  add_plugin(fs, "/p/notify", "notify");
  fs.add_file("/p/notify/README.md");
  add_plugin(fs, "/p/fabrikam_pay-1.2.0", "fabrikam_pay");
  add_plugin(fs, "/p/fabrikam_pay-2.0.0", "fabrikam_pay");
  fs.add_file("/p/empty_folder/other.txt");
  add_plugin(fs, "/q", "partner");
  auto found = discover_plugins({"/p", "/q"}, fs);
  EXPECT_EQ(manifests(found),
            (std::vector<std::string>{"/p/data.plugin.json", "/p/noop.plugin.json",
                                      "/p/fabrikam_pay-1.2.0/fabrikam_pay.plugin.json",
                                      "/p/fabrikam_pay-2.0.0/fabrikam_pay.plugin.json",
                                      "/p/notify/notify.plugin.json", "/q/partner.plugin.json"}));
  EXPECT_EQ(found.plugins[0].library, "/p/libdata.so");
  EXPECT_TRUE(found.warnings.empty());
  EXPECT_TRUE(found.refused.empty());
}

TEST(DiscoverPlugins, ALibraryWithoutAManifestIsRefusedAndAManifestAloneIsLeftToItsReader) {
  test::FakeFileSystem fs;
  fs.add_file("/p/libbare.so");
  fs.add_file("/p/orphan.plugin.json");  // an exec plugin's, or a library's that is missing
  add_plugin(fs, "/p", "noop");
  auto found = discover_plugins({"/p"}, fs);
  EXPECT_EQ(manifests(found),
            (std::vector<std::string>{"/p/noop.plugin.json", "/p/orphan.plugin.json"}));
  EXPECT_EQ(found.plugins[0].library, "/p/libnoop.so");
  EXPECT_TRUE(found.plugins[1].library.empty()) << "only its manifest says what it runs";
  ASSERT_EQ(found.refused.size(), 1u);
  EXPECT_EQ(found.refused[0].message(),
            "/p/libbare.so: refused, because it has no manifest (bare.plugin.json) beside it; "
            "write one with `coalition plugin manifest /p/libbare.so`");
}

TEST(DiscoverPlugins, AProgramIsCheckedWhereItsManifestNamesIt) {
  test::FakeFileSystem fs;
  fs.add_file("/p/screen.py");
  EXPECT_TRUE(check_program_file("/p/screen.py", fs));
  auto missing = check_program_file("/p/other.py", fs);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            "/p/other.py: refused, because this program, which its manifest names, is not there");
  fs.make_writable_by_anyone("/p/screen.py");
  auto open = check_program_file("/p/screen.py", fs);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message().find("anyone on this machine may write to it (chmod o-w "
                                        "/p/screen.py)"),
            std::string::npos);
  EXPECT_EQ(plugin_id_of_program("/p/merchant_screen.py"), "merchant_screen");
  EXPECT_EQ(plugin_id_of_program("/p/merchant_screen"), "merchant_screen");
  EXPECT_EQ(plugin_id_of_program("/p/screen.v2.py"), "screen");
}

TEST(DiscoverPlugins, MissingDirectoryIsAWarning) {
  test::FakeFileSystem fs;
  add_plugin(fs, "/p", "noop");
  auto found = discover_plugins({"/nowhere", "/p"}, fs);
  ASSERT_EQ(found.plugins.size(), 1u);
  ASSERT_EQ(found.warnings.size(), 1u);
  EXPECT_NE(found.warnings[0].find("/nowhere"), std::string::npos);
}

TEST(DiscoverPlugins, SameDirectoryTwiceYieldsEachPluginOnce) {
  test::FakeFileSystem fs;
  add_plugin(fs, "/p", "noop");
  fs.add_file("/p/libbare.so");
  auto found = discover_plugins({"/p", "/p/"}, fs);
  EXPECT_EQ(found.plugins.size(), 1u);
  EXPECT_EQ(found.refused.size(), 1u);
}

TEST(DiscoverPlugins, FilesAnyoneMayReplaceAreRefusedNotListed) {
  test::FakeFileSystem fs;
  add_plugin(fs, "/p", "noop");
  add_plugin(fs, "/p", "open");
  add_plugin(fs, "/p", "loose");
  add_plugin(fs, "/p/notify", "notify");
  add_plugin(fs, "/shared", "partner");
  fs.make_writable_by_anyone("/p/libopen.so");
  fs.make_writable_by_anyone("/p/loose.plugin.json");
  fs.make_writable_by_anyone("/p/notify");
  fs.make_writable_by_anyone("/shared");
  auto found = discover_plugins({"/p", "/shared"}, fs);
  EXPECT_EQ(manifests(found), std::vector<std::string>{"/p/noop.plugin.json"});
  ASSERT_EQ(found.refused.size(), 4u);
  EXPECT_EQ(found.refused[0].message(),
            "/p/loose.plugin.json: refused, because anyone on this machine may write to "
            "/p/loose.plugin.json (chmod o-w /p/loose.plugin.json)");
  EXPECT_EQ(found.refused[1].message(),
            "/p/libopen.so: refused, because anyone on this machine may write to /p/libopen.so "
            "(chmod o-w /p/libopen.so)");
  EXPECT_NE(found.refused[2].message().find("may write to /p/notify "), std::string::npos);
  EXPECT_NE(found.refused[3].message().find("/shared/partner.plugin.json: refused"),
            std::string::npos);
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
