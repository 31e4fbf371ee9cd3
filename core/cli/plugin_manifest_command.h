// `coalition plugin manifest LIBRARY [--out FILE]`: writes the manifest of a plugin library
// (plugin_host/plugin_manifest.h) from what its own code declares — loaded in a plugin host
// unless --in-process — with the SHA-256 of the bytes that were loaded. With --exec
// [--interpreter PATH], LIBRARY is an exec plugin's program, asked to describe itself. The default
// place is beside the library (<id>.plugin.json), where discovery looks for it.
// coalition_add_plugin() runs this after every build, so a plugin built with the SDK always ships a
// manifest that matches it.
#ifndef COALITION_CLI_PLUGIN_MANIFEST_COMMAND_H_
#define COALITION_CLI_PLUGIN_MANIFEST_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/command.h"
#include "config/engine_config.h"

namespace coalition::cli {

struct PluginManifestOptions {
  std::string library;  // or an exec plugin's program, with `exec`
  std::string out;      // "-": standard output; empty: beside the library
  bool in_process = false;
  bool exec = false;        // `library` is an exec plugin's program (always in a plugin host)
  std::string interpreter;  // runs the program (implies exec); empty: executed itself
};

// Returns 0 once the manifest is written, 78 when the library is refused, 74 when the file
// cannot be written.
int run_plugin_manifest_command(const PluginManifestOptions& options, const EngineConfig& config,
                                std::ostream& out, std::ostream& err);

Command plugin_manifest_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_PLUGIN_MANIFEST_COMMAND_H_
