// PluginInfo: what an installed plugin says about itself.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_INFO_H_
#define COALITION_PLUGIN_HOST_PLUGIN_INFO_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/plugin_isolation.h"

namespace coalition {

enum class PartnerType { kFinancial, kTechnology, kNgo, kCoalition };

// "financial", "technology", "ngo", "coalition".
std::string_view to_string(PartnerType type);
// From COALITION_PARTNER_*; precondition: the value passed the ABI check.
PartnerType partner_type_from_abi(uint32_t value);

// What a plugin's code is: a shared library that implements the C ABI, or a program that
// answers the same calls as lines of JSON on its standard input and output (exec_protocol.h).
enum class PluginKind { kLibrary, kExec };

// "library", "exec".
std::string_view to_string(PluginKind kind);

// Where a plugin's code is and how it runs. A plugin's id is its code file's name: lib<id>.so
// for a library, <id> or <id>.<extension> for a program.
struct PluginCodeFile {
  std::filesystem::path file;
  PluginKind kind = PluginKind::kLibrary;
  // An exec plugin's interpreter (an absolute path, such as /usr/bin/python3), which is given
  // the program to run; empty when the program is executed itself.
  std::filesystem::path interpreter;
};

struct PluginInfo {
  std::string id;
  std::string version;
  std::string publisher;
  std::string description;
  PartnerType partner_type = PartnerType::kCoalition;
  std::string source;      // the code file it came from: its library or its program
  uint32_t abi_major = 0;  // the C ABI a library was built for; 0.0 for an exec plugin
  uint32_t abi_minor = 0;
  std::vector<std::string> step_types;          // in the order the plugin declares them
  Isolation isolation = Isolation::kInProcess;  // where its code runs
  std::string
      library_sha256;  // of its code file, as its manifest pins it; empty when loaded by path
  PluginKind kind = PluginKind::kLibrary;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_INFO_H_
