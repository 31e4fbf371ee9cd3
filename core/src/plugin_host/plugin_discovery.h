// Finding plugin libraries on disk.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
#define COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/file_system.h"
#include "common/result.h"

namespace coalition {

// A plugin found on disk: its manifest and the library beside it. Nothing is read yet.
struct FoundPlugin {
  std::filesystem::path manifest;  // <dir>/<id>.plugin.json
  // <dir>/lib<id>.so; empty when there is none: the manifest is then an exec plugin's, which
  // names its program, or is refused once read (install_plugins).
  std::filesystem::path library;
};

struct DiscoveredPlugins {
  std::vector<FoundPlugin> plugins;   // in search order, each manifest once
  std::vector<std::string> warnings;  // e.g. a directory that does not exist
  // Plugins that are never loaded, each refusal one sentence: a library without a manifest,
  // and files anyone on the machine could have replaced
  // (the file, or a directory holding it, is writable by anyone).
  std::vector<Error> refused;
};

// Looks in each directory, in order, for plugin manifests (<id>.plugin.json beside lib<id>.so)
// directly inside it and one level down (a folder per plugin, such as fabrikam_pay-1.2.0/, so
// versions can sit side by side). Within a directory, entries come in name order. Reads no
// file: only names and permissions.
DiscoveredPlugins discover_plugins(const std::vector<std::filesystem::path>& directories,
                                   const FileSystem& fs);

// The plugin id a library file names: lib<id>.so -> id (a plugin's id is its library's name).
std::string plugin_id_of_library(const std::filesystem::path& file);

// The plugin id an exec plugin's program names: <id> or <id>.<extension> -> id.
std::string plugin_id_of_program(const std::filesystem::path& file);

// OK when an exec plugin's `program`, which its manifest names in the manifest's own (already
// checked) directory, is a regular file nobody else on the machine may write; otherwise the
// refusal, one sentence naming the file.
Status check_program_file(const std::filesystem::path& program, const FileSystem& fs);

// Splits a PATH-style list ("a:b::c") into directories, skipping empty entries.
std::vector<std::filesystem::path> split_search_path(const std::string& list);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
