// The events written straight to text hold exactly what their documents dumped, so their stored
// text, their digests and everything that reads them are what they were.
#include "history/event_payload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "history/event.h"

namespace coalition {
namespace {

using nlohmann::json;

// Names and outputs with every kind of character a step id, a workflow key or a plugin's output
// may hold.
const std::vector<std::string> kTexts = {
    "",         "review",     "each[2]/notify \"quoted\"", "tab\there", "caf\xc3\xa9 \xe2\x82\xac",
    "\x01\x1f", "back\\slash"};

TEST(EventPayload, ExecutionStartedIsItsDocumentDumped) {
  const json input = {{"case", "FC-EX-1"}, {"amount", 12.5}, {"tags", {"a", "b"}}, {"n", nullptr}};
  for (const auto& workflow : kTexts) {
    EXPECT_EQ(execution_started_payload(workflow, input),
              (json{{"workflow", workflow}, {"input", input}}).dump());
  }
  EXPECT_EQ(execution_started_payload("w@1", json::object()), R"({"input":{},"workflow":"w@1"})");
}

TEST(EventPayload, StepScheduledIsItsDocumentDumped) {
  for (const auto& kind : kTexts) {
    EXPECT_EQ(step_scheduled_payload(kind), (json{{"kind", kind}}).dump());
  }
}

TEST(EventPayload, AttemptStartedIsItsDocumentDumped) {
  const json plugin = {{"id", "noop"}, {"version", "1.0.0"}, {"sha256", std::string(64, 'a')}};
  for (const auto& key : kTexts) {
    for (uint32_t attempt : {1u, 2u, 4294967295u}) {
      EXPECT_EQ(attempt_started_payload(attempt, key, plugin.dump()),
                (json{{"attempt", attempt}, {"idempotency_key", key}, {"plugin", plugin}}).dump());
    }
  }
}

TEST(EventPayload, OutputIsItsDocumentDumped) {
  for (const json& output :
       {json::object(), json(nullptr), json("text"), json(3), json(-2.25), json::array({1, "x"}),
        json{{"decision", "approve"}, {"votes", {{{"actor", "a"}, {"at", "2026-12-06"}}}}}}) {
    EXPECT_EQ(output_payload(output), (json{{"output", output}}).dump());
  }
  for (const auto& text : kTexts) {
    EXPECT_EQ(output_payload(json{{"note", text}}), (json{{"output", {{"note", text}}}}).dump());
  }
}

// What a store row holds is read back as a document; a damaged one reads as no data at all,
// never as an exception or a value of another kind.
TEST(EventData, ParsesThePayloadAndReadsDamageAsNoData) {
  Event e;
  e.payload = attempt_started_payload(2, "ex-1/review", R"({"id":"noop"})");
  EXPECT_EQ(
      e.data(),
      (json{{"attempt", 2}, {"idempotency_key", "ex-1/review"}, {"plugin", {{"id", "noop"}}}}));
  EXPECT_EQ(e.to_json()["data"]["attempt"], 2);
  for (const char* damaged : {"", "{\"cut\":", "[1,2]", "\"text\"", "null", "{}"}) {
    e.payload = damaged;
    EXPECT_EQ(e.data(), json::object()) << damaged;
    EXPECT_FALSE(e.to_json().contains("data")) << damaged;
  }
}

}  // namespace
}  // namespace coalition
