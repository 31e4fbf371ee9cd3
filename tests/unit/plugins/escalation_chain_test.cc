// The contact directory's rules: status over time, masking, versioned changes, and resolving an
// escalation chain (skipping stale entries, or using and flagging them when nothing else is left).
#include "contacts/escalation_chain.h"

#include <gtest/gtest.h>

#include <fstream>

#include "contacts/contact_directory.h"
#include "support/temp_dir.h"

namespace coalition::plugins::contacts {
namespace {

using nlohmann::json;

Instant at(const char* text) {
  return *parse_instant(text);
}

json entry(const std::string& id, const std::string& org, const std::string& type,
           const std::string& role, json jurisdictions, const std::string& verified,
           const std::string& status = "fresh") {
  return {{"id", id},
          {"organisation", org},
          {"organisation_type", type},
          {"role", role},
          {"jurisdictions", jurisdictions},
          {"holder_ref", "person:" + id},
          {"deputy_ref", "person:d-" + id},
          {"last_verified_at", verified},
          {"status", status},
          {"calendar", "au-national"},
          {"channels",
           json::array({{{"type", "phone"}, {"address", "+61 491 570 100"}, {"priority", 1}}})}};
}

const json kPolicy = {{"reverify_every", "P91D"}, {"stale_after_due", "P30D"}};

TEST(ContactStatus, FreshThenDueThenStaleAndMarkedStatusesWin) {
  const json e = entry("a", "o", "member", "r", json::array({"AU"}), "2026-09-01T00:00:00Z");
  EXPECT_EQ(effective_status(e, at("2026-11-30T23:59:59Z"), kPolicy), "fresh");  // day 90
  EXPECT_EQ(effective_status(e, at("2026-12-01T00:00:01Z"), kPolicy), "due");    // past 91 days
  EXPECT_EQ(effective_status(e, at("2026-12-31T00:00:01Z"), kPolicy), "stale");  // 30 days past due
  json marked = e;
  marked["status"] = "suspended";
  EXPECT_EQ(effective_status(marked, at("2026-09-02T00:00:00Z"), kPolicy), "suspended");
  marked["status"] = "stale";
  EXPECT_EQ(effective_status(marked, at("2026-09-02T00:00:00Z"), kPolicy), "stale");
  marked = e;
  marked.erase("last_verified_at");
  EXPECT_EQ(effective_status(marked, at("2026-09-02T00:00:00Z"), kPolicy), "stale");
}

TEST(ContactStatus, MasksEveryChannelType) {
  EXPECT_EQ(mask_address("email", "compliance@northwind.example.com"),
            "c***@northwind.example.com");
  EXPECT_EQ(mask_address("phone", "+61 491 570 157"), "*** 157");
  EXPECT_EQ(mask_address("webhook", "http://127.0.0.1:9/pager?token=x"), "http://127.0.0.1:9/***");
  EXPECT_EQ(mask_address("webhook", "https://pager.example.org?token=x"),
            "https://pager.example.org/***");
  EXPECT_EQ(mask_address("webhook", "https://hook:s3cret@pager.example.org/x"),
            "https://pager.example.org/***");
  EXPECT_EQ(mask_address("webhook", "pager.example.org/x"), "***");
  EXPECT_EQ(mask_address("portal", "anything"), "***");
  const json view =
      public_view(entry("a", "o", "member", "r", json::array(), "2026-09-01T00:00:00Z"),
                  at("2026-09-02T00:00:00Z"), kPolicy);
  EXPECT_EQ(view["channels"][0]["address"], "*** 100");
  EXPECT_EQ(view.dump().find("491 570"), std::string::npos);
}

const json kChains = json::parse(R"({"classes": {"P0": {"tiers": [
  {"name": "le", "roles": ["le_emergency", "le_liaison"], "organisation_types": ["law_enforcement"],
   "scope": "jurisdiction", "ack_within": "PT1H"},
  {"name": "member", "roles": ["ts_oncall", "bsa_officer"], "organisation_types": ["member"],
   "scope": "members", "ack_within": "PT1H"},
  {"name": "duty", "roles": ["duty_officer"], "organisation_types": ["coalition"], "scope": "any",
   "ack_within": "PT2H"}]}}})");

