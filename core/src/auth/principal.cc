#include "auth/principal.h"

#include <algorithm>

#include "common/text_field.h"

namespace coalition {

std::string_view to_string(IdentitySource source) {
  switch (source) {
    case IdentitySource::kAsserted: return "asserted";
    case IdentitySource::kToken: return "token";
    case IdentitySource::kOidc: return "oidc";
  }
  return "asserted";
}

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::may_signal(std::string_view workflow_id) const {
  if (admin) return true;
  return std::find(signal_workflows.begin(), signal_workflows.end(), workflow_id) !=
         signal_workflows.end();
}

std::vector<std::string> Principal::scopes() const {
  std::vector<std::string> out;
  if (admin) out.emplace_back("admin");
  if (coordinate) out.emplace_back("coordinate");
  if (metrics) out.emplace_back("metrics");
  for (const auto& w : signal_workflows) out.push_back("signal:" + w);
  return out;
}

Status apply_scopes(const std::vector<std::string>& scopes, Principal& p) {
  for (const auto& word : scopes) {
    const std::string s = normal_name(word);
    if (s == "admin") {
      p.admin = true;
    } else if (s == "coordinate") {
      p.coordinate = true;
    } else if (s == "metrics") {
      p.metrics = true;
    } else if (s.rfind("signal:", 0) == 0 && s.size() > 7) {
      const std::string workflow = normal_name(s.substr(7));
      if (auto ok = check_text_field("scope workflow", workflow); !ok) return ok;
      p.signal_workflows.push_back(workflow);
    } else {
      return Error::invalid_argument("unknown scope '" + printable(word) +
                                     "': admin, coordinate, metrics or signal:<workflow id>");
    }
  }
  return ok_status();
}

bool is_engine_name(std::string_view person) {
  for (const char* reserved :
       {"engine", "external", "(withheld)", "operator", "retention", "scheduler"}) {
    if (person == reserved) return true;
  }
  return false;
}

Principal asserted_principal(std::string_view person, std::string_view role,
                             std::string_view organisation) {
  Principal p;
  p.person = normal_name(person);
  p.organisation = normal_name(organisation);
  if (const std::string r = normal_name(role); !r.empty()) p.roles.push_back(r);
  p.source = IdentitySource::kAsserted;
  return p;
}

}  // namespace coalition
