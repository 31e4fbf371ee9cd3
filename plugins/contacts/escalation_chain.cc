#include "contacts/escalation_chain.h"

#include <algorithm>
#include <limits>
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

// Lower ranks come first; max() means the entry is not in scope for the tier.
size_t scope_rank(const json& entry, const json& tier, const ChainRequest& request) {
  const std::string scope = tier.value("scope", "any");
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
  return 0;
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
  json out{{"incident_class", request.incident_class},
           {"title", cls->value("title", "")},
           {"tiers", json::array()},
           {"sequence", json::array()},
           {"skipped", json::array()},
           {"flags", json::array()},
           {"gaps", json::array()}};
  const json& tiers = (*cls)["tiers"];
  for (size_t t = 0; t < tiers.size(); ++t) {
    const json& tier = tiers[t];
    const auto roles = tier.value("roles", std::vector<std::string>{});
    const json types = tier.value("organisation_types", json::array());
    struct Candidate {
      size_t rank;
      size_t role;
      const json* entry;
      std::string status;
    };
    std::vector<Candidate> usable;
    std::vector<Candidate> stale;
    for (const auto& e : entries) {
      const size_t role = index_of(roles, e.value("role", ""));
      if (role == std::numeric_limits<size_t>::max()) continue;
      if (!contains(types, e.value("organisation_type", ""))) continue;
      const size_t rank = scope_rank(e, tier, request);
      if (rank == std::numeric_limits<size_t>::max()) continue;
      const std::string status = effective_status(e, now, policy);
      if (status == "suspended") {
        out["skipped"].push_back(
            {{"entry", e.value("id", "")}, {"status", status}, {"tier", tier.value("name", "")}});
        continue;
      }
      (status == "stale" ? stale : usable).push_back({rank, role, &e, status});
    }
    auto order = [](const Candidate& a, const Candidate& b) {
      return a.rank != b.rank ? a.rank < b.rank : a.role < b.role;
    };
    std::stable_sort(usable.begin(), usable.end(), order);
    std::stable_sort(stale.begin(), stale.end(), order);
    const bool fallback = usable.empty() && !stale.empty();
    if (!fallback) {
      for (const auto& c : stale) {
        out["skipped"].push_back({{"entry", c.entry->value("id", "")},
                                  {"status", "stale"},
                                  {"tier", tier.value("name", "")}});
      }
    }
    const auto& chosen = fallback ? stale : usable;
    json tier_out{{"tier", t + 1},
                  {"name", tier.value("name", "")},
                  {"ack_within", tier.value("ack_within", "PT1H")},
                  {"contacts", json::array()}};
    for (const auto& c : chosen) {
      json contact = contact_of(*c.entry, c.status, fallback);
      if (fallback) {
        out["flags"].push_back({{"entry", contact["entry"]},
                                {"tier", tier.value("name", "")},
                                {"reason", "stale entry used: no fresh alternative in this tier"}});
      }
      json item = contact;
      item["tier"] = t + 1;
      item["tier_name"] = tier.value("name", "");
      item["ack_within"] = tier_out["ack_within"];
      out["sequence"].push_back(std::move(item));
      tier_out["contacts"].push_back(std::move(contact));
    }
    if (chosen.empty()) out["gaps"].push_back(tier.value("name", ""));
    out["tiers"].push_back(std::move(tier_out));
  }
  return out;
}

}  // namespace coalition::plugins::contacts
