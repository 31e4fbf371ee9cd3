// Which configuration file a command uses, when none is named: the first of `--config`,
// $COALITION_CONFIG, ./config/coalition.json, ./coalition.json (in the working directory) and
// /etc/coalition/coalition.json; with none of them, the built-in defaults. A file named by the
// option or the variable must exist (reading it reports otherwise); the places searched are
// only used when a regular file is there.
#ifndef COALITION_CONFIG_CONFIG_DISCOVERY_H_
#define COALITION_CONFIG_CONFIG_DISCOVERY_H_

#include <filesystem>
#include <optional>
#include <string>

#include "common/file_system.h"

namespace coalition {

struct ConfigSearch {
  std::string option;       // --config; empty: not given
  std::string environment;  // $COALITION_CONFIG; empty: unset (or set to nothing)
  std::filesystem::path working_directory;
  std::filesystem::path system_file = "/etc/coalition/coalition.json";
};

struct ConfigChoice {
  std::optional<std::filesystem::path> file;  // none: the built-in defaults
  std::string found_by;  // how, for `--verbose`: "--config", "$COALITION_CONFIG", ...
};

ConfigChoice find_config(const ConfigSearch& search, const FileSystem& fs);

}  // namespace coalition

#endif  // COALITION_CONFIG_CONFIG_DISCOVERY_H_
