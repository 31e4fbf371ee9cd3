#include "contacts/escalation_chain.h"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>

#include "contacts/contact_directory.h"

namespace coalition::plugins::contacts {

using nlohmann::json;

namespace {

size_t index_of(const std::vector<std::string>& list, const std::string& value) {
  auto it = std::find(list.begin(), list.end(), value);
  return it == list.end() ? std::numeric_limits<size_t>::max()
                          : static_cast<size_t>(it - list.begin());
}

bool contains(const json& list, const std::string& value) {
  return std::any_of(list.begin(), list.end(),
                     [&](const json& v) { return v.is_string() && v.get<std::string>() == value; });
}

// A tier's scope: one for every entry ("jurisdiction", "members", "any"), or one per
// organisation type ({"member": "members", "coalition": "any"}) when a tier pages several kinds
// of organisation together. An organisation type the object does not name is out of scope.
std::string scope_of(const json& entry, const json& tier) {
  const auto it = tier.find("scope");
  if (it == tier.end()) return "any";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) return it->value(entry.value("organisation_type", ""), std::string());
  return std::string();
}

// Lower ranks come first; max() means the entry is not in scope for the tier.
size_t scope_rank(const json& entry, const json& tier, const ChainRequest& request) {
  const std::string scope = scope_of(entry, tier);
  if (scope.empty()) return std::numeric_limits<size_t>::max();
  if (scope == "members") return index_of(request.members, entry.value("organisation", ""));
  if (scope == "jurisdiction") {
    const json& js = entry.value("jurisdictions", json::array());
    size_t best = std::numeric_limits<size_t>::max();
    for (size_t i = 0; i < request.jurisdictions.size(); ++i) {
      if (contains(js, request.jurisdictions[i])) best = std::min(best, i);
    }
    if (best == std::numeric_limits<size_t>::max() && contains(js, "*")) {
      best = request.jurisdictions.size();
    }
    return best;
  }
  if (scope == "any") return 0;
  throw std::invalid_argument("escalation tier '" + tier.value("name", "") + "' has scope '" +
                              scope + "'; expected jurisdiction, members or any");
}

json contact_of(const json& entry, const std::string& status, bool flagged) {
  return {{"entry", entry.value("id", "")},
          {"organisation", entry.value("organisation", "")},
          {"role", entry.value("role", "")},
          {"holder_ref", entry.value("holder_ref", "")},
          {"deputy_ref", entry.value("deputy_ref", "")},
          {"timezone", entry.value("timezone", "UTC")},
          {"is_24x7", entry.value("is_24x7", false)},
          {"status", status},
          {"flagged", flagged}};
}

// The re-verification a stale entry owes: its organisation's owners (the configured roles and
// the entry's own role) confirm or suspend it within business days of the owner's calendar
// (the entry's, else the configured default, flagged), counted by the engine's deadline.
json reverify_of(const json& entry, const json& settings, const std::string& tier, json& flags) {
  json roles = settings.value("owner_roles", json::array());
  const std::string role = entry.value("role", "");
  if (!contains(roles, role)) roles.push_back(role);
  std::string calendar = entry.value("calendar", "");
  if (calendar.empty()) {
    calendar = settings.value("default_calendar", "");
    flags.push_back({{"entry", entry.value("id", "")},
                     {"tier", tier},
                     {"reason",
                      "no calendar on the entry: its re-verification counts business "
                      "days of the default calendar '" +
                          calendar + "'"}});
  }
  return {{"entry", entry.value("id", "")},
          {"organisation", entry.value("organisation", "")},
          {"role", role},
          {"roles", roles},
          {"tier", tier},
          {"calendar", calendar},
          {"within",
           {{"business_days", settings.value("within_business_days", 5)}, {"calendar", calendar}}}};
}

struct Candidate {
  size_t rank;  // how close its scope is to the incident's
  size_t role;  // its role's place in the tier's list
  const json* entry;
  std::string status;
};

// The entries a tier may call on, fresh and stale, best first.
struct Candidates {
  std::vector<Candidate> usable;
  std::vector<Candidate> stale;
};

// Builds the chain tier by tier into one document: tiers, the call sequence, rounds of
// notification, what was skipped, flagged or owes re-verification, and the tiers left empty.
class ChainBuilder {
 public:
  ChainBuilder(const json& entries, const json& chains, const ChainRequest& request, Instant now,
               const json& policy, const json& cls)
      : entries_(entries),
        request_(request),
        now_(now),
        policy_(policy),
        reverify_settings_(chains.value("reverify", json::object())),
        out_{{"incident_class", request.incident_class},
             {"title", cls.value("title", "")},
             {"tiers", json::array()},
             {"sequence", json::array()},
             {"skipped", json::array()},
             {"flags", json::array()},
             {"gaps", json::array()},
             {"rounds", json::array()},
             {"reverify", json::array()}} {}

