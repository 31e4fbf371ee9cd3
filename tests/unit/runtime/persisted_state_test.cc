// The stored form of an execution's state: what the writer writes the reader reads back
// unchanged, a version-1 document reads into the same structs, and anything this engine would
// not have written is refused naming where (a JSON Pointer) and what.
#include "runtime/persisted_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

#include "common/msgpack_writer.h"
#include "common/utc_time.h"

namespace coalition {
namespace {

using nlohmann::json;

TimePoint at(const char* text) {
  return *parse_utc(text);
}

std::string msgpack_of(const json& doc) {
  std::string out;
  json::to_msgpack(doc, out);
  return out;
}

// A running execution with one of everything: a map waiting on two iterations, a deadline with
// its basis, a suspended task attempt with an answer being handed over, a timer of every kind.
PersistedState running_state() {
  PersistedState s;
  s.workflow = "policy_rollout@3";
  s.initiator = "coord.ines";
  s.status = ExecutionStatus::kRunning;
  s.started_at = at("2026-12-01T09:00:00Z");
  s.seq = 41;
  s.next_frame = 4;
  s.next_timer = 9;
  s.next_task = 3;
  s.map_items = 5;
  s.next_layer = 7;
  s.frames.push_back({.id = 0,
                      .workflow = "policy_rollout@3",
                      .parent = -1,
                      .slot = 0,
                      .path = "",
                      .current = "notify",
                      .visits = {{"notify", 1}, {"draft", 2}},
                      .entered_at = at("2026-12-01T09:00:05Z"),
                      .own = {{"input", {{"policy", "tos-2027"}}}},
                      .frozen = 5,
                      .inherited = std::nullopt,
                      .due = std::nullopt,
                      .cap = std::nullopt,
                      .level = 0,
                      .basis = {},
                      .cap_basis = {},
                      .crashes = 0});
  s.frames.push_back({.id = 3,
                      .workflow = "policy_rollout@3",
                      .parent = 0,
                      .slot = 2,
                      .path = "notify[2]/",
                      .current = "acknowledge",
                      .visits = {{"acknowledge", 1}},
                      .entered_at = at("2026-12-01T09:01:00Z"),
                      .own = {{"item", "member-c"}, {"index", 2}},
                      .frozen = 6,
                      .inherited = 5,
                      .due = at("2026-12-04T17:00:00Z"),
                      .cap = at("2026-12-11T17:00:00Z"),
                      .level = 1,
                      .basis = {"P3D business days", "au-national"},
                      .cap_basis = {"P8D", ""},
                      .crashes = 2});
  s.joins.push_back(
      {.frame = 0,
       .items_from = 5,
       .runs = {{SlotState::kSucceeded, 2}, {SlotState::kRunning, 1}, {SlotState::kNotStarted, 4}},
       .running = {{2, 3}},
       .succeeded = 2,
       .failed = 0,
       .running_count = 1,
       .next_slot = 3,
       .inline_outputs = std::nullopt});
  s.attempts.push_back({.frame = 3,
                        .number = 2,
                        .suspended = true,
                        .signal = "",
                        .resume_input = json{{"answer", "agreed"}},
                        .plugin_version = "1.4.0",
                        .key = "",
                        .task = PersistedTask{.id = "t-2",
                                              .spec = {{"title", "Acknowledge the policy"}},
                                              .roles = {"member_compliance"},
                                              .organisation = "member-c",
                                              .completions = json::array(),
                                              .assignee = "staff.omar",
                                              .created_at = at("2026-12-01T09:01:00Z")}});
  s.waiting = {1};
  const TimePoint due = at("2026-12-02T09:00:00Z");
  s.timers = {{1, {.due = due, .kind = TimerKind::kWorkflowTimeout, .frame = 0}},
              {2, {.due = due, .kind = TimerKind::kAttemptTimeout, .frame = 3, .attempt = 2}},
              {3, {.due = due, .kind = TimerKind::kRetry, .frame = 1, .attempt = 3}},
              {4, {.due = due, .kind = TimerKind::kWait, .frame = 1}},
              {5, {.due = due, .kind = TimerKind::kDeadline, .frame = 3, .level = 1}},
              {6, {.due = due, .kind = TimerKind::kReminder, .frame = 3, .reminder = 2}}};
  s.actors = {{"draft", {"coord.ines", "legal.ravi"}}};
  return s;
}

TEST(PersistedStateTest, WhatIsWrittenIsReadBackUnchanged) {
  const PersistedState s = running_state();
  const json doc = to_json(s);
  EXPECT_EQ(doc["v"], kPersistedStateVersion);
  auto read = read_persisted_state(doc);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(*read, s);
  // Through text, as the store keeps it: numbers come back unsigned, and still fit.
  auto reparsed = read_persisted_state(json::parse(doc.dump()));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().to_string();
  EXPECT_EQ(*reparsed, s);
}

// A signal's data may be JSON null: an answer being handed over that is null is still one, and
// must come back as one (else the attempt would wait for nothing, for ever).
TEST(PersistedStateTest, AResumeInputThatIsNullIsKept) {
  PersistedState s = running_state();
  s.attempts[0].resume_input = json(nullptr);
  s.attempts[0].task->spec = nullptr;
  auto read = read_persisted_state(json::parse(to_json(s).dump()));
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  ASSERT_TRUE(read->attempts[0].resume_input.has_value());
  EXPECT_TRUE(read->attempts[0].resume_input->is_null());
  EXPECT_EQ(*read, s);
}

TEST(PersistedStateTest, AnEndedExecutionKeepsItsCountersOnly) {
  PersistedState s = running_state();
  s.status = ExecutionStatus::kFailed;
  const json doc = to_json(s);
  EXPECT_FALSE(doc.contains("frames"));
  EXPECT_FALSE(doc.contains("timers"));
  auto read = read_persisted_state(doc);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->seq, 41u);
  EXPECT_EQ(read->next_frame, 4);
  EXPECT_EQ(read->next_task, 3u);
  EXPECT_TRUE(read->frames.empty());
  EXPECT_TRUE(read->attempts.empty());
  EXPECT_TRUE(read->timers.empty());
  // Written before retries existed: no counters at all, and nothing reads them.
  json old = doc;
  old.erase("seq");
  old.erase("next");
  EXPECT_TRUE(read_persisted_state(old).ok());
}

// The stored bytes are written straight from the structs (encode_persisted_state): they must be
// the very bytes of the document's MessagePack, for every member present or left out, every
// size class of number, text, array and map, and an ended execution's short form.
TEST(PersistedStateTest, TheStoredBytesAreTheDocumentsMessagePackWrittenDirectly) {
  const auto msgpack = [](const PersistedState& s) {
    std::string out;
    json::to_msgpack(to_json(s), out);
    return out;
  };
  const auto same = [&](const PersistedState& s) {
    EXPECT_EQ(encode_persisted_state(s), msgpack(s));
    const json back = json::from_msgpack(encode_persisted_state(s));
    auto read = read_persisted_state(back);
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_EQ(*read, s);
    // Read straight from the bytes, as a restore reads them.
    auto decoded = decode_persisted_state(encode_persisted_state(s));
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, s);
  };
  {
    SCOPED_TRACE("one of everything");
    same(running_state());
  }
  {
    SCOPED_TRACE("ended");
    PersistedState s = running_state();
    s.status = ExecutionStatus::kSucceeded;
    const std::string bytes = encode_persisted_state(s);
    EXPECT_EQ(bytes, msgpack(s));
  }
  {
    SCOPED_TRACE("nothing optional");
    PersistedState s;
    s.workflow = "w@1";
    s.frames.push_back(PersistedFrame{});
    s.joins.push_back(PersistedJoin{});
    s.attempts.push_back(PersistedAttempt{});
    same(s);
  }
  {
    SCOPED_TRACE("every size class");
    PersistedState s = running_state();
    s.initiator = std::string(40, 'i');          // text of 8-bit length
    s.workflow = std::string(300, 'w');          // of 16-bit length
    s.frames[0].path = std::string(70000, 'p');  // of 32-bit length
    s.seq = 200;                                 // 8-bit
    s.next_timer = 60000;                        // 16-bit
    s.next_task = 4000000000;                    // 32-bit
    s.map_items = std::numeric_limits<uint64_t>::max();
    s.next_frame = -100;  // negative, 8-bit
    s.frames[1].parent = -1000;
    s.frames[1].id = -100000;
    s.joins[0].frame = std::numeric_limits<int64_t>::min();
    s.frames[0].entered_at = TimePoint(std::chrono::milliseconds(-5));  // before the epoch
    for (int i = 0; i < 20; ++i) s.frames[0].visits["step" + std::to_string(i)] = 1;  // map 16
    for (int64_t i = 0; i < 20; ++i) s.waiting.insert(i);                             // array 16
    s.joins[0].inline_outputs = std::vector<json>{json(nullptr), json{{"x", 1}}};
    s.attempts[0].key = "ex-1/review/2";
    s.attempts[0].signal = "approved";
    s.attempts[0].task->assignee.clear();
    s.attempts[0].resume_input = json(nullptr);
    same(s);
  }
}

