#include "plugin_host/plugin_registry.h"

#include <gtest/gtest.h>

#include "support/fake_file_system.h"
#include "support/in_memory_plugins.h"

namespace coalition {
namespace {

class PluginRegistryTest : public ::testing::Test {
 protected:
  LoadedPlugin load(coalition_plugin_entry_v1_fn entry, const std::string& source) {
    auto plugin = loader_.load_entry(entry, source);
    EXPECT_TRUE(plugin.ok());
    return std::move(plugin).value();
  }
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, {{"configured", {{"endpoint", "x"}}}}};
  PluginRegistry registry_;
};

TEST_F(PluginRegistryTest, FindsStepTypesByName) {
  ASSERT_TRUE(registry_.add(load(&test::test_plugin_entry, "/p/libtest_plugin.so")).ok());
  ASSERT_NE(registry_.find("test.echo"), nullptr);
  EXPECT_EQ(registry_.find("test.echo")->info().plugin_id, "test_plugin");
  EXPECT_EQ(registry_.find("test.nothing"), nullptr);
  EXPECT_EQ(registry_.plugins().size(), 1u);
  EXPECT_EQ(registry_.step_types().size(), 4u);
}

TEST_F(PluginRegistryTest, DuplicateStepTypeRefusesTheWholePluginNamingBoth) {
  ASSERT_TRUE(registry_.add(load(&test::test_plugin_entry, "/p/libtest_plugin.so")).ok());
  auto status = registry_.add(load(&test::impostor_plugin_entry, "/q/libimpostor.so"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(status.error().message(),
            "step type 'test.echo' of plugin 'impostor' (/q/libimpostor.so) is already provided "
            "by plugin 'test_plugin' (/p/libtest_plugin.so); step type names must be unique");
  EXPECT_EQ(registry_.plugins().size(), 1u);
  EXPECT_EQ(registry_.find("test.echo")->info().plugin_id, "test_plugin");
}

TEST_F(PluginRegistryTest, SamePluginTwiceIsRefused) {
  ASSERT_TRUE(registry_.add(load(&test::configured_plugin_entry, "/a/libconfigured.so")).ok());
  auto status = registry_.add(load(&test::configured_plugin_entry, "/b/libconfigured.so"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("already installed from /a/libconfigured.so"),
            std::string::npos);
}

TEST_F(PluginRegistryTest, ClosestNamesForMisspellings) {
  ASSERT_TRUE(registry_.add(load(&test::test_plugin_entry, "libtest_plugin.so")).ok());
  auto names = registry_.closest_names("test.ecko");
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "test.echo");
  EXPECT_TRUE(registry_.closest_names("completely_unrelated_name").empty());
}

// The manifest of the in-memory plugin at `library`, as `coalition plugin manifest` writes it.
std::string manifest_of(PluginLoader& loader, const std::string& library) {
  auto code = loader.load_code(library);
  EXPECT_TRUE(code.ok()) << (code.ok() ? "" : code.error().message());
  return manifest_text(code->info, code->step_types, std::string(64, '0')).value();
}

TEST_F(PluginRegistryTest, InstallDeclaresWhatItCanRunsNoCodeAndReportsTheRest) {
  test::FakeFileSystem fs;
  libraries_.add("/plugins/libtest_plugin.so", &test::test_plugin_entry);
  libraries_.add("/plugins/libimpostor.so", &test::impostor_plugin_entry);
  fs.add_file("/plugins/libtest_plugin.so");
  fs.add_file("/plugins/test_plugin.plugin.json",
              manifest_of(loader_, "/plugins/libtest_plugin.so"));
  fs.add_file("/plugins/libimpostor.so");
  fs.add_file("/plugins/impostor.plugin.json", manifest_of(loader_, "/plugins/libimpostor.so"));
  fs.add_file("/plugins/libbroken.so");
  fs.add_file("/plugins/broken.plugin.json", "{\"format\": ");
  const size_t opens = libraries_.opens();
  auto report = install_plugins({"/plugins", "/missing"}, fs, loader_, registry_);
  // Name order: broken (malformed manifest), impostor (declared first), test_plugin (conflicts).
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.errors[0].code(), ErrorCode::kPluginLoad);
  EXPECT_NE(report.errors[0].message().find("/plugins/broken.plugin.json: malformed JSON"),
            std::string::npos);
  EXPECT_EQ(report.errors[1].code(), ErrorCode::kConflict);
  ASSERT_EQ(report.warnings.size(), 1u);
  ASSERT_EQ(registry_.plugins().size(), 1u);
  EXPECT_EQ(registry_.plugins()[0].id, "impostor");
  EXPECT_NE(registry_.find("test.echo"), nullptr);
  EXPECT_EQ(libraries_.opens(), opens);  // no plugin code was loaded
}

// An exec plugin's manifest names its program; without "exec", a manifest alone is a library's
// whose library is missing. Either way nothing runs while installing.
TEST_F(PluginRegistryTest, InstallChecksTheCodeFileEachManifestNames) {
  test::FakeFileSystem fs;
  const nlohmann::json exec_manifest{
      {"format", "coalition.plugin-manifest/1"},
      {"id", "screen"},
      {"version", "1.0.0"},
      {"publisher", "Tailspin Payments (fictional)"},
      {"description", "Screens merchants."},
      {"partner_type", "financial"},
      {"exec", {{"program", "screen.py"}, {"interpreter", "/usr/bin/python3"}}},
      {"sha256", std::string(64, 'a')},
      {"step_types",
       {{{"name", "screen.assess"},
         {"description", "Assesses."},
         {"parameters_schema", {{"type", "object"}}}}}}};
  fs.add_file("/plugins/screen.plugin.json", exec_manifest.dump());
  fs.add_file("/plugins/screen.py");
  nlohmann::json gone = exec_manifest;
  gone["id"] = "gone";
  gone["exec"]["program"] = "gone.py";
  gone["step_types"][0]["name"] = "gone.assess";
  fs.add_file("/plugins/gone.plugin.json", gone.dump());
  // The library is known to the loader, not on disk.
  libraries_.add("/plugins/libtest_plugin.so", &test::test_plugin_entry);
  fs.add_file("/plugins/test_plugin.plugin.json",
              manifest_of(loader_, "/plugins/libtest_plugin.so"));
  const size_t opens = libraries_.opens();
  auto report = install_plugins({"/plugins"}, fs, loader_, registry_);
  // Name order: gone (no program), screen (this loader has no hosts: refused), test_plugin (no
  // library).
  ASSERT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.errors[0].message(),
            "/plugins/gone.py: refused, because this program, which its manifest names, is not "
            "there");
  EXPECT_NE(report.errors[1].message().find(
                "/plugins/screen.py: an exec plugin runs in a plugin host, and this command runs "
                "plugins in process only"),
            std::string::npos)
      << report.errors[1].message();
  EXPECT_EQ(report.errors[2].message(),
            "/plugins/test_plugin.plugin.json: refused, because its library "
            "/plugins/libtest_plugin.so is not there");
  EXPECT_EQ(libraries_.opens(), opens);
}

}  // namespace
}  // namespace coalition
