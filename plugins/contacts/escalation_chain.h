// Resolving an escalation chain: which contacts to notify, tier by tier, for an incident class
// and the jurisdictions involved. Stale entries are skipped, each skip
// reported, unless a tier has no fresh alternative: then the stale entry is used and flagged.
#ifndef COALITION_PLUGINS_CONTACTS_ESCALATION_CHAIN_H_
#define COALITION_PLUGINS_CONTACTS_ESCALATION_CHAIN_H_

#include <nlohmann/json.hpp>
#include <string>

#include "shared/time_text.h"

namespace coalition::plugins::contacts {

struct ChainRequest {
  std::string incident_class;              // "P0", "P1", "P2"
  std::vector<std::string> jurisdictions;  // most specific first
  std::vector<std::string> members;        // organisations involved, in order
};

// {"incident_class", "tiers": [{tier, name, ack_within, notify, contacts: [...]}], "sequence":
// [one item per contact, in order], "rounds": [{round, tier, tier_name, ack_within, contacts}]
// (what is paged at once: one contact of an "in_turn" tier, every contact of a "together"
// tier), "skipped": [{entry, status, tier}], "reverify": [{entry, organisation, role, roles,
// tier, calendar, within: {business_days, calendar}}] (one per stale entry met, skipped or
// used), "flags": [...], "gaps": [tier names with nobody]}. Contacts carry ids, organisation,
// role, holder and deputy references and status; never channel addresses. Throws
// std::invalid_argument for an unknown class or a tier's unknown notify mode.
nlohmann::json resolve_chain(const nlohmann::json& entries, const nlohmann::json& chains,
                             const ChainRequest& request, Instant now,
                             const nlohmann::json& policy);

}  // namespace coalition::plugins::contacts

#endif  // COALITION_PLUGINS_CONTACTS_ESCALATION_CHAIN_H_