// A retry goes back to the state before a failure and numbers on after everything since.
TEST(PersistedStateTest, NumberingOnTakesTheGreaterOfEachCounter) {
  PersistedState kept = running_state();
  PersistedState failed = running_state();
  failed.seq = 57;
  failed.next_frame = 2;  // cannot happen, but each counter is taken on its own
  failed.next_timer = 12;
  failed.next_task = 3;
  kept.number_on_after(failed);
  EXPECT_EQ(kept.seq, 57u);
  EXPECT_EQ(kept.next_frame, 4);
  EXPECT_EQ(kept.next_timer, 12u);
  EXPECT_EQ(kept.next_task, 3u);
}

// Version 1: each frame held its whole context; a join its outputs, and a state and a child
// per slot.
TEST(PersistedStateTest, AVersionOneStateReadsIntoTheSameStructs) {
  const json v1{{"v", 1},
                {"workflow", "legacy@1"},
                {"initiator", "lead.lee"},
                {"status", "running"},
                {"started_at", 1796115600000},
                {"seq", 4},
                {"next", {3, 1, 1}},
                {"map_items", 3},
                {"frames",
                 {{{"id", 0},
                   {"wf", "legacy@1"},
                   {"parent", -1},
                   {"slot", 0},
                   {"path", ""},
                   {"current", "each"},
                   {"visits", {{"each", 1}}},
                   {"entered_at", 1796115600000},
                   {"context", {{"input", {{"members", {"a", "b", "c"}}}}}}}}},
                {"joins",
                 {{{"frame", 0},
                   {"outputs", {{{"ack", 1}}, nullptr, nullptr}},
                   {"state", {2, 1, 0}},
                   {"children", {1, 2, -1}},
                   {"counts", {1, 0, 1, 2}}}}},
                {"attempts", json::array()},
                {"waiting", json::array()},
                {"timers", json::array()}};
  auto read = read_persisted_state(v1);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  auto decoded = decode_persisted_state(msgpack_of(v1));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, *read);
  EXPECT_EQ(read->version, 1);
  ASSERT_EQ(read->frames.size(), 1u);
  EXPECT_EQ(read->frames[0].own, v1["frames"][0]["context"]);
  EXPECT_FALSE(read->frames[0].frozen);
  ASSERT_EQ(read->joins.size(), 1u);
  const PersistedJoin& j = read->joins[0];
  const std::vector<std::pair<SlotState, uint64_t>> runs = {
      {SlotState::kSucceeded, 1}, {SlotState::kRunning, 1}, {SlotState::kNotStarted, 1}};
  EXPECT_EQ(j.runs, runs);
  EXPECT_EQ(j.running, (std::vector<std::pair<uint64_t, int64_t>>{{1, 2}}));
  ASSERT_TRUE(j.inline_outputs);
  EXPECT_EQ(j.inline_outputs->at(0), (json{{"ack", 1}}));
  EXPECT_EQ(j.next_slot, 2u);
  // Written again (as version 2, outputs still inline until the execution rebuilds) it reads
  // back the same.
  PersistedState again = *read;
  auto reread = read_persisted_state(to_json(again));
  ASSERT_TRUE(reread.ok()) << reread.error().to_string();
  again.version = kPersistedStateVersion;
  EXPECT_EQ(*reread, again);
}

