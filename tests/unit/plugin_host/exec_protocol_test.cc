#include "plugin_host/exec_protocol.h"

#include <coalition/plugin_abi.h>
#include <gtest/gtest.h>

#include "plugin_host/plugin_answer.h"

namespace coalition::exec_protocol_test {
namespace {

using nlohmann::json;

json description() {
  return json{{"id", "merchant_screen"},
              {"version", "1.0.0"},
              {"publisher", "Tailspin Payments (fictional)"},
              {"description", "Screens merchants."},
              {"partner_type", "financial"},
              {"step_types",
               {{{"name", "merchant_screen.assess"},
                 {"description", "Assesses a merchant."},
                 {"capabilities", {"idempotent", "may_suspend"}},
                 {"parameters_schema", {{"type", "object"}}},
                 {"output_schema", {{"type", "object"}}}}}}};
}

TEST(ExecProtocol, RequestsAreOneLineEachWithTheEnginesDocumentsInside) {
  const std::string describe = exec_describe_request("merchant_screen", "{\n  \"a\": 1\n}");
  ASSERT_EQ(describe.back(), '\n');
  EXPECT_EQ(describe.find('\n'), describe.size() - 1);
  EXPECT_EQ(json::parse(describe), (json{{"call", "describe"},
                                         {"protocol", 1},
                                         {"plugin_id", "merchant_screen"},
                                         {"config", {{"a", 1}}}}));
  const std::string execute = exec_call_request(7, false, "merchant_screen.assess",
                                                R"({"text":"two\nlines"})", R"({"attempt":1})");
  EXPECT_EQ(execute.find('\n'), execute.size() - 1);
  EXPECT_EQ(json::parse(execute), (json{{"call", "execute"},
                                        {"id", 7},
                                        {"step_type", "merchant_screen.assess"},
                                        {"input", {{"text", "two\nlines"}}},
                                        {"context", {{"attempt", 1}}}}));
  const json resume = json::parse(exec_call_request(8, true, "x.y", "{}", "{}"));
  EXPECT_EQ(resume["call"], "resume");
  EXPECT_TRUE(resume.contains("completion"));
  EXPECT_FALSE(resume.contains("input"));
}

TEST(ExecProtocol, TheDescriptionBecomesTheHostsDescribeDocument) {
  auto doc = exec_description(description().dump(), "/p/merchant_screen.py", "merchant_screen");
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  EXPECT_EQ(doc->step_types, std::vector<std::string>{"merchant_screen.assess"});
  const json d = json::parse(doc->document);
  EXPECT_EQ(d["kind"], "exec");
  EXPECT_EQ(d["plugin"]["partner_type"], COALITION_PARTNER_FINANCIAL);
  EXPECT_EQ(d["plugin"]["abi_major"], 0);
  const json& type = d["step_types"][0];
  EXPECT_EQ(type["capabilities"], COALITION_CAP_IDEMPOTENT | COALITION_CAP_MAY_SUSPEND);
  EXPECT_EQ(json::parse(type["parameters_schema"].get<std::string>()), (json{{"type", "object"}}));
  EXPECT_TRUE(type["input_schema"].is_null());
}

TEST(ExecProtocol, AWrongDescriptionIsRefusedNamingTheProgramAndThePointer) {
  json wrong = description();
  wrong["step_types"][0]["capabilities"] = {"fast"};
  auto refused = exec_description(wrong.dump(), "/p/merchant_screen.py", "merchant_screen");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(),
            "/p/merchant_screen.py: its answer to describe: /step_types/0/capabilities/0: "
            "expected \"idempotent\", \"thread_safe\", \"may_suspend\" or \"non_blocking\"");
  auto other = exec_description(description().dump(), "/p/screen.py", "screen");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("declares plugin id 'merchant_screen'; its file name "
                                         "says 'screen'"),
            std::string::npos);
  EXPECT_FALSE(exec_description("ready", "/p/merchant_screen.py", "merchant_screen"));
}

TEST(ExecProtocol, AnswersCarryTheirDocumentsToTheEnginesOwnDecoding) {
  auto line = read_exec_line(R"({"id":3,"status":"ok","output":{"risk":"high"}})");
  auto* answer = std::get_if<ExecAnswer>(&line);
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(answer->id, 3u);
  EXPECT_EQ(answer->answer.status, COALITION_STATUS_OK);
  EXPECT_EQ(json::parse(*answer->answer.output_json), (json{{"risk", "high"}}));
  EXPECT_EQ(decode_plugin_answer(answer->answer, "who").output["risk"], "high");

  for (const auto& [word, status] : std::vector<std::pair<std::string, StepStatus>>{
           {"retryable_error", StepStatus::kRetryableError},
           {"permanent_error", StepStatus::kPermanentError},
           {"invalid_parameters", StepStatus::kInvalidParameters}}) {
    auto error =
        read_exec_line(json{{"id", 4},
                            {"status", word},
                            {"error", {{"code", "x.bad"}, {"message", "bad"}, {"pointer", "/a"}}}}
                           .dump());
    const auto outcome = decode_plugin_answer(std::get<ExecAnswer>(error).answer, "who");
    EXPECT_EQ(outcome.status, status) << word;
    EXPECT_EQ(outcome.error.code, "x.bad");
  }
  auto suspend = read_exec_line(R"({"id":5,"status":"suspend","output":{"title":"t"}})");
  EXPECT_EQ(decode_plugin_answer(std::get<ExecAnswer>(suspend).answer, "who").status,
            StepStatus::kSuspend);
  // An answer without an output is a library's OK without one: a contract breach.
  auto empty = read_exec_line(R"({"id":6,"status":"ok"})");
  EXPECT_EQ(decode_plugin_answer(std::get<ExecAnswer>(empty).answer, "who").error.code,
            "plugin.null_output");
}

TEST(ExecProtocol, AMisshapenAnswerFailsItsCallAndABrokenLineStopsTheProgram) {
  auto unknown = read_exec_line(R"({"id":1,"status":"done","output":{}})");
  const auto outcome = decode_plugin_answer(std::get<ExecAnswer>(unknown).answer, "who");
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.exec_protocol");
  EXPECT_NE(outcome.error.message.find("\"status\""), std::string::npos);

  EXPECT_TRUE(std::holds_alternative<ExecBroken>(read_exec_line("Traceback (most recent call")));
  EXPECT_TRUE(std::holds_alternative<ExecBroken>(read_exec_line("[1,2]")));
  EXPECT_TRUE(std::holds_alternative<ExecBroken>(read_exec_line(R"({"status":"ok"})")))
      << "an answer must say which call it answers";
  EXPECT_TRUE(std::holds_alternative<ExecBroken>(read_exec_line(R"({"id":-1,"status":"ok"})")));
}

TEST(ExecProtocol, LogLinesHaveALevelAndAMessage) {
  auto line = read_exec_line(R"({"log":{"level":"warn","message":"slow partner API"}})");
  auto* log = std::get_if<ExecLog>(&line);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->level, COALITION_LOG_WARN);
  EXPECT_EQ(log->message, "slow partner API");
  auto plain = read_exec_line(R"({"log":"plain words"})");
  EXPECT_EQ(std::get<ExecLog>(plain).message, "plain words");
  EXPECT_EQ(std::get<ExecLog>(plain).level, COALITION_LOG_INFO);
}

}  // namespace
}  // namespace coalition::exec_protocol_test
