// An execution's state as the store keeps it (ExecutionRecord::state): typed, versioned, with
// one reader and one writer. Execution turns itself into one when it is drained and rebuilds
// itself from one when it is restored; the engine reads one to number a retry on, the app to
// show a status. Nothing else reads the stored document's keys.
//
// What an execution holds that is large and shared — the frozen layers of its contexts, the
// outputs of finished join slots — is not here but in state parts (Store::state_parts), which
// this state names by id.
#ifndef COALITION_RUNTIME_PERSISTED_STATE_H_
#define COALITION_RUNTIME_PERSISTED_STATE_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time_point.h"
#include "history/execution_status.h"
#include "runtime/deadline.h"
#include "runtime/execution_timer.h"
#include "runtime/slot_state.h"

namespace coalition {

// The versions read_persisted_state() reads: 1, frames holding their whole context and joins
// their outputs; 2 (written), contexts as layers, and layers and join outputs as state parts.
inline constexpr int kOldestPersistedStateVersion = 1;
inline constexpr int kPersistedStateVersion = 2;

// One running sequence: the main steps, a parallel branch, a map iteration or a sub-workflow.
struct PersistedFrame {
  int64_t id = 0;
  std::string workflow;  // the key ("id@version") of the workflow whose steps it runs
  int64_t parent = -1;   // -1: the main sequence
  uint64_t slot = 0;     // its slot in the parent's join
  std::string path;      // prefix of its step paths: "", "fanout[bank]/", "each[2]/"
  std::string current;   // the step it is in; empty for a main sequence never entered
  std::map<std::string, uint32_t> visits;
  TimePoint entered_at;
  // Its context: what it set itself, over the layers it reads through (state-part ids). In
  // version 1 a frame held its whole context here and no layers.
  nlohmann::json own = nlohmann::json::object();
  std::optional<uint64_t> frozen;
  std::optional<uint64_t> inherited;
  // The current step's deadline, if it has one.
  std::optional<TimePoint> due;
  std::optional<TimePoint> cap;
  uint32_t level = 0;
  DueBasis basis;
  DueBasis cap_basis;
  uint32_t crashes = 0;  // times a plugin call of the current step took the process down

  bool operator==(const PersistedFrame&) const = default;
};

// A parallel, map or sub-workflow step waiting for its child frames.
struct PersistedJoin {
  int64_t frame = 0;
  std::optional<uint64_t> items_from;  // a map's: the layer holding its list
  // The slots' states in runs (state, how many in a row): a map over many items keeps a few.
  std::vector<std::pair<SlotState, uint64_t>> runs;
  std::vector<std::pair<uint64_t, int64_t>> running;  // slot -> its child frame
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t running_count = 0;
  uint64_t next_slot = 0;
  // Version 1 only: the slots' outputs (null: none yet), kept here instead of as state parts;
  // a map's list was then found in the frame's whole context, not a layer.
  std::optional<std::vector<nlohmann::json>> inline_outputs;

  bool operator==(const PersistedJoin&) const = default;
};

// A human task opened by a suspended attempt. Execution holds its tasks in this form too.
struct PersistedTask {
  std::string id;
  nlohmann::json spec;                                   // title, instructions, answer_schema
  std::vector<std::string> roles;                        // who may complete it now
  std::string organisation;                              // empty: any
  nlohmann::json completions = nlohmann::json::array();  // {actor, role, organisation, at, data}
  std::string assignee;                                  // empty: nobody claimed it
  TimePoint created_at;

  bool operator==(const PersistedTask&) const = default;
};

// A task step's attempt in flight or suspended.
struct PersistedAttempt {
  int64_t frame = 0;
  uint32_t number = 1;
  bool suspended = false;
  std::string signal;                          // the signal it waits for, if any
  std::optional<nlohmann::json> resume_input;  // handed to the plugin, not yet answered
  std::string plugin_version;                  // empty in snapshots older than versions
  std::string key;                             // its idempotency key, when a migration renamed it
  std::optional<PersistedTask> task;

  bool operator==(const PersistedAttempt&) const = default;
};

struct PersistedState {
  int version = kPersistedStateVersion;
  std::string workflow;  // "id@version"
  std::string initiator;
  ExecutionStatus status = ExecutionStatus::kRunning;
  TimePoint started_at;
  uint64_t seq = 0;  // events recorded
  // The numbers the next frame, timer and task take: a retry numbers on from them.
  int64_t next_frame = 0;
  uint64_t next_timer = 1;
  uint64_t next_task = 1;
  // What it resumes from: only while it runs (empty once it has ended).
  uint64_t map_items = 0;
  uint64_t next_layer = 1;
  std::vector<PersistedFrame> frames;
  std::vector<PersistedJoin> joins;
  std::vector<PersistedAttempt> attempts;
  std::set<int64_t> waiting;
  std::map<uint64_t, ExecutionTimer> timers;            // by id; clock_id is 0
  std::map<std::string, std::set<std::string>> actors;  // step path -> who completed it

  // The number a newer state and this one have both reached: the greater of each counter, so
  // nothing recorded after `this` was written is numbered again.
  void number_on_after(const PersistedState& newer);

  bool operator==(const PersistedState&) const = default;
};

// kInvalidData for a document this code did not write: a version outside those above (named,
// with the versions this code reads), a value of the wrong type or out of range, a slot state
// or timer kind it never writes; the message says what, the error's pointer where.
Result<PersistedState> read_persisted_state(const nlohmann::json& document);
// The state from its stored bytes (encode_persisted_state's form, MessagePack), read where they
// lie instead of through a document: what read_persisted_state gives for the document they
// decode to, refusals included; kInvalidData when they decode to none.
Result<PersistedState> decode_persisted_state(std::string_view bytes);
// Takes the state by value: a drain moves its documents in rather than copying them again.
nlohmann::json to_json(PersistedState state);
// The state as the store keeps it (ExecutionRecord::state_encoded): the very bytes of
// nlohmann::json::to_msgpack(to_json(state)), written without building the document (a drain's
// largest cost was building it, encoding it and freeing it).
std::string encode_persisted_state(const PersistedState& state);

// What retention leaves of a purged execution's state: the workflow it ran, nothing to resume.
nlohmann::json purged_state(const std::string& workflow_key);
bool is_purged_state(const nlohmann::json& document);

}  // namespace coalition

#endif  // COALITION_RUNTIME_PERSISTED_STATE_H_
