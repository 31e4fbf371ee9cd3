// Discovery follows the order operators know from other daemons (an explicit flag, then the
// environment, then the project's folder, then the system's): a checkout run from its own root
// finds config/coalition.json, so `coalition validate workflows/x.json` sees the calendars the
// workflows name without a flag, and an installed engine finds /etc/coalition.
#include "config/config_discovery.h"

namespace coalition {

namespace {

// A file found, not named: used only when a stranger cannot have put it there or changed it.
ConfigChoice found(const std::filesystem::path& file, std::string how, const FileSystem& fs) {
  ConfigChoice choice{file, std::move(how), ""};
  if (fs.writable_by_anyone(file) || fs.writable_by_anyone(file.parent_path())) {
    choice.refused = file.string() + " (" + choice.found_by +
                     ") may be written by anyone, or its folder may: it is not used. Make it "
                     "writable by its owner only, or name a configuration with --config";
    choice.file.reset();
  }
  return choice;
}

}  // namespace

ConfigChoice find_config(const ConfigSearch& search, const FileSystem& fs) {
  if (!search.option.empty()) return {std::filesystem::path(search.option), "--config", ""};
  if (!search.environment.empty()) {
    return {std::filesystem::path(search.environment), "$COALITION_CONFIG", ""};
  }
  for (const char* relative : {"config/coalition.json", "coalition.json"}) {
    const std::filesystem::path candidate = search.working_directory / relative;
    if (fs.is_regular_file(candidate)) {
      return found(candidate, std::string("./") + relative + " in the working directory", fs);
    }
  }
  if (fs.is_regular_file(search.system_file)) {
    return found(search.system_file, "the system's file", fs);
  }
  return {std::nullopt,
          "none of --config, $COALITION_CONFIG, ./config/coalition.json, ./coalition.json, " +
              search.system_file.string() + ": the built-in defaults",
          ""};
}

}  // namespace coalition
