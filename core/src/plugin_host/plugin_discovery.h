// Finding plugin libraries on disk.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
#define COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/file_system.h"

namespace coalition {

// A plugin found on disk: its manifest and the library beside it. Nothing is read yet.
struct FoundPlugin {
  std::filesystem::path manifest;  // <dir>/<id>.plugin.json
  std::filesystem::path library;   // <dir>/lib<id>.so
};

struct DiscoveredPlugins {
  std::vector<FoundPlugin> plugins;   // in search order, each manifest once
  std::vector<std::string> warnings;  // e.g. a directory that does not exist
  // Plugins that are never loaded, each refusal one sentence: a library without a manifest
  // (or a manifest without its library), and files anyone on the machine could have replaced
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

// Splits a PATH-style list ("a:b::c") into directories, skipping empty entries.
std::vector<std::filesystem::path> split_search_path(const std::string& list);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
