// Finding plugin libraries on disk.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
#define COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/file_system.h"

namespace coalition {

struct DiscoveredPlugins {
  std::vector<std::filesystem::path> files;  // in search order, each file once
  std::vector<std::string> warnings;         // e.g. a directory that does not exist
  // Libraries anyone on the machine could have replaced (the file, or the directory holding
  // it, is writable by anyone): never loaded, each refusal one sentence.
  std::vector<Error> refused;
};

// Looks in each directory, in order, for plugin libraries: lib<id>.so directly inside it, and
// <id>/lib<id>.so one level down (the layout of a plugin shipped with its manifest and README).
// Within a directory, files come in name order. A library that anyone may write, or that sits
// in a directory anyone may write, is refused rather than listed.
DiscoveredPlugins discover_plugins(const std::vector<std::filesystem::path>& directories,
                                   const FileSystem& fs);

// The plugin id a library file names: lib<id>.so -> id (a plugin's id is its library's name).
std::string plugin_id_of_library(const std::filesystem::path& file);

// Splits a PATH-style list ("a:b::c") into directories, skipping empty entries.
std::vector<std::filesystem::path> split_search_path(const std::string& list);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_DISCOVERY_H_
