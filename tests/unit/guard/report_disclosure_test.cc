// What says a suspicious-activity report exists, in the fields a schema declares outbound.
#include "guard/report_disclosure.h"

#include <gtest/gtest.h>

#include <string>

namespace coalition::report_disclosure_test {
namespace {

using nlohmann::json;

std::string fact_in(std::string_view text) {
  const auto fact = find_report_fact(text);
  return fact ? std::string(to_string(*fact)) : "none";
}

TEST(ReportDisclosure, FindsAReportsStatusInFreeText) {
  EXPECT_EQ(fact_in("SAR filed on this account last week"), "report status");
  EXPECT_EQ(fact_in("we have a sar pending"), "report status");
  EXPECT_EQ(fact_in("two SARs so far"), "report status");
  EXPECT_EQ(fact_in("S.A.R. submitted"), "report status");
  EXPECT_EQ(fact_in("an S A R is in progress"), "report status");
  EXPECT_EQ(fact_in("STR lodged"), "report status");
  EXPECT_EQ(fact_in("SMR sent yesterday"), "report status");
  EXPECT_EQ(fact_in("a Suspicious Activity Report covers this merchant"), "report status");
  EXPECT_EQ(fact_in("suspicious transaction reporting is under way"), "report status");
  EXPECT_EQ(fact_in("a continuing-activity report is due"), "report status");
  EXPECT_EQ(fact_in("already reported to FinCEN"), "report status");
  EXPECT_EQ(fact_in("FINTRAC: submitted"), "report status");
  EXPECT_EQ(fact_in("the file went to AUSTRAC"), "report status");
  EXPECT_EQ(fact_in("sar_status"), "report status");
}

TEST(ReportDisclosure, FindsBsaIdentifiers) {
  EXPECT_EQ(fact_in("BSA ID 31000012345678"), "BSA identifier");
  EXPECT_EQ(fact_in("bsa identifier: see the portal"), "BSA identifier");
  EXPECT_EQ(fact_in("BSA #31000012345678"), "BSA identifier");
  EXPECT_EQ(fact_in("bsa_id"), "BSA identifier");
  EXPECT_EQ(fact_in("BSAID=31000012345678"), "BSA identifier");
}

TEST(ReportDisclosure, FindsAFilingDateInEveryCommonFormat) {
  EXPECT_EQ(fact_in("filed 2026-12-30"), "filing date");
  EXPECT_EQ(fact_in("filed_at : 2026-12-30T08:00:00Z"), "filing date");
  EXPECT_EQ(fact_in("it was lodged on 30/12/2026"), "filing date");
  EXPECT_EQ(fact_in("filing: 12-30-26"), "filing date");
  EXPECT_EQ(fact_in("filed 30.12.2026"), "filing date");
  EXPECT_EQ(fact_in("we filed on the 30th December 2026"), "filing date");
  EXPECT_EQ(fact_in("Dec 30, 2026 filing"), "filing date");
  EXPECT_EQ(fact_in("lodgement September 3 2026"), "filing date");
  // The graver fact wins when both are there.
  EXPECT_EQ(fact_in("filed 2026-12-30 (SAR)"), "report status");
}

TEST(ReportDisclosure, SeesThroughCaseJoinsInvisibleAndFullWidthCharacters) {
  EXPECT_EQ(fact_in("sarStatus"), "report status");
  EXPECT_EQ(fact_in("SARStatus"), "report status");
  EXPECT_EQ(fact_in("ref SAR2026-001"), "report status");
  EXPECT_EQ(fact_in("bsaId"), "BSA identifier");
  EXPECT_EQ(fact_in("bsa31000012345678"), "BSA identifier");
  EXPECT_EQ(fact_in("filedAt : 2026-12-30"), "filing date");
  EXPECT_EQ(fact_in("S\xE2\x80\x8B"
                    "AR pending"),
            "report status");  // zero-width space
  EXPECT_EQ(fact_in("S\xC2\xAD"
                    "AR pending"),
            "report status");                                                   // soft hyphen
  EXPECT_EQ(fact_in("\xEF\xBC\xB3\xEF\xBC\xA1\xEF\xBC\xB2"), "report status");  // full-width
  EXPECT_EQ(fact_in("S. A. R. pending"), "report status");
  EXPECT_EQ(fact_in("S-A-R pending"), "report status");
  EXPECT_EQ(fact_in("s.a.r. pending"), "report status");
  EXPECT_EQ(fact_in("s_a_r"), "report status");
}

TEST(ReportDisclosure, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(fact_in("account closed after review; indicators attached"), "none");
  EXPECT_EQ(fact_in("12 Main Str., Springfield"), "none");  // a street, not an STR
  EXPECT_EQ(fact_in("observed 2026-12-30 on the merchant's site"), "none");
  EXPECT_EQ(fact_in("see FinCEN notice FIN-2021-NTC3 for typologies"), "none");
  EXPECT_EQ(fact_in("BSA officer review complete"), "none");
  EXPECT_EQ(fact_in("Sarah Okafor, Sarajevo, disarmed"), "none");  // words containing "sar"
  EXPECT_EQ(fact_in("due 2026-12-30"), "none");
  EXPECT_EQ(fact_in("filed under merchants; next review March 2027"), "none");
  EXPECT_EQ(fact_in("case AML-2026-0417, version 2.1.3"), "none");
  EXPECT_EQ(fact_in("a merchant in the Hong Kong SAR"), "none");
  EXPECT_EQ(fact_in("Macao SAR office"), "none");
  EXPECT_EQ(fact_in("our 314(b) notice was submitted to FinCEN"), "none");
  EXPECT_EQ(fact_in("release 5.3.12 filed under tools"), "none");  // a version, not a date
  EXPECT_EQ(fact_in("a Bsa Id-less note: the USA is large"), "BSA identifier")
      << "the words still say it";
  EXPECT_EQ(fact_in("iPhone case, McDonald street, B2B"), "none");
  EXPECT_EQ(fact_in(""), "none");
}

TEST(ReportDisclosure, ReadsOnlyTheFieldsTheSchemaDeclaresOutbound) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "note": {"type": "string", "x-coalition-outbound": true},
      "internal": {"type": "string"},
      "signal": {"type": "object", "x-coalition-outbound": true}
    }
  })");
  const SchemaFields outbound = outbound_fields(schema);
  EXPECT_FALSE(find_report_disclosure({{"internal", "SAR filed 2026-12-30"}}, outbound));
  auto found = find_report_disclosure({{"note", "a SAR is pending"}}, outbound);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pointer, "/note");
  EXPECT_EQ(found->fact, ReportFact::kStatus);
  // Inside a declared object: values read with their key, keys of any value, in order.
  found = find_report_disclosure(
      {{"signal", {{"items", {"ok", {{"filed_at", "2026-12-30"}}}}, {"z", "BSA ID 3100001234"}}}},
      outbound);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pointer, "/signal/items/1/filed_at");
  EXPECT_EQ(found->fact, ReportFact::kFilingDate);
  found = find_report_disclosure({{"signal", {{"bsa", 31000012345678}}}}, outbound);
  ASSERT_TRUE(found) << "a number is read with its key";
  EXPECT_EQ(found->fact, ReportFact::kBsaIdentifier);
  found = find_report_disclosure({{"signal", {{"a/sar", 3}}}}, outbound);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pointer, "/signal/a~1sar");
  found = find_report_disclosure({{"signal", {{"sar_case", {{"x", 1}}}}}}, outbound);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pointer, "/signal/sar_case");
  // Nothing declared: nothing is read.
  EXPECT_FALSE(find_report_disclosure({{"note", "SAR"}}, outbound_fields(json::object())));
  // The refusal names the fact, never the text.
  const std::string message = describe({"/note", ReportFact::kBsaIdentifier});
  EXPECT_NE(message.find("BSA identifier"), std::string::npos);
}

