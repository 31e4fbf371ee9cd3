// stored_forms: the bytes a store writes for a batch's documents — an execution's snapshot and
// result, an event's payload and the digest its audit entry carries, a state part — computed
// ahead of the write.
//
// Encoding is most of the CPU a commit costs once the rows themselves are cheap: the group
// committer's writer is what every acting caller waits for, so the committer encodes each
// drained batch on its draining thread (encode_stored_forms) while the writer writes the
// previous one, and the writer only binds what is ready. A store encodes whatever arrives
// without its stored form (a batch applied directly), with the same functions, so both paths
// write identical bytes.
#ifndef COALITION_STORE_STORED_FORMS_H_
#define COALITION_STORE_STORED_FORMS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time_point.h"
#include "store/store.h"

namespace coalition {

// An instant as stored: milliseconds since the epoch.
int64_t stored_ms(TimePoint t);

// A snapshot (ExecutionRecord::state, a StatePart's body) as stored: MessagePack, the document
// the JSON text was, without printing and scanning every number and string, and smaller.
std::string encode_snapshot(const nlohmann::json& doc);

// An execution's result as stored: its JSON text.
std::string encode_result(const ExecutionResult& result);

// The digest of the stored event that its audit entry carries (audit/event_digest.h): `event`'s
// id fields and time with `payload` (by default its own; a purge that rewrites a payload gives
// the text it will store). An event's payload is stored as it is: it is already JSON text.
std::string stored_event_digest(const std::string& execution_id, const Event& event);
std::string stored_event_digest(const std::string& execution_id, const Event& event,
                                const std::string& payload);

// The end of the run of `events` that starts at `begin`: the events after it of the same
// execution, each numbered above the one before (a batch holds each drain's events so).
size_t event_run_end(const std::vector<StoredEvent>& events, size_t begin);

// A task's form (task_form: the `doc` column) and its inbox summary (task_summary) as stored:
// JSON text.
std::string encode_task_form(const TaskRecord& task);
std::string encode_task_summary(const TaskRecord& task);
// Fills every stored form of `batch` not filled yet (ExecutionRecord::state_encoded and
// result_encoded, StoredEvent::digest, AuditDraft::event_hash from the digests of the batch's
// events, StatePart::body_encoded, TaskRecord::form_encoded and summary_encoded).
void encode_stored_forms(StoreBatch& batch);

// Reading back what a store wrote. A value no Coalition writes means the store was edited or
// written by a newer engine: refused, naming the record, rather than read as something it is not.

// A document the store wrote as JSON text; discarded (is_discarded()) when it does not parse.
nlohmann::json stored_json(std::string_view text);
// A snapshot or state part: MessagePack bytes; discarded when they do not decode.
nlohmann::json stored_msgpack(std::string_view bytes);
// A stored execution's state as a document, wherever it came (StoredExecution::state_msgpack).
nlohmann::json stored_state(const StoredExecution& stored);
// An execution's status word (`id` names the record; empty: counted, not read).
Result<ExecutionStatus> stored_execution_status(std::string_view text, const std::string& id);
Result<TaskStatus> stored_task_status(std::string_view text, const std::string& id);
// An execution's result text.
Result<ExecutionResult> stored_result(std::string_view text, const std::string& id);

// A task's roles as inboxes match them: each between two U+001F (which no name may hold,
// common/text_field.h), "" for a task any role may complete; and one role as it is matched.
std::string task_roles_key(const nlohmann::json& doc);
std::string task_role_mark(std::string_view role);
// A list of names (roles, scopes) as stored: a JSON array of strings.
std::string names_text(const std::vector<std::string>& names);
std::vector<std::string> stored_names(std::string_view text);

}  // namespace coalition

#endif  // COALITION_STORE_STORED_FORMS_H_
