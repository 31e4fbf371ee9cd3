// The route table: templates with decoded parameters, 405 with the methods a path answers,
// and targets split into path and decoded query.
#include "server/router.h"

#include <gtest/gtest.h>

#include "server/problem.h"
#include "server/rate_limiter.h"
#include "server/route_support.h"

namespace coalition {
namespace {

HttpResponse named(const std::string& name) {
  return json_response(name);
}

Router table() {
  Router r;
  r.add({"GET", "/v1/tasks", true, [](const RouteCall&) { return named("inbox"); }});
  r.add({"GET", "/v1/tasks/{id}", true, [](const RouteCall&) { return named("task"); }});
  r.add({"POST", "/v1/tasks/{id}/complete", true, [](const RouteCall&) { return named("done"); }});
  r.add({"POST", "/v1/executions/{id}/signals/{name}", true,
         [](const RouteCall&) { return named("signal"); }});
  return r;
}

TEST(RouterTest, MatchesTemplatesAndDecodesParameters) {
  const Router r = table();
  auto m = r.match("POST", "/v1/executions/ex-1/signals/filing%20ack");
  ASSERT_EQ(m.outcome, Router::Outcome::kMatched);
  EXPECT_EQ(m.params.at("id"), "ex-1");
  EXPECT_EQ(m.params.at("name"), "filing ack");
  EXPECT_EQ(r.match("GET", "/v1/tasks/ex-1.t1").params.at("id"), "ex-1.t1");
  EXPECT_EQ(r.match("GET", "/v1/tasks").outcome, Router::Outcome::kMatched);
}

TEST(RouterTest, TellsAWrongMethodFromAMissingRoute) {
  const Router r = table();
  auto wrong = r.match("DELETE", "/v1/tasks/x");
  EXPECT_EQ(wrong.outcome, Router::Outcome::kWrongMethod);
  EXPECT_EQ(wrong.allowed, std::vector<std::string>{"GET"});
  for (const char* path : {"/v1/tasks/", "/v1/tasks/x/y", "/v1", "", "v1/tasks", "/v1/tasks/%zz",
                           "/v1/tasks/%00", "/v1//tasks"}) {
    EXPECT_EQ(r.match("GET", path).outcome, Router::Outcome::kNoRoute) << path;
  }
}

TEST(HttpMessageTest, SplitsTargetsAndDecodesQueries) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(
      split_target("/v1/tasks?overdue=true&due_before=2026-12-01T00%3A00%3A00Z&x", path, query));
  EXPECT_EQ(path, "/v1/tasks");
  EXPECT_EQ(query["overdue"], "true");
  EXPECT_EQ(query["due_before"], "2026-12-01T00:00:00Z");
  EXPECT_EQ(query.count("x"), 1u);
  EXPECT_FALSE(split_target("/v1/tasks?a=%4", path, query));
  EXPECT_FALSE(split_target("/v1/tasks?a=%g0", path, query));
  std::string out;
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_TRUE(percent_decode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
}

TEST(ProblemTest, ErrorsMapToStatusesWithoutLeakingInternals) {
  EXPECT_EQ(http_status(Error::unauthenticated("x")), 401);
  EXPECT_EQ(http_status(Error::permission_denied("x")), 403);
  EXPECT_EQ(http_status(Error::not_found("x")), 404);
  EXPECT_EQ(http_status(Error::conflict("x")), 409);
  EXPECT_EQ(http_status(Error::invalid_data("x", "/a")), 422);
  EXPECT_EQ(http_status(Error::invalid_argument("x")), 400);
  auto media = problem_response(Error::media_refused("media refused: image/png (magic)", "/photo"));
  EXPECT_EQ(media.status, 422);
  auto doc = nlohmann::json::parse(media.body);
  EXPECT_EQ(doc["code"], "media_not_permitted");
  EXPECT_EQ(doc["type"], "urn:coalition:problem:media_not_permitted");
  EXPECT_EQ(doc["pointer"], "/photo");
  auto internal = problem_response(Error::internal("SELECT * FROM audit at /var/lib/x.db"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("SELECT"), std::string::npos);
  EXPECT_EQ(internal.body.find("/var/lib"), std::string::npos);
  auto io = problem_response(Error::io("disk full at /var/lib/coalition.db"));
  EXPECT_EQ(io.status, 503);
  EXPECT_EQ(io.body.find("/var/lib"), std::string::npos);
}

// The problem code follows what the error is, never its words: a refusal worded otherwise is
// still one, and other invalid data that happens to start with the same words is not.
TEST(ProblemTest, AMediaRefusalIsKnownByItsReasonNotItsMessage) {
  EXPECT_EQ(problem_code(Error::media_refused("the attachment is a video", "/clip")),
            "media_not_permitted");
  EXPECT_EQ(problem_code(Error::invalid_data("media refused: a note quoting the guard", "/n")),
            "invalid_data");
}

// Another engine node works on the execution: 409 with its own code, and a hint to come back.
TEST(ProblemTest, ABusyExecutionIsAConflictToTryAgainSoon) {
  auto busy = problem_response(
      Error::conflict("execution ex-1 is being worked on by engine node b; try again in a moment")
          .with_reason(ErrorReason::kExecutionBusy));
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(nlohmann::json::parse(busy.body)["code"], "execution.busy");
  EXPECT_NE(std::find(busy.headers.begin(), busy.headers.end(),
                      std::pair<std::string, std::string>{"Retry-After", "1"}),
            busy.headers.end());
  auto plain = problem_response(Error::conflict("already completed"));
  EXPECT_EQ(nlohmann::json::parse(plain.body)["code"], "conflict");
  EXPECT_TRUE(plain.headers.empty());
}

// Text that is not JSON is a bad request (400); JSON of the wrong shape is invalid data (422).
TEST(ProblemTest, ABodyThatIsNotJsonIsABadRequest) {
  HttpRequest request;
  request.headers["content-type"] = "application/json";
  request.body = "{\"a\": ";
  auto malformed = body_of(request);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(http_status(malformed.error()), 400);
  request.body = "{\"a\": 1, \"a\": 2}";
  auto duplicate = body_of(request);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(http_status(duplicate.error()), 422) << duplicate.error().message();
}

TEST(RateLimiterTest, AllowsTheBurstThenTheRate) {
  RateLimiter limiter(2.0, 3.0);
  const auto t0 = RateLimiter::Clock::time_point(std::chrono::seconds(1000));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("a", t0), 0) << i;
  EXPECT_GE(limiter.take("a", t0), 1);
  EXPECT_EQ(limiter.take("b", t0), 0);                                   // keys are separate
  EXPECT_EQ(limiter.take("a", t0 + std::chrono::milliseconds(500)), 0);  // 2/s refilled one
  EXPECT_GE(limiter.take("a", t0 + std::chrono::milliseconds(500)), 1);
}

}  // namespace
}  // namespace coalition