struct Corruption {
  const char* name;
  std::function<void(json&)> change;
  const char* pointer;
  const char* words;
};

TEST(PersistedStateTest, WhatThisEngineNeverWritesIsRefusedWhereItIs) {
  const std::vector<Corruption> cases = {
      {"a newer version", [](json& d) { d["v"] = 3; }, "/v",
       "its snapshot is version 3, and this engine reads versions 1 to 2"},
      {"no version", [](json& d) { d.erase("v"); }, "/v", "it names no snapshot version"},
      {"a status never written", [](json& d) { d["status"] = "paused"; }, "/status",
       "an execution status this engine never writes"},
      {"a negative count", [](json& d) { d["seq"] = -1; }, "/seq",
       "expected a whole number of at least 0, found a whole number"},
      {"a counter too few",
       [](json& d) {
         d["next"] = {1, 2};
       },
       "/next", "expected an array of 3 items, found 2"},
      {"a member missing", [](json& d) { d["frames"][1].erase("wf"); }, "/frames/1/wf",
       "a required member is missing"},
      {"a visit count that is text", [](json& d) { d["frames"][0]["visits"]["a/b"] = "x"; },
       "/frames/0/visits/a~1b", "expected a whole number of at least 0, found a string"},
      {"an attempt number past 32 bits",
       [](json& d) { d["attempts"][0]["number"] = uint64_t{1} << 32; }, "/attempts/0/number",
       "a number too large for this field"},
      {"a slot state never written", [](json& d) { d["joins"][0]["runs"][1][0] = 7; },
       "/joins/0/runs/1/0", "a join slot state other than 0-3"},
      {"a timer kind never written", [](json& d) { d["timers"][3][2] = 9; }, "/timers/3/2",
       "a timer kind other than 0-5"},
      {"a role that is not text",
       [](json& d) { d["attempts"][0]["task"]["roles"] = json::array({1}); },
       "/attempts/0/task/roles/0", "expected a string, found a whole number"},
      {"a frame that is not an object", [](json& d) { d["frames"][0] = 5; }, "/frames/0",
       "expected an object, found a whole number"},
      {"an instant past the year 9999",
       [](json& d) { d["frames"][0]["entered_at"] = int64_t{9000000000000000}; },
       "/frames/0/entered_at", "an instant outside the years 1 to 9999"},
      {"a version-1 join without its outputs",
       [](json& d) {
         d["v"] = 1;
         for (auto& f : d["frames"]) f["context"] = f["own"];
         d["joins"][0] = {
             {"frame", 0}, {"state", {2}}, {"children", {-1}}, {"counts", {1, 0, 0, 1}}};
       },
       "/joins/0/outputs", "a required member is missing"},
      {"a running execution without its counters", [](json& d) { d.erase("next"); }, "/next",
       "a required member is missing"},
  };
  for (const auto& c : cases) {
    json doc = to_json(running_state());
    c.change(doc);
    auto read = read_persisted_state(doc);
    ASSERT_FALSE(read.ok()) << c.name;
    EXPECT_EQ(read.error().code(), ErrorCode::kInvalidData) << c.name;
    EXPECT_EQ(read.error().pointer(), c.pointer) << c.name << ": " << read.error().message();
    EXPECT_NE(read.error().message().find(c.words), std::string::npos)
        << c.name << ": " << read.error().message();
    // The stored bytes of the same document are refused the same way.
    auto decoded = decode_persisted_state(msgpack_of(doc));
    ASSERT_FALSE(decoded.ok()) << c.name;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidData) << c.name;
    EXPECT_EQ(decoded.error().pointer(), c.pointer) << c.name;
    EXPECT_EQ(decoded.error().message(), read.error().message()) << c.name;
  }
  auto not_an_object = read_persisted_state(json::array());
  ASSERT_FALSE(not_an_object.ok());
  EXPECT_NE(not_an_object.error().message().find(
                "expected an object, found an array (the whole document)"),
            std::string::npos)
      << not_an_object.error().message();
}

