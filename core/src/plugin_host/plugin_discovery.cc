#include "plugin_host/plugin_discovery.h"

#include <set>

namespace coalition {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kManifestSuffix = ".plugin.json";

bool is_library_name(const std::string& name) {
  return name.size() > 6 && name.rfind("lib", 0) == 0 && name.ends_with(".so");
}

bool is_manifest_name(const std::string& name) {
  return name.size() > kManifestSuffix.size() && name.ends_with(kManifestSuffix);
}

class Search {
 public:
  explicit Search(const FileSystem& fs) : fs_(fs) {}

  // The plugins directly inside `dir`, whose own parents `above` were checked already.
  void look_in(const fs::path& dir, const std::vector<fs::path>& above) {
    std::vector<fs::path> holders = above;
    holders.push_back(dir);
    std::set<std::string> described;  // libraries a manifest here names
    for (const auto& entry : fs_.list(dir)) {
      const std::string name = entry.filename().string();
      if (!is_manifest_name(name) || !fs_.is_regular_file(entry)) continue;
      const std::string id = name.substr(0, name.size() - kManifestSuffix.size());
      const fs::path library = dir / ("lib" + id + ".so");
      described.insert(library.filename().string());
      if (!fs_.is_regular_file(library)) {
        // An exec plugin's manifest, or a library's whose library is missing: only the manifest
        // says which (install_plugins reads it, then checks the code file it names).
        if (safe(entry, holders)) add({entry, {}});
        continue;
      }
      if (safe(entry, holders) && safe(library, holders)) add({entry, library});
    }
    for (const auto& entry : fs_.list(dir)) {
      const std::string name = entry.filename().string();
      if (is_library_name(name) && !described.count(name) && fs_.is_regular_file(entry)) {
        const std::string id = plugin_id_of_library(entry);
        refuse(entry.string() + ": refused, because it has no manifest (" + id +
               ".plugin.json) beside it; write one with `coalition plugin manifest " +
               entry.string() + "`");
      }
    }
  }

  void look_under(const fs::path& dir) {
    look_in(dir, {});
    for (const auto& entry : fs_.list(dir)) {
      if (fs_.is_directory(entry)) look_in(entry, {dir});
    }
  }

  DiscoveredPlugins found;

 private:
  void add(FoundPlugin plugin) {
    if (seen_.insert(plugin.manifest.lexically_normal()).second) {
      found.plugins.push_back(std::move(plugin));
    }
  }
  void refuse(std::string why) {
    if (refusals_.insert(why).second) found.refused.push_back(Error::plugin_load(std::move(why)));
  }
  // Whoever may write a plugin's files, or a directory holding them, decides what code runs.
  bool safe(const fs::path& file, const std::vector<fs::path>& holders) {
    std::vector<fs::path> places = holders;
    places.push_back(file);
    for (const fs::path& where : places) {
      if (fs_.writable_by_anyone(where)) {
        refuse(file.string() + ": refused, because anyone on this machine may write to " +
               where.string() + " (chmod o-w " + where.string() + ")");
        return false;
      }
    }
    return true;
  }

  const FileSystem& fs_;
  std::set<fs::path> seen_;
  std::set<std::string> refusals_;  // the same directory searched twice refuses once
};

}  // namespace

DiscoveredPlugins discover_plugins(const std::vector<fs::path>& directories, const FileSystem& fs) {
  Search search(fs);
  for (const auto& dir : directories) {
    if (!fs.is_directory(dir)) {
      search.found.warnings.push_back("plugin directory " + dir.string() + " does not exist");
      continue;
    }
    search.look_under(dir.lexically_normal());
  }
  return std::move(search.found);
}

Status check_program_file(const fs::path& program, const FileSystem& fs) {
  if (!fs.is_regular_file(program)) {
    return Error::plugin_load(program.string() +
                              ": refused, because this program, which its manifest names, is "
                              "not there");
  }
  if (fs.writable_by_anyone(program)) {
    return Error::plugin_load(program.string() +
                              ": refused, because anyone on this machine may write to it "
                              "(chmod o-w " +
                              program.string() + ")");
  }
  return ok_status();
}

std::string plugin_id_of_program(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.substr(0, name.find('.'));
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
