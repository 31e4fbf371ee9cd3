// The membership rules: 314(b) validity, the roles an applicant may be granted, and who receives
// a signal — each exclusion asserted with its reason.
#include "membership/member_rules.h"

#include <gtest/gtest.h>

namespace coalition::plugins::membership {
namespace {

using nlohmann::json;

Day day(const char* text) {
  return *parse_date(text);
}

// The engine's full-date reader: what sscanf let through before (a time or trailing text after
// the date, a sign) is no date, so a registration with such a date is not current.
TEST(Registration314b, ADateIsReadStrictly) {
  for (const char* bad : {"2026-02-31", "2026-2-3", "2026-02-03x", "+026-02-03", "2026-02-3 ",
                          "2026-03-02T00:00:00Z"}) {
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
    const json reg{{"id", "314B-EX-1"}, {"registered_on", bad}};
    EXPECT_FALSE(registration_314b(reg, day("2026-06-01"))["valid"]) << bad;
  }
  EXPECT_EQ(format_date(day("2028-02-29")), "2028-02-29");
}

TEST(Registration314b, EffectiveForOneYearFromItsDate) {
  const json reg{{"id", "314B-EX-1"}, {"registered_on", "2026-03-02"}};
  auto on = registration_314b(reg, day("2027-03-01"));
  EXPECT_TRUE(on["valid"]);
  EXPECT_EQ(on["expires_on"], "2027-03-01");
  EXPECT_EQ(on["days_left"], 0);
  auto after = registration_314b(reg, day("2027-03-02"));
  EXPECT_FALSE(after["valid"]);
  EXPECT_EQ(after["reason"], "the 314(b) registration expired on 2027-03-01");
  EXPECT_FALSE(registration_314b(reg, day("2026-03-01"))["valid"]);  // not yet in force
  EXPECT_EQ(registration_314b(json(), day("2026-03-01"))["reason"],
            "no 314(b) registration on record");
  // Registered on 29 February: the anniversary falls back to 28 February.
  EXPECT_EQ(registration_314b({{"id", "x"}, {"registered_on", "2028-02-29"}},
                              day("2028-03-01"))["expires_on"],
            "2029-02-27");
}

TEST(Grants, AGovernmentActorIsAnObserverWithNoSignalRole) {
  const json app{{"type", "government"}, {"jurisdictions", {"AU"}}, {"government_actor", true}};
  const json all_yes{{"appeals_process", true},
                     {"human_review_before_action", true},
                     {"government_request_policy", true},
                     {"staff_welfare_policy", true}};
  auto g = grants(app, all_yes, json());
  EXPECT_EQ(g["status"], "observer");
  EXPECT_TRUE(g["roles"].empty());
  EXPECT_EQ(g["withheld"].size(), 3u);
}

TEST(Grants, AGovernmentApplicantGetsNoSignalRoleWhateverItsFlagSays) {
  // The screening form (or the application) says "not a government actor"; the type wins.
  const json app{{"type", "government"}, {"jurisdictions", {"US"}}, {"government_actor", false}};
  const json all_yes{{"appeals_process", true},
                     {"human_review_before_action", true},
                     {"government_request_policy", true},
                     {"staff_welfare_policy", true},
                     {"sar_programme", true}};
  auto g = grants(app, all_yes, json{{"valid", true}});
  EXPECT_EQ(g["status"], "observer");
  EXPECT_TRUE(g["roles"].empty());
  ASSERT_EQ(g["withheld"].size(), 3u);
  EXPECT_EQ(g["withheld"][0]["reason"],
            "a government applicant never takes part in signal sharing (observer only)");
}

TEST(Grants, AConditionalAdmissionNamesEachUnmetCriterion) {
  const json app{{"type", "bank"}, {"jurisdictions", {"CA"}}, {"government_actor", false}};
  const json attest{{"appeals_process", false},  // not required of a bank
                    {"human_review_before_action", false},
                    {"government_request_policy", true},
                    {"staff_welfare_policy", false},
                    {"sar_programme", false}};
  auto g = grants(app, attest, json());
  EXPECT_EQ(g["status"], "conditional");
  std::vector<std::string> unmet;
  for (const auto& u : g["unmet"]) unmet.push_back(u["criterion"]);
  EXPECT_EQ(unmet, (std::vector<std::string>{"human_review_before_action", "staff_welfare_policy",
                                             "sar_programme"}));
  json yes = attest;
  for (auto& v : yes) v = true;
  EXPECT_TRUE(grants(app, yes, json())["unmet"].empty());
}

TEST(Grants, APlatformWithoutAppealsIsConditionalAndNeverASignalConsumer) {
  const json app{{"type", "platform"}, {"jurisdictions", {"AU"}}, {"government_actor", false}};
  const json attest{{"appeals_process", false},
                    {"human_review_before_action", true},
                    {"government_request_policy", true},
                    {"staff_welfare_policy", true}};
  auto g = grants(app, attest, json());
  EXPECT_EQ(g["status"], "conditional");
  EXPECT_EQ(g["roles"], json({"signal_contributor"}));
  ASSERT_EQ(g["withheld"].size(), 1u);
  EXPECT_EQ(g["withheld"][0]["role"], "signal_consumer");
  json yes = attest;
  yes["appeals_process"] = true;
  auto full = grants(app, yes, json());
  EXPECT_EQ(full["status"], "active");
  EXPECT_EQ(full["roles"], json({"signal_contributor", "signal_consumer"}));
}

TEST(Grants, AUSBankGetsFiSharingOnlyWithACurrentRegistration) {
  const json app{{"type", "bank"}, {"jurisdictions", {"US"}}, {"government_actor", false}};
  const json attest{{"appeals_process", true},
                    {"human_review_before_action", true},
                    {"government_request_policy", true},
                    {"staff_welfare_policy", true},
                    {"sar_programme", true}};
  auto valid = grants(app, attest, json{{"valid", true}});
  EXPECT_EQ(valid["roles"], json({"signal_contributor", "signal_consumer", "fi_sharing"}));
  auto expired = grants(app, attest, json{{"valid", false}, {"reason", "expired"}});
  EXPECT_EQ(expired["status"], "active");
  EXPECT_EQ(expired["withheld"][0], json({{"role", "fi_sharing"}, {"reason", "expired"}}));
}

TEST(AdoptionMatrix, CountsEachOutcomeInTotalBySectorAndByEveryJurisdictionServed) {
  const json members = json::parse(R"([
      {"id": "nw", "sector": "financial", "jurisdictions": ["AU"]},
      {"id": "hp", "sector": "financial", "jurisdictions": ["AU"]},
      {"id": "lu", "sector": "technology", "jurisdictions": ["US", "AU"]},
      {"id": "rb", "sector": "financial", "jurisdictions": ["US"]}])");
  const json adoptions = json::parse(R"([
      {"member": "nw", "status": "adopted", "attestation": {"published_url": "https://x"}},
      {"member": "hp", "status": "declined", "exception": "approved"},
      {"member": "lu", "overdue": {"overdue": true, "status": "not_attested"}},
      {"member": "rb", "status": "declined", "exception": "rejected"},
      {"member": "ghost", "status": "adopted_late"}])");
  const json m = adoption_matrix(adoptions, members);
  EXPECT_EQ(m["totals"],
            json::parse(R"({"compliant": 2, "overdue": 1, "declined": 1, "exception": 1})"));
  EXPECT_EQ(m["by_sector"]["financial"],
            json::parse(R"({"compliant": 1, "overdue": 0, "declined": 1, "exception": 1})"));
  EXPECT_EQ(m["by_sector"]["unknown"]["compliant"], 1);
  EXPECT_EQ(m["by_jurisdiction"]["AU"],
            json::parse(R"({"compliant": 1, "overdue": 1, "declined": 0, "exception": 1})"));
  EXPECT_EQ(m["by_jurisdiction"]["US"],
            json::parse(R"({"compliant": 0, "overdue": 1, "declined": 1, "exception": 0})"));
  EXPECT_EQ(m["members"]["overdue"], json::array({"lu"}));
  EXPECT_EQ(m["members"]["compliant"], json::array({"nw", "ghost"}));
  EXPECT_EQ(m["unknown"], json::array({"ghost"}));
  // A pending exception is a decline until it is decided.
  EXPECT_EQ(adoption_matrix(json::parse(R"([{"member": "nw", "status": "declined",
                                            "exception": "pending"}])"),
                            members)["totals"]["declined"],
            1);
  EXPECT_THROW(
      (void)adoption_matrix(json::parse(R"([{"member": "nw", "status": "maybe"}])"), members),
      std::invalid_argument);
}

