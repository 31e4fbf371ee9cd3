#include "plugin_host/plugin_discovery.h"

#include <set>

namespace coalition {

namespace fs = std::filesystem;

namespace {

bool is_library_name(const std::string& name) {
  return name.size() > 6 && name.rfind("lib", 0) == 0 && name.ends_with(".so");
}

}  // namespace

DiscoveredPlugins discover_plugins(const std::vector<fs::path>& directories, const FileSystem& fs) {
  DiscoveredPlugins found;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& file) {
    if (seen.insert(file.lexically_normal()).second) found.files.push_back(file);
  };
  // Whoever may write a library, or the directory it is in, decides what code the engine runs.
  auto safe = [&](const fs::path& file, const fs::path& dir) {
    for (const fs::path& where : {dir, file}) {
      if (fs.writable_by_anyone(where)) {
        found.refused.push_back(Error::plugin_load(
            file.string() + ": refused, because anyone on this machine may write to " +
            where.string() + " (chmod o-w " + where.string() + ")"));
        return false;
      }
    }
    return true;
  };
  for (const auto& dir : directories) {
    if (!fs.is_directory(dir)) {
      found.warnings.push_back("plugin directory " + dir.string() + " does not exist");
      continue;
    }
    for (const auto& entry : fs.list(dir)) {
      const std::string name = entry.filename().string();
      if (is_library_name(name) && fs.is_regular_file(entry)) {
        if (safe(entry, dir)) add(entry);
      } else if (fs.is_directory(entry)) {
        const fs::path nested = entry / ("lib" + name + ".so");
        if (fs.is_regular_file(nested) && safe(nested, dir) && safe(nested, entry)) add(nested);
      }
    }
  }
  return found;
}

std::string plugin_id_of_library(const fs::path& file) {
  std::string name = file.filename().string();
  if (name.rfind("lib", 0) == 0) name.erase(0, 3);
  if (name.size() > 3 && name.ends_with(".so")) name.resize(name.size() - 3);
  return name;
}

std::vector<fs::path> split_search_path(const std::string& list) {
  std::vector<fs::path> dirs;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) dirs.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return dirs;
}

}  // namespace coalition