std::vector<std::string> sequence(const json& chain) {
  std::vector<std::string> out;
  for (const auto& s : chain["sequence"]) out.push_back(s["entry"]);
  return out;
}

TEST(EscalationChain, OrdersByTierJurisdictionAndRoleAndSkipsStaleEntries) {
  const json entries = json::array({
      entry("le-us", "pol-us", "law_enforcement", "le_liaison", {"US"}, "2026-11-01T00:00:00Z"),
      entry("le-au-liaison", "pol-au", "law_enforcement", "le_liaison", {"AU"},
            "2026-11-01T00:00:00Z"),
      entry("le-au-emergency", "pol-au", "law_enforcement", "le_emergency", {"AU"},
            "2026-06-01T00:00:00Z"),
      entry("nw-bsa", "northwind", "member", "bsa_officer", {"AU"}, "2026-11-01T00:00:00Z"),
      entry("nw-oncall", "northwind", "member", "ts_oncall", {"AU"}, "2026-11-01T00:00:00Z"),
      entry("hp-bsa", "harborpay", "member", "bsa_officer", {"US"}, "2026-11-01T00:00:00Z"),
      entry("gone", "northwind", "member", "ts_oncall", {"AU"}, "2026-11-01T00:00:00Z",
            "suspended"),
      entry("duty", "sec", "coalition", "duty_officer", {"*"}, "2026-11-01T00:00:00Z"),
  });
  const json chain = resolve_chain(entries, kChains, {"P0", {"AU", "US"}, {"northwind"}},
                                   at("2026-12-07T10:00:00Z"), kPolicy);
  // AU before US (most specific first); the stale emergency line skipped; the suspended entry
  // never used; harborpay is not involved.
  EXPECT_EQ(sequence(chain),
            (std::vector<std::string>{"le-au-liaison", "le-us", "nw-oncall", "nw-bsa", "duty"}));
  EXPECT_EQ(chain["skipped"], json::parse(R"([
      {"entry": "le-au-emergency", "status": "stale", "tier": "le"},
      {"entry": "gone", "status": "suspended", "tier": "member"}])"));
  EXPECT_TRUE(chain["flags"].empty());
  EXPECT_EQ(chain["sequence"][4]["ack_within"], "PT2H");
  EXPECT_EQ(chain["sequence"][0]["tier_name"], "le");
  EXPECT_EQ(chain.dump().find("491 570"), std::string::npos);  // no addresses
}

TEST(EscalationChain, UsesAndFlagsAStaleEntryWhenATierHasNothingElse) {
  const json entries = json::array({
      entry("le-au-emergency", "pol-au", "law_enforcement", "le_emergency", {"AU"},
            "2026-06-01T00:00:00Z"),
  });
  const json chain =
      resolve_chain(entries, kChains, {"P0", {"AU"}, {}}, at("2026-12-07T10:00:00Z"), kPolicy);
  EXPECT_EQ(sequence(chain), std::vector<std::string>{"le-au-emergency"});
  EXPECT_EQ(chain["sequence"][0]["flagged"], true);
  ASSERT_EQ(chain["flags"].size(), 1u);
  EXPECT_EQ(chain["flags"][0]["entry"], "le-au-emergency");
  EXPECT_TRUE(chain["skipped"].empty());
  EXPECT_EQ(chain["gaps"], json::array({"member", "duty"}));
}

// A tier paged together: the member's on-call and the secretariat's duty officer in one round,
// each organisation type with its own scope; the law-enforcement tier stays one after another.
const json kTogether = json::parse(R"({"classes": {"P0": {"tiers": [
  {"name": "le", "roles": ["le_emergency", "le_liaison"], "organisation_types": ["law_enforcement"],
   "scope": "jurisdiction", "ack_within": "PT1H"},
  {"name": "on_call_with_duty", "roles": ["ts_oncall", "duty_officer"],
   "organisation_types": ["member", "coalition"], "scope": {"member": "members", "coalition": "any"},
   "notify": "together", "ack_within": "PT1H"}]}},
  "reverify": {"owner_roles": ["contacts_admin"], "within_business_days": 4,
               "default_calendar": "us-federal"}})");

