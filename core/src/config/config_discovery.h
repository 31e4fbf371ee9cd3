// Which configuration file a command uses, when none is named: the first of `--config`,
// $COALITION_CONFIG, ./config/coalition.json, ./coalition.json (in the working directory) and
// /etc/coalition/coalition.json; with none of them, the built-in defaults. A file named by the
// option or the variable must exist (reading it reports otherwise); the places searched are
// only used when a regular file is there that only its owner may write (nor its folder).
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
  // Non-empty: a file was found where the search looks, but anyone may write it or its folder
  // — it decides which plugins load and whom the server trusts — so it is not used, and the
  // command stops with this sentence rather than run on a planted or a default configuration.
  std::string refused;
};

ConfigChoice find_config(const ConfigSearch& search, const FileSystem& fs);

}  // namespace coalition

#endif  // COALITION_CONFIG_CONFIG_DISCOVERY_H_
