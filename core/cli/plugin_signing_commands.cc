#include "cli/plugin_signing_commands.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <fmt/format.h>

#include "app/installation.h"
#include "cli/exit_code.h"
#include "cli/file_output.h"
#include "common/file_system.h"
#include "common/signing_key.h"
#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_lock.h"
#include "plugin_host/plugin_trust.h"
#include "plugin_host/sealed_library.h"

namespace coalition::cli {

int run_plugin_keygen_command(const PluginKeygenOptions& options, std::ostream& out,
                              std::ostream& err) {
  auto key = SigningKey::create(options.key_file, kPublisherKey);
  if (!key) {
    err << "coalition plugin keygen: " << key.error().message() << "\n";
    return exit_code_for(key.error());
  }
  out << fmt::format(
      "created {} (keep it secret; mode 0600)\npublic key {}\n"
      "An engine trusts plugins signed with it once its configuration says:\n"
      "  \"plugins\": {{\"publishers\": {{\"<your publisher name>\": [\"{}\"]}}}}\n",
      options.key_file, key->public_key_hex(), key->public_key_hex());
  return kExitOk;
}

int run_plugin_sign_command(const PluginSignOptions& options, std::ostream& out,
                            std::ostream& err) {
  RealFileSystem fs;
  const std::filesystem::path manifest_file = options.manifest;
  auto text = fs.read(manifest_file);
  if (!text) {
    err << "coalition plugin sign: " << text.error().message() << "\n";
    return kExitNoInput;
  }
  // Only a manifest the engine would read is worth signing.
  auto manifest = parse_plugin_manifest(*text, manifest_file);
  if (!manifest) {
    err << "coalition plugin sign: " << manifest.error().message() << "\n";
    return kExitDataError;
  }
  auto key = SigningKey::load(options.key_file, fs, kPublisherKey);
  if (!key) {
    err << "coalition plugin sign: " << key.error().message() << "\n";
    return kExitConfig;
  }
  const std::filesystem::path target = signature_path_of(manifest_file);
  const std::string signature = signature_text(key->public_key_hex(), key->sign_hex(*text));
  if (auto written = write_file_atomically(target, signature); !written) {
    err << "coalition plugin sign: " << written.error().message() << "\n";
    return kExitIoError;
  }
  out << fmt::format("signed {} {} as '{}' with key {}: wrote {}\n", manifest->info.id,
                     manifest->info.version, manifest->info.publisher, key->public_key_hex(),
                     target.string());
  return kExitOk;
}

int run_plugin_lock_command(const PluginLockOptions& options, const EngineConfig& config,
                            std::ostream& out, std::ostream& err) {
  const std::filesystem::path target =
      options.out.empty() ? config.plugin_trust.lock_file : std::filesystem::path(options.out);
  if (target.empty()) {
    err << "coalition plugin lock: no lock file is configured (plugins.lock); name one with "
           "--out\n";
    return kExitUsage;
  }
  RealFileSystem fs;
  // Every check but the lock being written: a plugin its publisher's signature does not admit
  // is not pinned.
  PluginTrustConfig without_lock = config.plugin_trust;
  without_lock.lock_file.clear();
  const PluginTrust trust(without_lock, fs);
  PluginLock lock(target);
  size_t refused = 0;
  auto found = discover_plugins(app::plugin_search_path(config), fs);
  for (const auto& e : found.refused) {
    err << "coalition plugin lock: not pinned: " << e.message() << "\n";
    ++refused;
  }
  for (const auto& plugin : found.plugins) {
    if (app::shipped_with_engine(plugin.manifest)) continue;
    auto text = fs.read(plugin.manifest);
    auto manifest =
        text ? parse_plugin_manifest(*text, plugin.manifest) : Result<PluginManifest>(text.error());
    Status admitted =
        manifest ? trust.admit(*manifest, *text, false, fs) : Status(manifest.error());
    if (admitted) {
      // What is pinned is what is on disk: a library that no longer matches its manifest is
      // reported now, not at its first step.
      auto copy = SealedLibrary::verified_copy_of(manifest->library, manifest->library_sha256,
                                                  "its manifest " + manifest->file.string());
      if (!copy) admitted = std::move(copy).error();
    }
    if (!admitted) {
      err << "coalition plugin lock: not pinned: " << admitted.error().message() << "\n";
      ++refused;
      continue;
    }
    lock.pin(*manifest);
    out << fmt::format("pinned {} {}  {} {}\n", manifest->info.id, manifest->info.version,
                       manifest->kind == PluginKind::kExec ? "program" : "library",
                       manifest->library_sha256);
  }
  if (auto written = write_file_atomically(target, lock.text()); !written) {
    err << "coalition plugin lock: " << written.error().message() << "\n";
    return kExitIoError;
  }
  out << fmt::format("wrote {} ({} plugin{})\n", target.string(), lock.pins().size(),
                     lock.pins().size() == 1 ? "" : "s");
  return refused == 0 ? kExitOk : kExitConfig;
}

Command plugin_keygen_command() {
  return make_command<PluginKeygenOptions>(
      {.path = "plugin keygen",
       .help = "Create a publisher's Ed25519 signing key (mode 0600) and print its public key",
       .needs = Needs::kNothing,
       .define =
           [](CommandOptions& c, PluginKeygenOptions& o) {
             c.app().add_option("KEYFILE", o.key_file, "The key file to create")->required();
           },
       .run =
           [](const PluginKeygenOptions& o, const CommandContext& c) {
             return run_plugin_keygen_command(o, *c.out, *c.err);
           }});
}

Command plugin_sign_command() {
  return make_command<PluginSignOptions>(
      {.path = "plugin sign",
       .help = "Sign a plugin manifest: writes <id>.plugin.sig beside it",
       .needs = Needs::kNothing,
       .define =
           [](CommandOptions& c, PluginSignOptions& o) {
             c.app()
                 .add_option("MANIFEST", o.manifest, "The manifest (<id>.plugin.json)")
                 ->required();
             c.app().add_option("--key", o.key_file, "The publisher's key file")->required();
           },
       .run = [](const PluginSignOptions& o,
                 const CommandContext& c) { return run_plugin_sign_command(o, *c.out, *c.err); }});
}

Command plugin_lock_command() {
  return make_command<PluginLockOptions>(
      {.path = "plugin lock",
       .help = "Pin every installed partner plugin to its digests in the lock file",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, PluginLockOptions& o) {
             c.app().add_option("--out", o.out,
                                "Where to write it (default: plugins.lock of the configuration)");
           },
       .run =
           [](const PluginLockOptions& o, const CommandContext& c) {
             return run_plugin_lock_command(o, *c.config, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