class RecipientsTest : public ::testing::Test {
 protected:
  json members = json::parse(R"([
    {"id": "a", "type": "platform", "sector": "technology", "status": "active", "jurisdictions": ["US"], "roles": ["signal_consumer"]},
    {"id": "bank_ok", "type": "bank", "sector": "financial", "status": "active", "jurisdictions": ["US"], "roles": ["signal_consumer"],
     "registration_314b": {"id": "R1", "registered_on": "2026-03-02"}},
    {"id": "bank_lapsed", "type": "exchange", "sector": "financial", "status": "active", "jurisdictions": ["US"], "roles": ["signal_consumer"],
     "registration_314b": {"id": "R2", "registered_on": "2025-06-01"}},
    {"id": "gov", "type": "government", "sector": "government", "status": "observer", "jurisdictions": ["US"], "roles": [], "government_actor": true},
    {"id": "cond", "type": "platform", "sector": "technology", "status": "conditional", "jurisdictions": ["US"], "roles": ["signal_contributor"]},
    {"id": "au", "type": "platform", "sector": "technology", "status": "active", "jurisdictions": ["AU"], "roles": ["signal_consumer"]}
  ])");
  static std::map<std::string, std::string> reasons(const json& r) {
    std::map<std::string, std::string> out;
    for (const auto& e : r["excluded"]) out[e["member"]] = e["reason"];
    return out;
  }
  static std::vector<std::string> ids(const json& r) {
    std::vector<std::string> out;
    for (const auto& e : r["recipients"]) out.push_back(e["member"]);
    return out;
  }
};

