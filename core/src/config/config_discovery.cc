// Discovery follows the order operators know from other daemons (an explicit flag, then the
// environment, then the project's folder, then the system's): a checkout run from its own root
// finds config/coalition.json, so `coalition validate workflows/x.json` sees the calendars the
// workflows name without a flag, and an installed engine finds /etc/coalition.
#include "config/config_discovery.h"

namespace coalition {

ConfigChoice find_config(const ConfigSearch& search, const FileSystem& fs) {
  if (!search.option.empty()) return {std::filesystem::path(search.option), "--config"};
  if (!search.environment.empty()) {
    return {std::filesystem::path(search.environment), "$COALITION_CONFIG"};
  }
  for (const char* relative : {"config/coalition.json", "coalition.json"}) {
    const std::filesystem::path candidate = search.working_directory / relative;
    if (fs.is_regular_file(candidate)) {
      return {candidate, std::string("./") + relative + " in the working directory"};
    }
  }
  if (fs.is_regular_file(search.system_file)) return {search.system_file, "the system's file"};
  return {std::nullopt,
          "none of --config, $COALITION_CONFIG, ./config/coalition.json, ./coalition.json, " +
              search.system_file.string() + ": the built-in defaults"};
}

}  // namespace coalition
