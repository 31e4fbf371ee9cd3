// Manifests, the lock file and publisher signatures, as an operator meets them through the
// coalition command: which plugins are installed is decided without running their code, and
// the code that runs is the code that was pinned or signed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class PluginTrustTest : public ::testing::Test {
 protected:
  // Copies fixture `name` (its library, and its manifest when it has one) into plugins/.
  fs::path install(const std::string& name) {
    fs::create_directories(plugins_);
    const fs::path from = fs::path(test::kFixtureDir) / name;
    fs::copy_file(from / ("lib" + name + ".so"), plugins_ / ("lib" + name + ".so"));
    if (fs::exists(from / (name + ".plugin.json"))) {
      fs::copy_file(from / (name + ".plugin.json"), plugins_ / (name + ".plugin.json"));
    }
    return plugins_ / ("lib" + name + ".so");
  }
  fs::path manifest(const std::string& id) const { return plugins_ / (id + ".plugin.json"); }

  fs::path config(json plugins_section = json::object()) {
    plugins_section["directories"] = {plugins_.string()};
    plugins_section["host"] = {{"restart_backoff", "PT0.01S"}};
    // A file per configuration: a test compares several.
    return dir_.write("coalition-" + std::to_string(++configs_) + ".json",
                      json{{"plugins", plugins_section}}.dump());
  }
  test::ProcessResult coalition(const fs::path& config_file, std::vector<std::string> args) {
    args.insert(args.begin(), {test::kCoalitionBinary, "--config", config_file.string()});
    return test::run_process(
        args,
        {{"COALITION_STORE", ":memory:"}, {"COALITION_PLUGIN_PATH", ""}, {"COALITION_CONFIG", ""}});
  }
  // Runs a one-step workflow of `type`; the run's JSON document.
  json run_step(const fs::path& config_file, const std::string& type, int* exit_code = nullptr) {
    const json workflow{{"id", "one_partner_step"},
                        {"version", 1},
                        {"title", "One partner step"},
                        {"steps", {{{"id", "only"}, {"kind", "task"}, {"type", type}}}}};
    const auto file = dir_.write("one_partner_step.json", workflow.dump());
    auto r = coalition(config_file, {"run", file.string(), "--json"});
    if (exit_code != nullptr) *exit_code = r.exit_code;
    EXPECT_FALSE(r.out.empty()) << r.err;
    return r.out.empty() ? json() : json::parse(r.out);
  }
  json listing(const fs::path& config_file, int expected_exit) {
    auto r = coalition(config_file, {"plugins", "--json"});
    EXPECT_EQ(r.exit_code, expected_exit) << r.err;
    return json::parse(r.out);
  }
  static json plugin(const json& doc, const std::string& id) {
    for (const auto& p : doc["plugins"]) {
      if (p["id"] == id) return p;
    }
    return nullptr;
  }
  static bool lists(const json& doc, const std::string& id) { return !plugin(doc, id).is_null(); }
  static std::string errors(const json& doc) { return doc["errors"].dump(); }

  test::TempDir dir_;
  fs::path plugins_ = dir_.path() / "plugins";
  int configs_ = 0;
};