std::vector<std::vector<std::string>> rounds(const json& chain) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : chain["rounds"]) {
    out.emplace_back();
    for (const auto& c : r["contacts"]) out.back().push_back(c["entry"]);
  }
  return out;
}

TEST(EscalationChain, ATogetherTierIsOneRoundAndAnInTurnTierOneRoundPerContact) {
  json stale_nw =
      entry("nw-oncall-old", "northwind", "member", "ts_oncall", {"AU"}, "2026-05-01T00:00:00Z");
  const json entries = json::array({
      entry("le-au-liaison", "pol-au", "law_enforcement", "le_liaison", {"AU"},
            "2026-11-01T00:00:00Z"),
      entry("le-au-emergency", "pol-au", "law_enforcement", "le_emergency", {"AU"},
            "2026-11-01T00:00:00Z"),
      entry("nw-oncall", "northwind", "member", "ts_oncall", {"AU"}, "2026-11-01T00:00:00Z"),
      stale_nw,
      entry("hp-oncall", "harborpay", "member", "ts_oncall", {"US"}, "2026-11-01T00:00:00Z"),
      entry("duty", "sec", "coalition", "duty_officer", {"*"}, "2026-11-01T00:00:00Z"),
  });
  const json chain = resolve_chain(entries, kTogether, {"P0", {"AU"}, {"northwind"}},
                                   at("2026-12-07T10:00:00Z"), kPolicy);
  EXPECT_EQ(rounds(chain), (std::vector<std::vector<std::string>>{
                               {"le-au-emergency"}, {"le-au-liaison"}, {"nw-oncall", "duty"}}));
  EXPECT_EQ(chain["rounds"][2]["tier_name"], "on_call_with_duty");
  EXPECT_EQ(chain["rounds"][2]["round"], 3);
  EXPECT_EQ(chain["tiers"][1]["notify"], "together");
  EXPECT_EQ(chain["tiers"][0]["notify"], "in_turn");
  // harborpay is not involved: members are scoped to the incident's, the secretariat is not.
  // The stale on-call was skipped, and its organisation owes a re-verification under its own
  // calendar, assigned to the directory's owners and the entry's role.
  EXPECT_EQ(chain["skipped"], json::parse(R"([
      {"entry": "nw-oncall-old", "status": "stale", "tier": "on_call_with_duty"}])"));
  EXPECT_EQ(chain["reverify"], json::parse(R"([
      {"entry": "nw-oncall-old", "organisation": "northwind", "role": "ts_oncall",
       "roles": ["contacts_admin", "ts_oncall"], "tier": "on_call_with_duty",
       "calendar": "au-national",
       "within": {"business_days": 4, "calendar": "au-national"}}])"));
  EXPECT_TRUE(chain["flags"].empty());
}

TEST(EscalationChain, AStaleEntryUsedOrMetTwiceOwesOneReverificationUnderTheDefaultCalendar) {
  // The only law-enforcement entry is stale and used (flagged); it serves both tiers' roles,
  // but one re-verification is owed. It names no calendar: the default's, flagged.
  json chains = kTogether;
  chains["classes"]["P0"]["tiers"][1]["roles"].push_back("le_liaison");
  chains["classes"]["P0"]["tiers"][1]["organisation_types"].push_back("law_enforcement");
  chains["classes"]["P0"]["tiers"][1]["scope"]["law_enforcement"] = "jurisdiction";
  json stale = entry("le-au-liaison", "pol-au", "law_enforcement", "le_liaison", {"AU"},
                     "2026-06-01T00:00:00Z");
  stale.erase("calendar");
  const json entries = json::array({stale});
  const json chain =
      resolve_chain(entries, chains, {"P0", {"AU"}, {}}, at("2026-12-07T10:00:00Z"), kPolicy);
  ASSERT_EQ(chain["reverify"].size(), 1u) << chain.dump(2);
  EXPECT_EQ(chain["reverify"][0]["tier"], "le");
  EXPECT_EQ(chain["reverify"][0]["within"],
            json::parse(R"({"business_days": 4, "calendar": "us-federal"})"));
  std::vector<std::string> reasons;
  for (const auto& f : chain["flags"]) reasons.push_back(f["reason"]);
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "no calendar on the entry: its re-verification counts business days "
                         "of the default calendar 'us-federal'",
                         "stale entry used: no fresh alternative in this tier",
                         "stale entry used: no fresh alternative in this tier"}));
}

