// contacts: the coalition's escalation contact directory. Resolves escalation chains for an
// incident class, shows an entry without its addresses, and records verifications and changes
// as new versions (maker-checker enforced for statutory endpoints).
#include <coalition/plugin.hpp>

#include "contacts/contact_directory.h"
#include "contacts/escalation_chain.h"
#include "shared/config_file.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace contacts = coalition::plugins::contacts;
namespace plugins = coalition::plugins;

// Settings every step type of the plugin reads: the directory (created from the seed on first
// use) and the escalation chains.
struct Settings {
  explicit Settings(const json& config)
      : chains(plugins::read_config_file(config, "chains", "escalation_chains.json")) {
    if (config.contains("directory")) {
      directory = std::make_unique<contacts::ContactDirectory>(
          plugins::config_path(config, "directory", ""), plugins::config_path(config, "seed", ""));
    }
  }
  std::unique_ptr<contacts::ContactDirectory> directory;  // null: not configured
  json chains;                                            // null: not configured
};

plugins::Instant now_of(const Context& context) {
  return plugins::parse_instant(context.now())
      .value_or(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

class ResolveChain {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "contacts.resolve_chain",
      .description =
          "Resolves the escalation chain for an incident class and jurisdictions into ordered "
          "tiers and rounds of contacts (a tier paged in turn or together); stale entries are "
          "skipped (each reported) unless no fresh one is left in a tier, then used and "
          "flagged, and each owes its organisation a re-verification.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "incident_class": {"enum": ["P0", "P1", "P2"]},
          "jurisdictions": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
                            "description": "Most specific first: victim, suspect, host, merchant, member."},
          "members": {"type": "array", "items": {"type": "string"},
                      "description": "Organisations involved, in order."}
        },
        "required": ["incident_class", "jurisdictions"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["tiers", "rounds", "sequence", "skipped", "reverify"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT,
  };
  ResolveChain(const Host&, const json& config) : settings_(config) {}
  Outcome execute(const json& params, const Context& context) {
    if (!settings_.directory) return plugins::not_configured("contacts", "directory");
    if (settings_.chains.is_null()) return plugins::not_configured("contacts", "chains");
    contacts::ChainRequest request{params.at("incident_class").get<std::string>(),
                                   params.at("jurisdictions").get<std::vector<std::string>>(),
                                   params.value("members", std::vector<std::string>{})};
    try {
      return Outcome::ok(contacts::resolve_chain(settings_.directory->entries(), settings_.chains,
                                                 request, now_of(context),
                                                 settings_.directory->policy()));
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("contacts.no_chain", e.what());
    }
  }

 private:
  Settings settings_;
};

class Entry {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "contacts.entry",
      .description = "One contact entry as of now: status, channels (masked), holder and deputy.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"entry": {"type": "string", "minLength": 1}},
        "required": ["entry"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["id", "status", "channels"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT,
  };
  Entry(const Host&, const json& config) : settings_(config) {}
  Outcome execute(const json& params, const Context& context) {
    if (!settings_.directory) return plugins::not_configured("contacts", "directory");
    const std::string id = params.at("entry").get<std::string>();
    auto entry = settings_.directory->find(id);
    if (!entry)
      return Outcome::permanent("contacts.unknown_entry", "no contact entry '" + id + "'");
    return Outcome::ok(
        contacts::public_view(*entry, now_of(context), settings_.directory->policy()));
  }

 private:
  Settings settings_;
};

class Update {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "contacts.update",
      .description =
          "Records a verification or a change of a contact entry as a new version. A change to "
          "the channels or source of a statutory endpoint needs a maker and a different checker.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "entry": {"type": "string", "minLength": 1},
          "verified": {"type": "object",
                       "properties": {"by": {"type": "string", "minLength": 1},
                                      "method": {"type": "string", "minLength": 1}},
                       "required": ["by", "method"]},
          "status": {"enum": ["fresh", "due", "stale", "suspended"]},
          "set": {"type": "object", "additionalProperties": true,
                  "description": "Fields to change: channels, holder_ref, deputy_ref, source_url, timezone, ..."},
          "maker": {"type": "string"},
          "checker": {"type": "string"},
          "evidence_url": {"type": "string"},
          "reason": {"type": "string", "minLength": 1, "maxLength": 500}
        },
        "required": ["entry", "reason"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["entry", "version", "status"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT,
  };
  Update(const Host& host, const json& config) : host_(host), settings_(config) {}
  Outcome execute(const json& params, const Context& context) {
    if (!settings_.directory) return plugins::not_configured("contacts", "directory");
    const std::string id = params.at("entry").get<std::string>();
    auto current = settings_.directory->find(id);
    if (!current)
      return Outcome::permanent("contacts.unknown_entry", "no contact entry '" + id + "'");
    json change = params.value("set", json::object());
    const bool endpoint = change.contains("channels") || change.contains("source_url");
    if (current->value("statutory", false) && endpoint) {
      const std::string maker = params.value("maker", "");
      const std::string checker = params.value("checker", "");
      if (maker.empty() || checker.empty() || maker == checker) {
        return Outcome::permanent(
            "contacts.maker_checker_required",
            "entry '" + id +
                "' is a statutory endpoint: a change of its channels or source needs "
                "a maker and a different checker");
      }
    }
    const std::string now = plugins::format_instant(now_of(context));
    if (params.contains("verified")) {
      change["last_verified_at"] = now;
      change["verified_by"] = params["verified"]["by"];
      change["verification_method"] = params["verified"]["method"];
      if (!params.contains("status")) change["status"] = "fresh";
    }
    if (params.contains("status")) change["status"] = params["status"];
    json record{
        {"at", now}, {"reason", params.at("reason")}, {"execution", context.execution_id()}};
    for (const char* key : {"maker", "checker", "evidence_url"}) {
      if (params.contains(key)) record[key] = params[key];
    }
    try {
      json result = settings_.directory->apply(id, change, record, context.idempotency_key());
      auto updated = settings_.directory->find(id);
      result["status"] =
          contacts::effective_status(*updated, now_of(context), settings_.directory->policy());
      // Ids and statuses only: a contact's channels never reach the log.
      host_.info("contact entry " + id + " is now version " + result["version"].dump() + " (" +
                 result["status"].get<std::string>() + ")");
      return Outcome::ok(std::move(result));
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("contacts.invalid_change", e.what());
    }
  }

 private:
  Host host_;
  Settings settings_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "contacts",
    .version = "1.1.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description =
        "The escalation contact directory: chains per incident class, verification "
        "and versioned changes.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, ResolveChain, Entry, Update)