TEST_F(PluginTrustTest, TheBuildWritesTheManifestThePluginCommandWrites) {
  const fs::path library = fs::path(test::kFixtureDir) / "c_minimal" / "libc_minimal.so";
  auto r = coalition(config(), {"plugin", "manifest", library.string(), "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(library.parent_path() / "c_minimal.plugin.json"));
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["sha256"], sha256_hex(read_file(library)));
  EXPECT_EQ(doc["step_types"][0]["name"], "c_echo");
  EXPECT_EQ(doc["step_types"][0]["capabilities"], json::array({"thread_safe"}));
}

TEST_F(PluginTrustTest, ALibraryWithoutAManifestIsRefusedWithoutLoadingIt) {
  install("crash_on_load");  // would crash any process that loaded it
  install("c_minimal");
  const auto doc = listing(config(), 78);
  EXPECT_TRUE(lists(doc, "c_minimal"));
  EXPECT_FALSE(lists(doc, "crash_on_load"));
  EXPECT_NE(errors(doc).find("libcrash_on_load.so: refused, because it has no manifest "
                             "(crash_on_load.plugin.json) beside it"),
            std::string::npos)
      << errors(doc);
}

// A library that crashes as it is loaded, with a manifest that lets the engine find it: the
// commands that run no step never load it, even with the plugin configured to run in process.
TEST_F(PluginTrustTest, CommandsThatRunNoStepNeverRunPluginCode) {
  const fs::path library = install("crash_on_load");
  json manifest =
      json::parse(read_file(fs::path(test::kFixtureDir) / "c_minimal" / "c_minimal.plugin.json"));
  manifest["id"] = "crash_on_load";
  manifest["library"] = "libcrash_on_load.so";
  manifest["version"] = "1.0.0";
  manifest["publisher"] = "Coalition tests";
  manifest["description"] = "A library that crashes when loaded.";
  manifest["partner_type"] = "coalition";
  manifest["sha256"] = sha256_hex(read_file(library));
  manifest["step_types"] = {{{"name", "never_runs"},
                             {"description", "Never runs: its library crashes when loaded."},
                             {"parameters_schema", {{"type", "object"}}}}};
  write_file(this->manifest("crash_on_load"), manifest.dump(2));
  const auto in_process =
      config(json{{"isolation", {{"plugins", {{"crash_on_load", "in_process"}}}}}});

  const auto doc = listing(in_process, 0);
  EXPECT_TRUE(lists(doc, "crash_on_load"));
  EXPECT_EQ(plugin(doc, "crash_on_load")["isolation"], "in_process");
  auto schema = coalition(in_process, {"plugins", "--schema", "never_runs"});
  EXPECT_EQ(schema.exit_code, 0) << schema.err;
  const json workflow{{"id", "never"},
                      {"version", 1},
                      {"title", "Uses a step that never runs"},
                      {"steps", {{{"id", "only"}, {"kind", "task"}, {"type", "never_runs"}}}}};
  const auto file = dir_.write("never.json", workflow.dump());
  auto validated = coalition(in_process, {"validate", file.string()});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  // An execution that never touches the plugin, then every command that reads one.
  const std::string store = (dir_.path() / "store.db").string();
  const json shipped{{"id", "shipped_only"},
                     {"version", 1},
                     {"title", "Runs a shipped step only"},
                     {"steps", {{{"id", "only"}, {"kind", "task"}, {"type", "noop"}}}}};
  auto started = coalition(in_process, {"run", dir_.write("shipped.json", shipped.dump()).string(),
                                        "--store", store, "--as", "lead.lee", "--json"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = json::parse(started.out)["id"];
  const std::vector<std::vector<std::string>> readers{
      {"status", id, "--store", store},
      {"history", id, "--store", store},
      {"timeline", id, "--store", store},
      {"tasks", "--store", store},
      {"export", id, "--store", store, "--as", "lead.lee"},
      {"audit", "verify", "--store", store}};
  for (const auto& args : readers) {
    auto r = coalition(in_process, args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;  // a crash would be 139 (SIGSEGV)
  }
  // Isolated (the default for a partner plugin), running its step fails the step, not the
  // engine: the host dies loading it.
  int exit_code = 0;
  const auto run = run_step(config(), "never_runs", &exit_code);
  EXPECT_EQ(exit_code, 1);
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(run["error"]["code"], "plugin.refused") << run.dump();
}

TEST_F(PluginTrustTest, ALibraryChangedAfterItsManifestNeverRuns) {
  const fs::path library = install("c_minimal");
  const std::string pinned = sha256_hex(read_file(library));
  {
    std::ofstream patch(library, std::ios::binary | std::ios::app);
    patch << "a patch nobody reviewed";
  }
  const auto doc = listing(config(), 0);  // the manifest alone is in order
  EXPECT_TRUE(lists(doc, "c_minimal"));
  for (const char* isolation : {"isolated", "in_process"}) {
    int exit_code = 0;
    const auto run =
        run_step(config(json{{"isolation", {{"plugins", {{"c_minimal", isolation}}}}}}), "c_echo",
                 &exit_code);
    EXPECT_EQ(exit_code, 1) << isolation;
    EXPECT_EQ(run["error"]["code"], "plugin.refused") << isolation;
    const std::string message = run["error"]["message"].get<std::string>();
    EXPECT_NE(message.find(library.string() + " was refused: its manifest " +
                           manifest("c_minimal").string() + " expects SHA-256 " + pinned +
                           ", the file has " + sha256_hex(read_file(library))),
              std::string::npos)
        << isolation << ": " << message;
  }
}

// Each library is loaded from its own sealed copy (/proc/self/fd/N); the dynamic linker must
// never mistake one copy for another that was loaded before.
TEST_F(PluginTrustTest, EachPluginInProcessRunsItsOwnCode) {
  install("c_minimal");
  install("older_minor_target");
  const auto in_process = config(json{{"isolation", {{"others", "in_process"}}}});
  const json workflow{{"id", "two_partners"},
                      {"version", 1},
                      {"title", "Two partner plugins in process"},
                      {"steps",
                       {{{"id", "first"}, {"kind", "task"}, {"type", "c_echo"}, {"next", "second"}},
                        {{"id", "second"}, {"kind", "task"}, {"type", "acknowledge"}}}}};
  const auto file = dir_.write("two_partners.json", workflow.dump());
  auto r = coalition(in_process, {"run", file.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "succeeded") << r.out;
}

TEST_F(PluginTrustTest, AManifestThatDisagreesWithItsCodeIsRefusedNamingBoth) {
  install("c_minimal");
  json doc = json::parse(read_file(manifest("c_minimal")));
  doc["version"] = "9.9.9";
  write_file(manifest("c_minimal"), doc.dump(2));
  int exit_code = 0;
  const auto run = run_step(config(), "c_echo", &exit_code);
  EXPECT_EQ(run["error"]["code"], "plugin.refused");
  EXPECT_NE(run["error"]["message"].get<std::string>().find(
                manifest("c_minimal").string() + " and " + (plugins_ / "libc_minimal.so").string() +
                " disagree: the manifest declares version '9.9.9' where the library declares "
                "'1.0.0'"),
            std::string::npos)
      << run.dump();
}

TEST_F(PluginTrustTest, TheLockPinsWhatIsInstalledAndRefusesAnythingElse) {
  install("c_minimal");
  const fs::path lock = dir_.path() / "plugins.lock";
  const auto locked = config(json{{"lock", lock.string()}});

  // No lock yet: nothing from outside the engine's own directory is trusted.
  auto before = listing(locked, 78);
  EXPECT_FALSE(lists(before, "c_minimal"));
  EXPECT_NE(errors(before).find("plugins.lock) cannot be read"), std::string::npos);

  auto written = coalition(locked, {"plugin", "lock"});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(written.out.find("pinned c_minimal 1.0.0"), std::string::npos) << written.out;
  const auto pins = json::parse(read_file(lock));
  ASSERT_EQ(pins["plugins"].size(), 1u);  // shipped plugins are not pinned
  EXPECT_EQ(pins["plugins"][0]["library_sha256"],
            sha256_hex(read_file(plugins_ / "libc_minimal.so")));
  EXPECT_TRUE(lists(listing(locked, 0), "c_minimal"));
  EXPECT_EQ(run_step(locked, "c_echo")["status"], "succeeded");

  // A manifest edited after the lock, and a plugin added after it.
  json doc = json::parse(read_file(manifest("c_minimal")));
  doc["description"] = "Quietly different";
  write_file(manifest("c_minimal"), doc.dump(2));
  install("older_minor_target");
  auto after = listing(locked, 78);
  EXPECT_FALSE(lists(after, "c_minimal"));
  EXPECT_FALSE(lists(after, "older_minor_target"));
  EXPECT_NE(errors(after).find(manifest("c_minimal").string() + " was refused: " + lock.string() +
                               " pins the manifest of c_minimal 1.0.0 to SHA-256 " +
                               pins["plugins"][0]["manifest_sha256"].get<std::string>()),
            std::string::npos)
      << errors(after);
  EXPECT_NE(errors(after).find("older_minor_target 1.0.0 is not pinned in " + lock.string()),
            std::string::npos)
      << errors(after);
}

TEST_F(PluginTrustTest, SignaturesOfTrustedPublishersAreVerifiedOnTheManifestBytes) {
  install("c_minimal");
  const fs::path key = dir_.path() / "publisher.key";
  auto keygen = coalition(config(), {"plugin", "keygen", key.string()});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const std::string marker = "public key ";
  const auto at = keygen.out.find(marker);
  ASSERT_NE(at, std::string::npos) << keygen.out;
  const std::string public_key = keygen.out.substr(at + marker.size(), 64);
  EXPECT_EQ(coalition(config(), {"plugin", "keygen", key.string()}).exit_code, 73);

  const std::string publisher =
      json::parse(read_file(manifest("c_minimal")))["publisher"].get<std::string>();
  const auto trusting = config(json{{"publishers", {{publisher, {public_key}}}}});
  // The publisher signs its plugins: an unsigned one is refused.
  auto unsigned_listing = listing(trusting, 78);
  EXPECT_FALSE(lists(unsigned_listing, "c_minimal"));
  EXPECT_NE(errors(unsigned_listing)
                .find("there is no signature " + (plugins_ / "c_minimal.plugin.sig").string()),
            std::string::npos)
      << errors(unsigned_listing);

  auto signing = coalition(
      config(), {"plugin", "sign", manifest("c_minimal").string(), "--key", key.string()});
  ASSERT_EQ(signing.exit_code, 0) << signing.err;
  EXPECT_TRUE(lists(listing(trusting, 0), "c_minimal"));
  EXPECT_EQ(run_step(trusting, "c_echo")["status"], "succeeded");

  // Another key of nobody the engine trusts, and a manifest changed after signing.
  auto required = config(json{{"require_signatures", true}});
  auto refused_listing = listing(required, 78);
  EXPECT_NE(errors(refused_listing)
                .find("its publisher '" + publisher + "' is not among the trusted publishers"),
            std::string::npos)
      << errors(refused_listing);
  std::string text = read_file(manifest("c_minimal"));
  text.insert(text.size() - 1, " ");  // one byte: still the same JSON, no longer the signed bytes
  write_file(manifest("c_minimal"), text);
  auto tampered = listing(trusting, 78);
  EXPECT_FALSE(lists(tampered, "c_minimal"));
  EXPECT_NE(errors(tampered).find("c_minimal.plugin.sig does not match its content under key " +
                                  public_key),
            std::string::npos)
      << errors(tampered);
}

TEST_F(PluginTrustTest, APartnerPluginCannotAddAVersionOfAShippedOne) {
  fs::create_directories(plugins_);
  const fs::path shipped = fs::path(test::kPluginDir);
  fs::copy_file(shipped / "libnoop.so", plugins_ / "libnoop.so");
  json doc = json::parse(read_file(shipped / "noop.plugin.json"));
  doc["version"] = "9.0.0";  // "newer": it would run in place of the engine's own noop
  write_file(manifest("noop"), doc.dump(2));
  const auto listed = listing(config(), 78);
  EXPECT_NE(errors(listed).find(manifest("noop").string() +
                                " was refused: plugin id 'noop' belongs to a plugin shipped with "
                                "the engine"),
            std::string::npos)
      << errors(listed);
  for (const auto& p : listed["plugins"]) {
    if (p["id"] == "noop") {
      EXPECT_EQ(p["version"], "1.0.0");
    }
  }
}

TEST_F(PluginTrustTest, BrokenLockAndSignatureFilesAreRefusalsNotCrashes) {
  install("c_minimal");
  const fs::path lock = dir_.path() / "plugins.lock";
  write_file(lock, R"({"format": 1, "plugins": []})");
  auto locked = listing(config(json{{"lock", lock.string()}}), 78);
  EXPECT_NE(errors(locked).find("plugins.lock: /format: expected "), std::string::npos)
      << errors(locked);

  write_file(lock, R"({"format": "coalition.plugins-lock/1", "plugins": []})");
  fs::permissions(lock, fs::perms::others_write, fs::perm_options::add);
  auto open_lock = listing(config(json{{"lock", lock.string()}}), 78);
  EXPECT_NE(errors(open_lock).find("anyone on this machine may write to the lock file"),
            std::string::npos)
      << errors(open_lock);

  const std::string publisher =
      json::parse(read_file(manifest("c_minimal")))["publisher"].get<std::string>();
  write_file(plugins_ / "c_minimal.plugin.sig", R"({"format": 1, "public_key": 2})");
  auto sig = listing(config(json{{"publishers", {{publisher, {std::string(64, 'a')}}}}}), 78);
  EXPECT_NE(errors(sig).find("is not a coalition.plugin-signature/1 file"), std::string::npos)
      << errors(sig);
}

TEST_F(PluginTrustTest, TheLockCommandChecksTheLibraryItPins) {
  const fs::path library = install("c_minimal");
  std::ofstream(library, std::ios::binary | std::ios::app) << "a patch";
  const fs::path lock = dir_.path() / "plugins.lock";
  auto r = coalition(config(), {"plugin", "lock", "--out", lock.string()});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find("not pinned: " + library.string() + " was refused: its manifest"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(json::parse(read_file(lock))["plugins"].empty());
}

TEST_F(PluginTrustTest, APluginDirectoryAnyoneMayWriteIsRefused) {
  install("c_minimal");
  fs::permissions(plugins_, fs::perms::others_write, fs::perm_options::add);
  const auto doc = listing(config(), 78);
  EXPECT_FALSE(lists(doc, "c_minimal"));
  EXPECT_NE(errors(doc).find("anyone on this machine may write to " + plugins_.string()),
            std::string::npos)
      << errors(doc);
}

}  // namespace
}  // namespace coalition
