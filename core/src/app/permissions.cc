#include "app/permissions.h"

namespace coalition::app {

Status require_role(const Principal& p, const std::vector<std::string>& roles,
                    const std::string& what) {
  if (p.admin) return ok_status();
  for (const auto& role : roles) {
    if (p.has_role(role)) return ok_status();
  }
  std::string names;
  for (const auto& r : roles) names += (names.empty() ? "" : ", ") + r;
  return Error::permission_denied(what + " needs one of the roles " + names +
                                  " (config: permissions)");
}

}  // namespace coalition::app
