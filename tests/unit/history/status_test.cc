// Execution and task statuses: each has one word, the word reads back as the status, and a word
// that is none of them is refused, in text and in JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "history/execution_status.h"
#include "history/task_status.h"

namespace coalition::status_test {
namespace {

using nlohmann::json;

TEST(ExecutionStatus, EachStatusHasItsOwnWordAndReadsBack) {
  std::set<std::string> words;
  for (const auto status : kAllExecutionStatuses) {
    const std::string word(to_string(status));
    EXPECT_TRUE(words.insert(word).second) << word;
    EXPECT_EQ(parse_execution_status(word), status);
    EXPECT_EQ(json(status), word);
    EXPECT_EQ(json(word).get<ExecutionStatus>(), status);
    std::ostringstream out;
    out << status;
    EXPECT_EQ(out.str(), word);
  }
  EXPECT_EQ(words,
            (std::set<std::string>{"running", "waiting", "succeeded", "failed", "cancelled"}));
}

TEST(ExecutionStatus, OnlySucceededFailedAndCancelledAreFinished) {
  EXPECT_FALSE(is_finished(ExecutionStatus::kRunning));
  EXPECT_FALSE(is_finished(ExecutionStatus::kWaiting));
  EXPECT_TRUE(is_finished(ExecutionStatus::kSucceeded));
  EXPECT_TRUE(is_finished(ExecutionStatus::kFailed));
  EXPECT_TRUE(is_finished(ExecutionStatus::kCancelled));
}

TEST(ExecutionStatus, AnUnknownWordIsRefusedNotGuessed) {
  for (const char* word : {"", "Running", "done", "running ", "completed"}) {
    EXPECT_FALSE(parse_execution_status(word)) << word;
    EXPECT_THROW(json(word).get<ExecutionStatus>(), json::type_error) << word;
  }
  EXPECT_THROW(json(1).get<ExecutionStatus>(), json::type_error) << "not its number either";
  try {
    (void)json("done").get<ExecutionStatus>();
  } catch (const json::type_error& e) {
    EXPECT_NE(std::string(e.what()).find("running, waiting, succeeded, failed or cancelled"),
              std::string::npos)
        << e.what();
  }
}

TEST(TaskStatus, EachStatusHasItsOwnWordAndReadsBack) {
  std::set<std::string> words;
  for (const auto status : kAllTaskStatuses) {
    const std::string word(to_string(status));
    EXPECT_TRUE(words.insert(word).second) << word;
    EXPECT_EQ(parse_task_status(word), status);
    EXPECT_EQ(json(status), word);
    EXPECT_EQ(json(word).get<TaskStatus>(), status);
  }
  EXPECT_EQ(words, (std::set<std::string>{"open", "completed", "failed", "expired", "cancelled"}));
}

TEST(TaskStatus, AnUnknownWordIsRefusedNotGuessed) {
  for (const char* word : {"", "closed", "Open", "succeeded"}) {
    EXPECT_FALSE(parse_task_status(word)) << word;
    EXPECT_THROW(json(word).get<TaskStatus>(), json::type_error) << word;
  }
}

}  // namespace
}  // namespace coalition::status_test
