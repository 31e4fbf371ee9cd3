#include "cli/plugin_manifest_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"
#include "cli/plugin_test_command.h"

#include <filesystem>

#include "cli/exit_code.h"
#include "cli/file_output.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_loader.h"
#include "plugin_host/plugin_manifest.h"
#include "plugin_host/sealed_library.h"

namespace coalition::cli {

int run_plugin_manifest_command(const PluginManifestOptions& options, const EngineConfig& config,
                                std::ostream& out, std::ostream& err) {
  const std::filesystem::path library = options.library;
  // The digest of one sealed copy; the loader then loads a copy that must have it, so the
  // manifest describes exactly the bytes it pins.
  auto sealed = SealedLibrary::copy_of(library);
  if (!sealed) {
    err << "coalition plugin manifest: " << sealed.error().message() << "\n";
    return kExitConfig;
  }
  // Not confined: the manifest is written at build time from the author's own library, whose
  // instances (created to describe it) may need files the build grants nothing for.
  PluginIsolationConfig isolation = config.plugin_isolation;
  isolation.host.sandbox = false;
  auto hosts = make_plugin_hosts(isolation);
  DllLibraryLoader libraries;
  PluginLoader loader(libraries, nlohmann::json::object(), config.config_directory);
  if (!options.in_process) {
    loader.isolate_with(
        *hosts,
        [](const std::string&, const std::filesystem::path&) { return Isolation::kIsolated; },
        config.calendar_directory);
  }
  const bool exec = options.exec || !options.interpreter.empty();
  const PluginCodeFile file{library, exec ? PluginKind::kExec : PluginKind::kLibrary,
                            options.interpreter};
  auto code = loader.load_code(file, sealed->sha256(), "the digest just taken");
  if (!code) {
    err << "coalition plugin manifest: " << code.error().message() << "\n";
    return kExitConfig;
  }
  auto text = manifest_text(code->info, code->step_types, sealed->sha256(), file);
  if (!text) {
    err << "coalition plugin manifest: " << library.string() << ": " << text.error().message()
        << "\n";
    return kExitConfig;
  }
  if (options.out == "-") {
    out << *text;
    return kExitOk;
  }
  const std::filesystem::path target =
      !options.out.empty() ? std::filesystem::path(options.out)
      : exec ? library.parent_path() / (plugin_id_of_program(library) + ".plugin.json")
             : manifest_path_of(library);
  if (auto written = write_file_atomically(target, *text); !written) {
    err << "coalition plugin manifest: " << written.error().message() << "\n";
    return kExitIoError;
  }
  out << "wrote " << target.string() << "\n";
  return kExitOk;
}

Command plugin_manifest_command() {
  return make_command<PluginManifestOptions>(
      {.path = "plugin manifest",
       .help = "Write the manifest of a plugin library from what its code declares",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, PluginManifestOptions& o) {
             CLI::App& app = c.app();
             app.add_option("LIBRARY", o.library, "The plugin library (lib<id>.so)")->required();
             app.add_option("--out", o.out,
                            "Where to write it ('-': standard output; default: "
                            "<id>.plugin.json beside the library)");
             define_plugin_code_options(c, o.in_process, o.exec, o.interpreter);
           },
       .run =
           [](const PluginManifestOptions& o, const CommandContext& c) {
             return run_plugin_manifest_command(o, *c.config, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