TEST_F(RecipientsTest, GovernmentAndInactiveMembersNeverReceive) {
  auto r = recipients(members, "a", json{{"jurisdictions", {"US"}}}, false, day("2026-12-01"));
  EXPECT_EQ(ids(r), (std::vector<std::string>{"bank_ok", "bank_lapsed"}));
  auto why = reasons(r);
  EXPECT_EQ(why["gov"], "government actor");
  EXPECT_EQ(why["cond"], "status conditional");
  EXPECT_EQ(why["au"], "outside the jurisdictions in scope");
  EXPECT_EQ(why.count("a"), 0u);  // the originator is neither recipient nor excluded
}

TEST_F(RecipientsTest, CustomerInformationNeedsCurrent314bRegistrationsOnBothSides) {
  auto r = recipients(members, "a", json{{"sectors", {"financial"}}}, true, day("2026-12-01"));
  EXPECT_EQ(ids(r), std::vector<std::string>{"bank_ok"});
  EXPECT_EQ(reasons(r)["bank_lapsed"],
            "customer information, and the 314(b) registration expired on 2026-05-31");
  auto from_lapsed =
      recipients(members, "bank_lapsed", json{{"sectors", {"financial"}}}, true, day("2026-12-01"));
  EXPECT_TRUE(ids(from_lapsed).empty());
  EXPECT_NE(reasons(from_lapsed)["bank_ok"].find("the originator"), std::string::npos);
}

}  // namespace
}  // namespace coalition::plugins::membership
