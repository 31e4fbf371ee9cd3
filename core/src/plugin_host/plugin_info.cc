#include "plugin_host/plugin_info.h"

#include <coalition/plugin_abi.h>

namespace coalition {

std::string_view to_string(PartnerType type) {
  switch (type) {
    case PartnerType::kFinancial: return "financial";
    case PartnerType::kTechnology: return "technology";
    case PartnerType::kNgo: return "ngo";
    case PartnerType::kCoalition: return "coalition";
  }
  return "unknown";
}

std::string_view to_string(PluginKind kind) {
  return kind == PluginKind::kExec ? "exec" : "library";
}

PartnerType partner_type_from_abi(uint32_t value) {
  switch (value) {
    case COALITION_PARTNER_FINANCIAL: return PartnerType::kFinancial;
    case COALITION_PARTNER_TECHNOLOGY: return PartnerType::kTechnology;
    case COALITION_PARTNER_NGO: return PartnerType::kNgo;
    default: return PartnerType::kCoalition;
  }
}

}  // namespace coalition