// Bytes this code would not write read as the document they decode to would, never another way:
// a member written twice (the document keeps the last), keys out of order, values of a kind the
// writer never uses; bytes that are not MessagePack are refused as such.
TEST(PersistedStateTest, StoredBytesReadAsTheirDocumentWhateverWroteThem) {
  const PersistedState s = running_state();
  const std::string written = encode_persisted_state(s);
  {
    SCOPED_TRACE("a member twice");
    // The first member ("actors") again at the end, with other people: the document keeps the
    // later one.
    std::string bytes = written;
    ASSERT_EQ(static_cast<uint8_t>(bytes[0]), 0x80 | 15) << "a map of 15 members";
    bytes[0] = static_cast<char>(0xde);  // map 16: two bytes of count follow
    bytes.insert(1, std::string("\x00\x10", 2));
    MsgpackWriter w(bytes);
    w.text("actors");
    w.map(1);
    w.text("draft");
    w.array(1);
    w.text("audit.kim");
    const json doc = json::from_msgpack(bytes);
    auto read = read_persisted_state(doc);
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_EQ(read->actors.at("draft"), std::set<std::string>{"audit.kim"});
    auto decoded = decode_persisted_state(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, *read);
  }
  // An ended execution's members, in the order given, its sequence number written signed.
  const auto ended = [](bool sorted) {
    std::vector<std::pair<std::string, std::function<void(MsgpackWriter&, std::string&)>>> m = {
        {"initiator", [](MsgpackWriter& w, std::string&) { w.text("coord.ines"); }},
        {"next",
         [](MsgpackWriter& w, std::string&) {
           w.array(3);
           for (int i = 0; i < 3; ++i) w.integer(1);
         }},
        {"seq",
         [](MsgpackWriter&, std::string& out) {
           out.push_back(static_cast<char>(0xd0));  // int 8: written signed, and 5
           out.push_back(5);
         }},
        {"started_at", [](MsgpackWriter& w, std::string&) { w.integer(1796115600000); }},
        {"status", [](MsgpackWriter& w, std::string&) { w.text("succeeded"); }},
        {"v", [](MsgpackWriter& w, std::string&) { w.integer(2); }},
        {"workflow", [](MsgpackWriter& w, std::string&) { w.text("w@1"); }}};
    if (!sorted) std::reverse(m.begin(), m.end());
    std::string bytes;
    MsgpackWriter w(bytes);
    w.map(m.size());
    for (const auto& [key, value] : m) {
      w.text(key);
      value(w, bytes);
    }
    return bytes;
  };
  for (const bool sorted : {true, false}) {
    SCOPED_TRACE(sorted ? "a count written signed" : "keys out of order");
    const std::string bytes = ended(sorted);
    auto read = read_persisted_state(json::from_msgpack(bytes));
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    auto decoded = decode_persisted_state(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, *read);
    EXPECT_EQ(decoded->seq, 5u);
    EXPECT_EQ(decoded->workflow, "w@1");
  }
  for (const size_t cut : {size_t{0}, size_t{1}, written.size() / 2, written.size() - 1}) {
    SCOPED_TRACE("cut short at " + std::to_string(cut));
    auto decoded = decode_persisted_state(std::string_view(written).substr(0, cut));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidData);
    EXPECT_NE(decoded.error().message().find("cut short or damaged"), std::string::npos)
        << decoded.error().message();
  }
  auto trailing = decode_persisted_state(written + std::string(1, '\0'));
  ASSERT_FALSE(trailing.ok()) << "bytes after the state";
  EXPECT_EQ(trailing.error().code(), ErrorCode::kInvalidData);
}

TEST(PersistedStateTest, APurgedStateIsRecognisedAndIsNotOneToResume) {
  const json purged = purged_state("aml_review@2");
  EXPECT_TRUE(is_purged_state(purged));
  EXPECT_FALSE(is_purged_state(to_json(running_state())));
  EXPECT_FALSE(is_purged_state(json{{"purged", "yes"}}));
  EXPECT_FALSE(read_persisted_state(purged).ok());
}

}  // namespace
}  // namespace coalition
