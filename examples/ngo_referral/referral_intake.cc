// ngo_referral: the intake step of a (fictional) NGO hotline that refers reports of child sexual
// exploitation to the coalition. It never receives or keeps content — only the hotline's own
// reference, a category, when the report came in and hashes of the material it refers to — and
// answers the referral's priority and where it goes next. All data here is fictional.
#include <coalition/plugin.hpp>

#include <cstdint>
#include <string>

namespace {

// FNV-1a: a stable number for a text, the same in every build (std::hash need not be).
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

class ReferralIntake {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "ngo_referral.intake",
      .description =
          "Takes a hotline referral (references only) and decides its priority and "
          "route.",
      .parameters_schema = R"({
        "type": "object",
        "properties": {
          "hotline_reference": {"type": "string", "pattern": "^[A-Z]{2,6}-[0-9]{4}-[0-9]{3,8}$"},
          "category": {"enum": ["child_in_danger", "sextortion", "grooming", "material_hash"]},
          "content_hashes": {"type": "array", "items": {"type": "string",
                             "pattern": "^sha256:[0-9a-f]{64}$"}, "maxItems": 100},
          "jurisdiction": {"type": "string", "pattern": "^[A-Z]{2}$"}
        },
        "required": ["hotline_reference", "category", "jurisdiction"]
      })",
      .output_schema = R"({
        "type": "object",
        "properties": {
          "referral_id": {"type": "string"},
          "priority": {"enum": ["P0", "P1", "P2"]},
          "route": {"enum": ["law_enforcement_liaison", "member_trust_and_safety", "hash_list"]}
        },
        "required": ["referral_id", "priority", "route"]
      })",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };

  coalition::sdk::Outcome execute(const nlohmann::json& params,
                                  const coalition::sdk::Context& context) {
    const std::string category = params.at("category");
    // A child in danger goes to law enforcement at once; a report of material with known
    // hashes adds to the shared hash list; the rest goes to the members' safety teams.
    std::string priority = "P2";
    std::string route = "member_trust_and_safety";
    if (category == "child_in_danger") {
      priority = "P0";
      route = "law_enforcement_liaison";
    } else if (category == "sextortion" || category == "grooming") {
      priority = "P1";
    } else if (category == "material_hash") {
      route = "hash_list";
    }
    // The same attempt retried or re-run after a restart answers the same referral id.
    const std::string referral = "REF-" + std::string(params.at("jurisdiction")) + "-" +
                                 std::to_string(fnv1a(context.idempotency_key()) % 1000000);
    return coalition::sdk::Outcome::ok(
        {{"referral_id", referral}, {"priority", priority}, {"route", route}});
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    "ngo_referral", "1.0.0", "Northwind Child Safety Hotline (fictional)",
    coalition::sdk::PartnerType::kNgo, "Referral intake of an NGO hotline."};

}  // namespace

COALITION_PLUGIN(kPlugin, ReferralIntake)