TEST(ReportDisclosure, FollowsReferencesWithinTheSchemaAndReadsAllWhenItCannot) {
  const json within = json::parse(R"({
    "definitions": {"text": {"type": "string", "x-coalition-outbound": true}},
    "properties": {"note": {"$ref": "#/definitions/text"}, "memo": {"type": "string"},
                   "list": {"type": "array", "contains": {"x-coalition-outbound": true}}}
  })");
  const SchemaFields fields = outbound_fields(within);
  EXPECT_TRUE(fields.covers("/note"));
  EXPECT_TRUE(fields.covers("/list/3"));
  EXPECT_FALSE(fields.covers("/memo"));
  // A declaration that cannot be read may exist: everything is outbound.
  const json elsewhere =
      json::parse(R"({"properties": {"note": {"$ref": "https://schemas.example.org/text.json"}}})");
  EXPECT_TRUE(outbound_fields(elsewhere).covers("/memo"));
  EXPECT_TRUE(find_report_disclosure({{"memo", "SAR"}}, outbound_fields(elsewhere)));
  json huge = {{"type", "string"}};
  for (int i = 0; i < 20000; ++i) huge = {{"properties", {{"a", std::move(huge)}}}};
  EXPECT_TRUE(outbound_fields(huge).covers("")) << "a walk cut short reads everything";
  EXPECT_TRUE(outbound_fields(json::parse(R"({"$ref": "#/nowhere"})")).covers("/x"));
}

TEST(ReportDisclosure, LongAndDeepDocumentsAreReadWithoutRecursion) {
  std::string text(4 << 20, 'a');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = ' ';
  EXPECT_EQ(fact_in(text), "none");
  text += " SAR";
  EXPECT_EQ(fact_in(text), "report status");
  json deep = "filed 2026-12-30";
  for (int i = 0; i < 100000; ++i) deep = json::array({std::move(deep)});
  const json schema = json::parse(R"({"x-coalition-outbound": true})");
  const auto found = find_report_disclosure(deep, outbound_fields(schema));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->fact, ReportFact::kFilingDate);
  EXPECT_EQ(found->pointer.size(), 200000u);  // "/0" a hundred thousand times
}

}  // namespace
}  // namespace coalition::report_disclosure_test
