// PluginInfo: what an installed plugin says about itself.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_INFO_H_
#define COALITION_PLUGIN_HOST_PLUGIN_INFO_H_

#include <cstdint>
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

struct PluginInfo {
  std::string id;
  std::string version;
  std::string publisher;
  std::string description;
  PartnerType partner_type = PartnerType::kCoalition;
  std::string source;  // the library file it came from
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::vector<std::string> step_types;          // in the order the plugin declares them
  Isolation isolation = Isolation::kInProcess;  // where its code runs
  std::string library_sha256;  // as its manifest pins it; empty for a library loaded by path
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_INFO_H_
