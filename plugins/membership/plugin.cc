// membership: the coalition's member registry (config/members.json, fictional sample) and the
// rules that decide who may do what: roles granted at onboarding, 314(b) registrations, and the
// recipients of a cross-member signal. The rules live in member_rules.cc; these steps read the
// registry and the engine's clock.
#include <coalition/plugin.hpp>

#include "membership/member_rules.h"
#include "shared/config_file.h"
#include "shared/time_text.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace rules = coalition::plugins::membership;

// Today as the engine sees it (virtual time included).
rules::Day today(const Context& context) {
  auto now = coalition::plugins::parse_instant(context.now());
  return std::chrono::floor<std::chrono::days>(
      now ? *now : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

class Check314b {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "membership.check_314b",
      .description =
          "Whether a US financial institution's 314(b) registration is current "
          "today (effective one year from its date), and when it expires.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "registration": {"description": "{\"id\", \"registered_on\": \"YYYY-MM-DD\"}, or null when there is none."}
        },
        "required": ["registration"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["valid"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Outcome execute(const json& params, const Context& context) {
    return Outcome::ok(rules::registration_314b(params.at("registration"), today(context)));
  }
};

class Grants {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "membership.grants",
      .description =
          "The status and roles an applicant may be granted from its application, "
          "attestations and 314(b) check, with the reason for each role withheld.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "application": {"type": "object", "required": ["type", "jurisdictions", "government_actor"]},
          "attestations": {"type": "object"},
          "registration_check": {}
        },
        "required": ["application", "attestations"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["status", "roles", "withheld", "unmet"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Outcome execute(const json& params, const Context&) {
    return Outcome::ok(rules::grants(params.at("application"), params.at("attestations"),
                                     params.value("registration_check", json())));
  }
};

class Member {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "membership.member",
      .description =
          "A member's registry entry: type, sector, jurisdictions, calendar, status, "
          "roles and 314(b) check as of today.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"member": {"type": "string", "minLength": 1}},
        "required": ["member"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["id", "type", "status"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Member(const Host&, const json& config)
      : registry_(coalition::plugins::read_config_file(config, "registry", "members.json")) {}
  Outcome execute(const json& params, const Context& context) {
    if (registry_.is_null()) return coalition::plugins::not_configured("membership", "registry");
    const std::string id = params.at("member");
    for (const auto& m : registry_.value("members", json::array())) {
      if (m.value("id", "") != id) continue;
      json out = m;
      out["financial"] = rules::is_financial(m);
      out["registration_314b"] =
          rules::registration_314b(m.value("registration_314b", json()), today(context));
      return Outcome::ok(out);
    }
    return Outcome::permanent("membership.unknown_member",
                              "no member '" + id + "' in the registry");
  }

 private:
  json registry_;
};

class Recipients {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "membership.recipients",
      .description =
          "The members a cross-member signal goes to: active signal consumers in "
          "scope, never government actors, financial institutions only with a "
          "current 314(b) registration when customer information is shared; each "
          "exclusion with its reason.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "originator": {"type": "string", "minLength": 1},
          "scope": {"type": "object", "properties": {
            "sectors": {"type": "array", "items": {"type": "string"}},
            "jurisdictions": {"type": "array", "items": {"type": "string"}}}},
          "customer_information": {"type": "boolean"}
        },
        "required": ["originator", "scope", "customer_information"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["recipients", "excluded"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Recipients(const Host&, const json& config)
      : registry_(coalition::plugins::read_config_file(config, "registry", "members.json")) {}
  Outcome execute(const json& params, const Context& context) {
    if (registry_.is_null()) return coalition::plugins::not_configured("membership", "registry");
    json out =
        rules::recipients(registry_.value("members", json::array()), params.at("originator"),
                          params.at("scope"), params.at("customer_information"), today(context));
    out["registry_version"] = registry_.value("version", "");
    if (out["recipients"].empty()) {
      return Outcome::permanent("signal.no_recipients",
                                "no member may receive this signal: " + out["excluded"].dump());
    }
    return Outcome::ok(out);
  }

 private:
  json registry_;
};

class AdoptionMatrix {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "membership.adoption_matrix",
      .description =
          "The adoption matrix of a policy change, computed from the members' adoption "
          "outcomes: compliant, overdue, declined and exceptions, in total, by sector and by "
          "jurisdiction, with the members in each.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "adoptions": {"type": "array", "items": {"type": "object",
            "properties": {"member": {"type": "string", "minLength": 1},
                           "status": {"type": "string"},
                           "exception": {"type": ["string", "null"]}},
            "required": ["member"], "additionalProperties": true}}
        },
        "required": ["adoptions"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["totals", "by_sector", "by_jurisdiction", "members"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  AdoptionMatrix(const Host&, const json& config)
      : registry_(coalition::plugins::read_config_file(config, "registry", "members.json")) {}
  Outcome execute(const json& params, const Context&) {
    if (registry_.is_null()) return coalition::plugins::not_configured("membership", "registry");
    try {
      json out =
          rules::adoption_matrix(params.at("adoptions"), registry_.value("members", json::array()));
      out["registry_version"] = registry_.value("version", "");
      return Outcome::ok(out);
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("membership.unknown_outcome", e.what());
    }
  }

 private:
  json registry_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    "membership", "1.1.0", "Coalition Project", coalition::sdk::PartnerType::kCoalition,
    "The member registry and the rules for roles, 314(b) registrations and signal recipients."};

}  // namespace

COALITION_PLUGIN(kPlugin, AdoptionMatrix, Check314b, Grants, Member, Recipients)