TEST(EscalationChain, AnUnknownNotifyModeIsAConfigurationError) {
  json chains = kTogether;
  chains["classes"]["P0"]["tiers"][0]["notify"] = "all_at_once";
  try {
    (void)resolve_chain(json::array(), chains, {"P0", {"AU"}, {}}, at("2026-12-07T10:00:00Z"),
                        kPolicy);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "escalation tier 'le' has notify 'all_at_once'; expected \"in_turn\" or "
                 "\"together\"");
  }
}

TEST(EscalationChain, AnUnknownScopeIsAConfigurationError) {
  json chains = kTogether;
  chains["classes"]["P0"]["tiers"][0]["scope"] = "region";
  const json entries = json::array({entry("le-au-liaison", "pol-au", "law_enforcement",
                                          "le_liaison", {"AU"}, "2026-11-01T00:00:00Z")});
  try {
    (void)resolve_chain(entries, chains, {"P0", {"AU"}, {}}, at("2026-12-07T10:00:00Z"), kPolicy);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "escalation tier 'le' has scope 'region'; expected jurisdiction, "
                 "members or any");
  }
}

TEST(EscalationChain, AnUnknownClassNamesTheConfiguredOnes) {
  try {
    (void)resolve_chain(json::array(), kChains, {"P9", {"AU"}, {}}, at("2026-12-07T10:00:00Z"),
                        kPolicy);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "no escalation chain for incident class 'P9'; configured: P0");
  }
}

TEST(ContactDirectory, SeedsVersionsChangesAndRepeatsNothing) {
  test::TempDir dir;
  const auto seed = dir.path() / "seed.json";
  std::ofstream(seed) << json{{"entries", json::array({entry("a", "o", "member", "r", json::array(),
                                                             "2026-09-01T00:00:00Z")})}}
                             .dump();
  ContactDirectory directory(dir.path() / "var" / "contacts.json", seed);
  ASSERT_TRUE(directory.find("a").has_value());
  EXPECT_FALSE(directory.find("b").has_value());

  const json made = directory.apply("a", {{"status", "stale"}}, {{"reason", "no answer"}}, "ex/k1");
  EXPECT_EQ(made, json::parse(R"({"entry": "a", "version": 2, "repeated": false})"));
  const json again =
      directory.apply("a", {{"status", "stale"}}, {{"reason", "no answer"}}, "ex/k1");
  EXPECT_EQ(again["version"], 2);
  EXPECT_EQ(again["repeated"], true);
  const json e = *directory.find("a");
  EXPECT_EQ(e["status"], "stale");
  ASSERT_EQ(e["history"].size(), 1u);
  EXPECT_EQ(e["history"][0]["previous"]["status"], "fresh");
  EXPECT_EQ(e["history"][0]["reason"], "no answer");

  // A second directory on the same file sees the change (it is on disk), and ids never change.
  ContactDirectory reopened(dir.path() / "var" / "contacts.json", "");
  EXPECT_EQ((*reopened.find("a"))["version"], 2);
  EXPECT_THROW(reopened.apply("a", {{"id", "b"}}, json::object(), "ex/k2"), std::invalid_argument);
  EXPECT_THROW(reopened.apply("zzz", {{"status", "fresh"}}, json::object(), "ex/k3"),
               std::invalid_argument);
}

}  // namespace
}  // namespace coalition::plugins::contacts