  void add_tier(size_t t, const json& tier) {
    Candidates found = candidates_for(tier);
    const bool fallback = found.usable.empty() && !found.stale.empty();
    owe_reverification(found.stale, tier, fallback);
    const auto& chosen = fallback ? found.stale : found.usable;
    const std::string notify = tier.value("notify", "in_turn");
    if (notify != "in_turn" && notify != "together") {
      throw std::invalid_argument("escalation tier '" + tier.value("name", "") + "' has notify '" +
                                  notify + "'; expected \"in_turn\" or \"together\"");
    }
    json tier_out{{"tier", t + 1},
                  {"name", tier.value("name", "")},
                  {"ack_within", tier.value("ack_within", "PT1H")},
                  {"notify", notify},
                  {"contacts", json::array()}};
    json together = json::array();
    for (const auto& c : chosen) {
      json contact = contact_of(*c.entry, c.status, fallback);
      if (fallback) {
        out_["flags"].push_back(
            {{"entry", contact["entry"]},
             {"tier", tier.value("name", "")},
             {"reason", "stale entry used: no fresh alternative in this tier"}});
      }
      json item = contact;
      item["tier"] = t + 1;
      item["tier_name"] = tier.value("name", "");
      item["ack_within"] = tier_out["ack_within"];
      if (notify == "together") {
        together.push_back(item);
      } else {
        add_round(t, tier, tier_out["ack_within"], json::array({item}));
      }
      out_["sequence"].push_back(std::move(item));
      tier_out["contacts"].push_back(std::move(contact));
    }
    if (!together.empty()) add_round(t, tier, tier_out["ack_within"], std::move(together));
    if (chosen.empty()) out_["gaps"].push_back(tier.value("name", ""));
    out_["tiers"].push_back(std::move(tier_out));
  }

  json take() { return std::move(out_); }

 private:
  // The entries of the tier's roles and organisation types within its scope, suspended ones
  // skipped (and said so), fresh and stale apart, each best first.
  Candidates candidates_for(const json& tier) {
    const auto roles = tier.value("roles", std::vector<std::string>{});
    const json types = tier.value("organisation_types", json::array());
    Candidates found;
    for (const auto& e : entries_) {
      const size_t role = index_of(roles, e.value("role", ""));
      if (role == std::numeric_limits<size_t>::max()) continue;
      if (!contains(types, e.value("organisation_type", ""))) continue;
      const size_t rank = scope_rank(e, tier, request_);
      if (rank == std::numeric_limits<size_t>::max()) continue;
      const std::string status = effective_status(e, now_, policy_);
      if (status == "suspended") {
        out_["skipped"].push_back(
            {{"entry", e.value("id", "")}, {"status", status}, {"tier", tier.value("name", "")}});
        continue;
      }
      (status == "stale" ? found.stale : found.usable).push_back({rank, role, &e, status});
    }
    auto order = [](const Candidate& a, const Candidate& b) {
      return a.rank != b.rank ? a.rank < b.rank : a.role < b.role;
    };
    std::stable_sort(found.usable.begin(), found.usable.end(), order);
    std::stable_sort(found.stale.begin(), found.stale.end(), order);
    return found;
  }

  // Every stale entry met, skipped or used, owes a re-verification by its owner: once. Unless
  // the tier falls back on them, stale entries are skipped.
  void owe_reverification(const std::vector<Candidate>& stale, const json& tier, bool fallback) {
    for (const auto& c : stale) {
      if (owed_.insert(c.entry->value("id", "")).second) {
        out_["reverify"].push_back(
            reverify_of(*c.entry, reverify_settings_, tier.value("name", ""), out_["flags"]));
      }
    }
    if (fallback) return;
    for (const auto& c : stale) {
      out_["skipped"].push_back({{"entry", c.entry->value("id", "")},
                                 {"status", "stale"},
                                 {"tier", tier.value("name", "")}});
    }
  }

  void add_round(size_t t, const json& tier, const json& ack_within, json contacts) {
    out_["rounds"].push_back({{"round", out_["rounds"].size() + 1},
                              {"tier", t + 1},
                              {"tier_name", tier.value("name", "")},
                              {"ack_within", ack_within},
                              {"contacts", std::move(contacts)}});
  }

  const json& entries_;
  const ChainRequest& request_;
  const Instant now_;
  const json& policy_;
  const json reverify_settings_;
  json out_;
  std::set<std::string> owed_;  // entries with a re-verification already listed
};

}  // namespace

json resolve_chain(const json& entries, const json& chains, const ChainRequest& request,
                   Instant now, const json& policy) {
  const json& classes = chains.value("classes", json::object());
  auto cls = classes.find(request.incident_class);
  if (cls == classes.end()) {
    std::string known;
    for (const auto& [name, _] : classes.items()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("no escalation chain for incident class '" +
                                request.incident_class + "'; configured: " + known);
  }
  ChainBuilder chain(entries, chains, request, now, policy, *cls);
  const json& tiers = (*cls)["tiers"];
  for (size_t t = 0; t < tiers.size(); ++t) chain.add_tier(t, tiers[t]);
  return chain.take();
}

}  // namespace coalition::plugins::contacts
