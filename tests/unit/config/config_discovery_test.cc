#include "config/config_discovery.h"

#include <gtest/gtest.h>

#include "support/fake_file_system.h"

namespace coalition {
namespace {

// Every path is in a fake file system, relative: nothing of this machine is read.

TEST(ConfigDiscovery, TheOptionThenTheVariableThenTheWorkingDirectoryThenTheSystem) {
  test::FakeFileSystem fs;
  fs.add_file("coordinator/checkout/config/coalition.json", "{}");
  fs.add_file("coordinator/checkout/coalition.json", "{}");
  fs.add_file("etc/coalition/coalition.json", "{}");
  ConfigSearch search{"", "", "coordinator/checkout", "etc/coalition/coalition.json"};

  auto chosen = find_config(search, fs);
  ASSERT_TRUE(chosen.file);
  EXPECT_EQ(*chosen.file, "coordinator/checkout/config/coalition.json");
  EXPECT_EQ(chosen.found_by, "./config/coalition.json in the working directory");

  search.environment = "elsewhere/env.json";  // named: used even before it is read
  chosen = find_config(search, fs);
  EXPECT_EQ(*chosen.file, "elsewhere/env.json");
  EXPECT_EQ(chosen.found_by, "$COALITION_CONFIG");

  search.option = "given.json";
  chosen = find_config(search, fs);
  EXPECT_EQ(*chosen.file, "given.json");
  EXPECT_EQ(chosen.found_by, "--config");
}

TEST(ConfigDiscovery, FallsBackInOrderAndToTheBuiltInDefaults) {
  test::FakeFileSystem fs;
  fs.add_file("coordinator/checkout/coalition.json", "{}");
  fs.add_file("etc/coalition/coalition.json", "{}");
  ConfigSearch search{"", "", "coordinator/checkout", "etc/coalition/coalition.json"};
  EXPECT_EQ(*find_config(search, fs).file, "coordinator/checkout/coalition.json");

  search.working_directory = "empty";
  auto chosen = find_config(search, fs);
  EXPECT_EQ(*chosen.file, "etc/coalition/coalition.json");
  EXPECT_EQ(chosen.found_by, "the system's file");

  search.system_file = "nowhere/coalition.json";
  chosen = find_config(search, fs);
  EXPECT_FALSE(chosen.file);
  EXPECT_NE(chosen.found_by.find("the built-in defaults"), std::string::npos);
}

TEST(ConfigDiscovery, AFolderNamedLikeTheFileIsNotTaken) {
  test::FakeFileSystem fs;
  fs.add_file("coordinator/checkout/config/coalition.json/inside.json",
              "{}");  // a folder of that name
  fs.add_file("coordinator/checkout/coalition.json", "{}");
  EXPECT_EQ(
      *find_config(ConfigSearch{"", "", "coordinator/checkout", "etc/coalition/coalition.json"}, fs)
           .file,
      "coordinator/checkout/coalition.json");
}

TEST(ConfigDiscovery, AFoundFileAnyoneMayWriteIsRefusedNotUsed) {
  test::FakeFileSystem fs;
  fs.add_file("shared/coalition.json", "{}");
  fs.make_writable_by_anyone("shared/coalition.json");
  auto chosen = find_config(ConfigSearch{"", "", "shared", "etc/coalition/coalition.json"}, fs);
  EXPECT_FALSE(chosen.file);
  EXPECT_NE(chosen.refused.find("may be written by anyone"), std::string::npos) << chosen.refused;

  test::FakeFileSystem open_folder;  // the file is private, the folder is not
  open_folder.add_file("tmpdir/config/coalition.json", "{}");
  open_folder.make_writable_by_anyone("tmpdir/config");
  EXPECT_FALSE(
      find_config(ConfigSearch{"", "", "tmpdir", "etc/coalition/coalition.json"}, open_folder)
          .file);

  // Named by the operator, it is theirs to judge: used as given.
  auto named = find_config(
      ConfigSearch{"shared/coalition.json", "", "shared", "etc/coalition/coalition.json"}, fs);
  ASSERT_TRUE(named.file);
  EXPECT_TRUE(named.refused.empty());
}

}  // namespace
}  // namespace coalition
