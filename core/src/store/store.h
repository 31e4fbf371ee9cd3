// Store: everything durable — workflow definitions, executions and their state, the append-only
// event history, human tasks, and the hash-chained audit log. SQL stays behind this interface:
// SqliteStore is the embedded default; a PostgreSQL store implements the same contract.
//
// Writes go through apply(): one StoreBatch, one transaction, all or nothing, durable when it
// returns. apply() is commit() then sync(), and the two are separate so that the next batch can
// be written while the previous one reaches the disk: the engine batches the changes of many
// executions into one transaction (GroupCommitter) and pipelines the transactions, so
// durability costs one fsync per batch, not per step, and the writer never waits for it.
#ifndef COALITION_STORE_STORE_H_
#define COALITION_STORE_STORE_H_

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_record.h"
#include "common/notification_kind.h"
#include "common/result.h"
#include "history/event.h"
#include "history/execution_result.h"
#include "history/execution_status.h"
#include "history/task_status.h"

namespace coalition {

// A workflow definition as registered: immutable once stored.
struct WorkflowRecord {
  std::string id;
  int64_t version = 0;
  std::string digest;    // SHA-256 of the canonical JSON text of the document
  std::string document;  // canonical JSON text
};

// The durable form of one execution. `state` is the engine's snapshot (frames, contexts,
// attempts, timers), enough to carry on after a restart without re-running finished steps.
struct ExecutionRecord {
  std::string id;
  std::string workflow_id;
  int64_t workflow_version = 0;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string initiator;
  TimePoint started_at;
  TimePoint updated_at;
  std::optional<TimePoint> next_due;  // earliest pending timer
  nlohmann::json state;
  ExecutionResult result;  // the output or the error, once finished
  // `state` and `result` exactly as a store writes them, when encoded ahead of the write
  // (store/stored_forms.h); empty otherwise, and in a record read back. A drained execution's
  // record carries its state only so (its `state` is null): the store writes that.
  std::string state_encoded{};
  std::string result_encoded{};
};

// A human task: created when a step suspends for people, closed by completions.
struct TaskRecord {
  std::string id;
  std::string execution_id;
  std::string step;
  TaskStatus status = TaskStatus::kOpen;
  std::optional<TimePoint> due;
  TimePoint created_at;
  nlohmann::json doc;  // roles, organisation, title, answer schema, rules, completions, escalation
  // `doc`'s form (task_form) and its inbox summary (task_summary) exactly as a store writes
  // them, when encoded ahead of the write (store/stored_forms.h); empty otherwise, and in a
  // record read back.
  std::string form_encoded{};
  std::string summary_encoded{};
};

// A notification owed to the people of a task (common/notification_kind.h): written in the same
// transaction as the event that calls for it, so none is lost and none is invented; delivered
// and updated by the notification dispatcher (app/notification_dispatcher.h).
enum class NotificationStatus { kPending, kSent, kFailed };
std::string_view to_string(NotificationStatus status);
std::optional<NotificationStatus> parse_notification_status(std::string_view text);

struct NotificationRecord {
  std::string id;  // "<execution>#<event seq>": one per event
  std::string execution_id;
  NotificationKind kind = NotificationKind::kTaskOpened;
  std::string task;
  TimePoint created_at;  // the event's time
  // What the message says and who it is for: task, step, workflow, title, due, level, roles,
  // organisation. References and role names only; the addresses stay in the contact directory.
  nlohmann::json subject = nlohmann::json::object();
  NotificationStatus status = NotificationStatus::kPending;
  uint32_t attempts = 0;
  TimePoint next_at;  // pending: not before
  std::string last_error;
  std::optional<TimePoint> sent_at;
  nlohmann::json delivery;  // the step's output once sent: masked recipients, channel
};

// Which notifications a listing shows, newest first.
struct NotificationFilter {
  std::string execution_id;                  // empty: any
  std::optional<NotificationStatus> status;  // none: any
  size_t limit = 100;
};

// A recurring start (app/schedule.h) and where it stands: its next occurrence, its last run.
struct ScheduleRecord {
  std::string id;
  nlohmann::json definition;  // the schedule document as added
  bool paused = false;
  TimePoint next_at;                 // the next occurrence not yet run (or skipped)
  std::string next_period;           // its label
  std::optional<TimePoint> last_at;  // the last occurrence run
  std::string last_period;
  std::string last_execution;
  uint64_t runs = 0;       // executions started
  uint64_t skipped = 0;    // occurrences missed and not run (the schedule's missed policy)
  std::string last_error;  // why the last start failed, or why the schedule was paused
  TimePoint created_at;
  TimePoint updated_at;
};

// What a retention purge left of a record (retention/purge.h): kept for good.
struct Tombstone {
  std::string execution_id;
  std::string record_type;  // restricted, execution
  std::string workflow;     // id@version
  std::string purged_at;    // RFC 3339
  nlohmann::json policy;    // the rule applied, the anchor, when it expired, counts removed
};

// A legal hold on an execution (a law-enforcement keep-open request): purge skips it.
struct LegalHold {
  std::string execution_id;
  std::string placed_at;  // RFC 3339
  std::string placed_by;
  std::string role;
  std::string reason;
  std::string released_at;  // empty: in force
  std::string released_by;
};

// A purge met an expired record under hold `hold` and said so in the audit log once.
struct RetentionNote {
  std::string execution_id;
  std::string record_type;
  std::string hold;  // "hold@<placed_at>" or the context pointer that held it
  std::string at;
};

// How a purge rewrites one execution's stored data (in the same transaction as its tombstone).
struct Redaction {
  std::string execution_id;
  bool everything = false;  // delete every event and task; redact every audit summary of it
  std::vector<uint64_t> delete_events;                           // by seq
  std::vector<std::pair<uint64_t, std::string>> rewrite_events;  // seq -> new payload text
  std::vector<std::string> delete_tasks;
  std::vector<uint64_t> redact_audit;     // audit seqs whose summary is removed (digest kept)
  std::optional<nlohmann::json> state;    // replaced when set
  std::optional<ExecutionResult> result;  // replaced when set
};

struct StoredEvent {
  std::string execution_id;
  Event event;
  // The digest of the stored event (audit/event_digest.h) over its payload, when taken ahead of
  // the write (store/stored_forms.h); empty otherwise. A store writes a digest given as it is:
  // whoever sets one takes it over the payload as it stands (stored_event_digest). Taken ahead,
  // it is also copied into its audit entry's AuditDraft::event_hash: whoever changes an event or
  // its digest after encoding clears that, and `row_text` below, too.
  std::string digest{};
  // The row its store writes for this event and the `row_events - 1` events after it, when
  // prepared ahead of the write (Store::prepare; SQLite writes a batch's events of one
  // execution as one row, store/sqlite_event_runs.h); empty and 0 otherwise, and the store
  // writes the events themselves.
  std::string row_text{};
  uint32_t row_events = 0;
};

// What restoring an execution reads (Store::stored_execution): its record, the times a process
// died while working on it, and its state parts, all from one snapshot of the store.
struct StoredExecution {
  ExecutionRecord record;
  uint32_t interruptions = 0;
  std::map<std::string, nlohmann::json> parts;
  // The record's state as stored, when that is MessagePack (`record.state` is then null), for
  // restoring to read straight into its typed form (decode_persisted_state) without building a
  // document first; empty for a state stored as JSON text, which `record.state` holds.
  // stored_state() (store/stored_forms.h) gives the document either way.
  std::string state_msgpack{};
};

// A piece of a running execution's state written once and named by key from its snapshot
// (ExecutionRecord::state) rather than rewritten with it on every commit: a frozen context
// layer, a finished map iteration's output. Its shape belongs to runtime/execution_snapshot.cc.
struct StatePart {
  std::string execution_id;
  std::string key;
  nlohmann::json body;
  std::string body_encoded{};  // as stored, when encoded ahead (store/stored_forms.h)
};

// Removes the parts of `execution_id` whose key starts with `prefix` ("" removes them all).
struct StatePartDrop {
  std::string execution_id;
  std::string prefix;
};

// An API token (auth/api_token.h): whom it names and what it may do. The secret is never
// stored, only the SHA-256 of the whole token text; `id` is the token's public part.
struct TokenRecord {
  std::string id;
  std::string secret_hash;  // hex SHA-256 of the token text
  std::string person;
  std::string organisation;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;  // auth/principal.h: admin, coordinate, signal:<workflow>
  TimePoint created_at;
  std::string created_by;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> revoked_at;
};

// A person the server has seen sign in with an identity provider's token (OIDC), with the
// organisation and roles that token gave them last: the directory a task is handed on through
// (app/task_actions.h) for people who hold no API token.
struct PersonRecord {
  std::string person;
  std::string organisation;
  std::vector<std::string> roles;
  std::string identity;  // "oidc:<hash of issuer and subject>"
  TimePoint seen_at;
};

// How a browser session (auth/web_session.h) was signed in: with an API token (whose record is
// read again on every request, so revoking the token ends the session) or with an identity
// provider (OIDC), whose answer the session keeps.
enum class WebSessionKind { kToken, kOidc };

// A browser's signed-in session. The cookie's secret is never stored, only the SHA-256 of the
// whole cookie text; `id` is its public part.
struct WebSessionRecord {
  std::string id;
  std::string secret_hash;  // hex SHA-256 of the cookie text
  WebSessionKind kind = WebSessionKind::kToken;
  // kToken: the token's id. kOidc: the hash of issuer and subject (Principal::credential).
  std::string credential;
  // kOidc: whom the provider's token named and what it granted. kToken: empty (the token says).
  std::string person;
  std::string organisation;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> ended_at;  // signed out
};

// The lease an engine node holds on an execution (store/execution_leases.h), carried with every
// write of that execution: the store refuses the transaction (kConflict, ErrorReason::kLeaseMoved)
// when the execution's owner or fence is no longer this one, so a node that lost the lease (it
// paused, its heartbeat lapsed, another node claimed the execution) cannot overwrite the work
// of the node that holds it now.
struct ExecutionFence {
  std::string execution_id;
  std::string node;
  uint64_t fence = 0;
  bool fresh = false;  // started by this node in this batch: no record exists yet
};

// Everything one transaction writes.
struct StoreBatch {
  std::vector<WorkflowRecord> workflows;    // inserted; an identical existing one is kept
  std::vector<ExecutionRecord> executions;  // inserted or replaced
  std::vector<StoredEvent> events;          // appended
  std::vector<TaskRecord> tasks;            // inserted or replaced
  std::vector<AuditDraft> audit;            // appended to the chain, in order
  std::vector<std::pair<std::string, std::string>> meta;  // key -> value, replaced
  // Retention: applied before the audit entries, so a purge's entry follows its effect.
  std::vector<Redaction> redactions;
  std::vector<Tombstone> tombstones;  // inserted; an existing one is kept
  std::vector<LegalHold> holds;       // inserted or replaced
  std::vector<RetentionNote> retention_notes;
  // Times a process died while working on an execution (runtime/crash_journal.h), replaced;
  // 0 forgets the execution's count.
  std::vector<std::pair<std::string, uint32_t>> interruptions;
  std::vector<StatePartDrop> part_drops;       // applied before `parts`
  std::vector<StatePart> parts;                // inserted or replaced
  std::vector<TokenRecord> tokens;             // inserted or replaced (revocation sets revoked_at)
  std::vector<PersonRecord> people;            // inserted or replaced, by person and organisation
  std::vector<WebSessionRecord> web_sessions;  // inserted or replaced (signing out sets ended_at)
  // Deletes browser sessions that expired before this instant (kept a while for the log's sake).
  std::optional<TimePoint> web_sessions_expired_before;
  std::vector<NotificationRecord> notifications;  // inserted; an existing one is kept
  // Delivery state of existing notifications (status, attempts, next_at, error, sent_at,
  // delivery) replaced.
  std::vector<NotificationRecord> notification_updates;
  std::vector<ScheduleRecord> schedules;  // inserted or replaced
  // Leased executions written by this batch: checked before anything is written (a store
  // without leases, SQLite, has one engine and ignores them).
  std::vector<ExecutionFence> fences;

  bool empty() const {
    return workflows.empty() && executions.empty() && events.empty() && tasks.empty() &&
           audit.empty() && meta.empty() && redactions.empty() && tombstones.empty() &&
           holds.empty() && retention_notes.empty() && interruptions.empty() &&
           part_drops.empty() && parts.empty() && tokens.empty() && people.empty() &&
           web_sessions.empty() && !web_sessions_expired_before && notifications.empty() &&
           notification_updates.empty() && schedules.empty() && fences.empty();
  }
  // Takes out everything written on behalf of the executions in `ids` (their records, events,
  // tasks, audit entries, notifications, state parts, interruption counts and fences): what a
  // batch keeps when the leases of those executions moved to another node.
  void remove_executions(const std::set<std::string>& ids);
  // Moves everything of `later` after what this batch holds (every field above, a new one too).
  // Applying the result equals applying the two in order as long as no execution is in both: within
  // one batch, drops of state parts go before the parts written (GroupCommitter never puts one
  // source twice in a batch).
  void append(StoreBatch&& later) {
    auto move_all = [](auto& into, auto& from) {
      if (into.empty()) {
        into.swap(from);
      } else {
        into.insert(into.end(), std::make_move_iterator(from.begin()),
                    std::make_move_iterator(from.end()));
      }
      from.clear();
    };
    move_all(workflows, later.workflows);
    move_all(executions, later.executions);
    move_all(events, later.events);
    move_all(tasks, later.tasks);
    move_all(audit, later.audit);
    move_all(meta, later.meta);
    move_all(redactions, later.redactions);
    move_all(tombstones, later.tombstones);
    move_all(holds, later.holds);
    move_all(retention_notes, later.retention_notes);
    move_all(interruptions, later.interruptions);
    move_all(part_drops, later.part_drops);
    move_all(parts, later.parts);
    move_all(tokens, later.tokens);
    move_all(people, later.people);
    move_all(web_sessions, later.web_sessions);
    move_all(notifications, later.notifications);
    move_all(notification_updates, later.notification_updates);
    move_all(schedules, later.schedules);
    move_all(fences, later.fences);
    if (later.web_sessions_expired_before) {
      web_sessions_expired_before = later.web_sessions_expired_before;
      later.web_sessions_expired_before.reset();
    }
  }
};

struct TaskFilter {
  TaskFilter() = default;
  TaskFilter(std::string execution, std::string of_role, bool open)
      : execution_id(std::move(execution)), role(std::move(of_role)), open_only(open) {}

  std::string execution_id;  // empty: any
  std::string role;          // empty: any; else tasks this role may complete
  bool open_only = true;
  std::string organisation;             // non-empty: only tasks of this organisation
  std::string assignee;                 // non-empty: only tasks this person holds (claimed)
  std::optional<TimePoint> due_before;  // due strictly before
  std::optional<TimePoint> due_by;      // due at or before (overdue at that instant)
};

// A person's inbox (app/task_actions.h): open tasks of `organisation` (or of none) that one of
// `roles` may complete (or that name no role), by due time (none last), then id.
struct InboxFilter {
  std::string organisation;
  std::vector<std::string> roles;
  std::string person;                   // non-empty: leaves out tasks another person has claimed
  std::optional<TimePoint> due_before;  // due strictly before
  std::optional<TimePoint> due_by;      // due at or before (overdue at that instant)
  bool escalated = false;               // escalated at least once
  // Keyset paging: only tasks after this one in the order (`after_due` empty: after a task
  // without a deadline).
  std::string after_id;
  std::optional<TimePoint> after_due;
  size_t limit = 50;
};

// One task as an inbox lists it: what task() gives without the form (answer_schema,
// instructions, items), with its status, as JSON text written when the task was.
struct InboxEntry {
  std::string id;
  std::optional<TimePoint> due;
  std::string summary;
};

// Which executions a list or search returns (Store::executions), newest start first.
struct ExecutionFilter {
  std::string workflow_id;                // empty: any
  std::vector<ExecutionStatus> statuses;  // empty: any
  std::string organisation;               // non-empty: executions with a task of this organisation
  // Set: only executions this person may see as a member (access rules in app/access.h): a
  // task of their organisation (or of none) for one of their roles, or one they completed, or an
  // execution of a followed workflow version with a task of their organisation.
  struct Member {
    std::string person;
    std::string organisation;
    std::vector<std::string> roles;
    // Workflow versions ("id@version") whose visibility policy lists one of the roles among its
    // followers: their executions with a task of the organisation too.
    std::vector<std::string> followed_workflows;
  };
  std::optional<Member> visible_to;
  std::optional<TimePoint> started_from;   // started at or after
  std::optional<TimePoint> started_until;  // started before
  std::optional<TimePoint> finished_from;  // ended (succeeded, failed, cancelled), at or after
  std::optional<TimePoint> finished_until;
  std::optional<TimePoint> overdue_at;  // with an open task due at or before this instant
  bool escalated = false;               // with an open task escalated at least once
  // Keyset paging: only executions after this one in the order (started_at desc, id desc).
  std::string after_id;
  TimePoint after_started{};
  size_t limit = 50;
};

// One execution as a list shows it: the record without its state.
struct ExecutionSummary {
  std::string id;
  std::string workflow_id;
  int64_t workflow_version = 0;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string initiator;
  TimePoint started_at;
  TimePoint updated_at;
  std::optional<TimePoint> next_due;
};

// What the store holds now, counted (GET /metrics).
struct StoreCounts {
  std::map<ExecutionStatus, uint64_t> executions;  // by status
  uint64_t open_tasks = 0;
  uint64_t overdue_tasks = 0;  // open, due at or before the instant asked about
};

// What an inbox lists of a task (InboxEntry::summary): the document without the form.
nlohmann::json task_summary(const TaskRecord& task);
// The members of a task's form, in the order a document prints them.
inline constexpr std::array<const char*, 3> kTaskFormKeys{"answer_schema", "instructions", "items"};
// The task's form (answer_schema, instructions, items): what its summary leaves out. A store
// keeps a task as these two parts, never the document whole beside its summary: the summary is
// most of what is not the form, so the whole would hold it twice.
nlohmann::json task_form(const TaskRecord& task);
// The task's document from its stored summary and form. The form's members win: a row written
// before the parts were split (SQLite schema 20, PostgreSQL 5) holds the whole document there.
nlohmann::json task_document(nlohmann::json summary, const nlohmann::json& form);

class Store {
 public:
  virtual ~Store() = default;

  // Writes `batch` in one transaction and makes it durable (commit(), then sync()).
  Status apply(const StoreBatch& batch) {
    if (auto s = commit(batch); !s) return s;
    return sync();
  }
  // Writes `batch` in one transaction: from now on every reader sees it and it survives this
  // process dying, but it may not survive a power cut until sync() returns — what a reader sees
  // may not be durable yet, so one that acts outside the store on it (sends a message) calls
  // sync() first. kConflict when a workflow id+version is already stored with a different
  // digest (nothing is written); kIo when the database refuses, or refused a sync before.
  virtual Status commit(const StoreBatch& batch) = 0;
  // Makes every transaction whose commit() returned before this call durable (it survives a
  // power cut), as far as the store is configured to be. Safe to call from another thread while
  // commit() writes the next batch. kIo when the disk refuses: transactions committed since the
  // last successful sync may be lost, and nothing that waited for them may go ahead; the
  // failure sticks (every later sync and commit reports it).
  virtual Status sync() = 0;
  // Encodes what of `batch` this store writes in a form of its own (encode_stored_forms, in
  // store/stored_forms.h, encodes what every store writes alike), so that commit() only binds
  // it: the group committer calls it on its draining thread while its writer commits the batch
  // before. Touches no connection and no state of the store, so it is safe on any thread at any
  // time; a batch committed unprepared, or prepared in part, is written alike.
  virtual void prepare(StoreBatch& batch) const { (void)batch; }

  virtual Result<std::optional<WorkflowRecord>> workflow(const std::string& id,
                                                         int64_t version) = 0;
  virtual Result<std::vector<WorkflowRecord>> workflows() = 0;
  virtual Result<std::optional<ExecutionRecord>> execution(const std::string& id) = 0;
  // The record, interruptions and state parts of execution `id` as one snapshot (one read, where
  // the three calls would be three); nullopt when the store has no such execution.
  virtual Result<std::optional<StoredExecution>> stored_execution(const std::string& id) = 0;
  // stored_execution() for each of `ids`: one answer per id, in their order. A store that can
  // reads them all from one snapshot (SQLite: one read transaction, whose pages the reads share
  // instead of each reading the tables' upper levels again); by default, one call each.
  virtual std::vector<Result<std::optional<StoredExecution>>> stored_executions(
      const std::vector<std::string>& ids) {
    std::vector<Result<std::optional<StoredExecution>>> out;
    out.reserve(ids.size());
    for (const auto& id : ids) out.push_back(stored_execution(id));
    return out;
  }
  // The snapshot a failed execution had before it failed (the last one written while it was
  // running or waiting; its state parts are kept with it); nullopt unless the execution is
  // failed and has one. A retry restores it (runtime/engine.h retry).
  virtual Result<std::optional<nlohmann::json>> retry_point(const std::string& id) = 0;
  // Executions still running or waiting, oldest first.
  virtual Result<std::vector<ExecutionRecord>> active_executions() = 0;
  // Ids of every execution, newest first, at most `limit`.
  virtual Result<std::vector<ExecutionRecord>> recent_executions(size_t limit) = 0;
  virtual Result<std::vector<Event>> history(const std::string& execution_id) = 0;
  // How many events of each type the execution has, without reading them.
  virtual Result<std::map<EventType, size_t>> event_counts(const std::string& execution_id) = 0;
  virtual Result<std::optional<TaskRecord>> task(const std::string& id) = 0;
  virtual Result<std::vector<TaskRecord>> tasks(const TaskFilter& filter) = 0;
  // At most filter.limit tasks of the inbox the filter describes, in its order.
  virtual Result<std::vector<InboxEntry>> inbox(const InboxFilter& filter) = 0;
  virtual Result<StoreCounts> counts(TimePoint now) = 0;
  // At most filter.limit executions the filter selects, newest start first.
  virtual Result<std::vector<ExecutionSummary>> executions(const ExecutionFilter& filter) = 0;
  // The audit trail of `execution_id` (empty: the whole log) in chain order, one record per
  // event an entry records (audit/audit_grouping.h: expand_audit_entry).
  virtual Result<std::vector<AuditRecord>> audit(const std::string& execution_id) = 0;
  // Checks the chain, time never moving back along it, every stored event against the digest
  // its entry carries, and that the chain still holds each of `anchors`. A summary removed, an
  // event rewritten or deleted verifies only where the execution has a tombstone AND a `purged`
  // entry in the chain that accounts for it; anything else is a broken chain.
  virtual Result<AuditVerification> verify_audit(const std::vector<AuditAnchor>& anchors) = 0;
  Result<AuditVerification> verify_audit() { return verify_audit({}); }
  // Succeeded, failed or cancelled executions, oldest first (what a purge examines).
  virtual Result<std::vector<ExecutionRecord>> finished_executions() = 0;
  virtual Result<std::vector<Tombstone>> tombstones(const std::string& execution_id) = 0;
  virtual Result<std::optional<LegalHold>> legal_hold(const std::string& execution_id) = 0;
  // Legal holds, most recently placed first: those in force, or every one ever placed
  // (`released` too). At most `limit`.
  virtual Result<std::vector<LegalHold>> legal_holds(bool released, size_t limit) = 0;
  virtual Result<std::vector<RetentionNote>> retention_notes(const std::string& execution_id) = 0;
  virtual Result<std::optional<std::string>> meta(const std::string& key) = 0;
  // Times a process died while working on the execution, since it last stood still.
  virtual Result<uint32_t> interruptions(const std::string& execution_id) = 0;
  // The execution's state parts (StatePart), by key.
  virtual Result<std::map<std::string, nlohmann::json>> state_parts(
      const std::string& execution_id) = 0;
  // API tokens, by id; all of them, oldest first.
  virtual Result<std::optional<TokenRecord>> token(const std::string& id) = 0;
  virtual Result<std::vector<TokenRecord>> tokens() = 0;
  // What the server last saw of `person` signing in with an identity provider, per organisation.
  virtual Result<std::vector<PersonRecord>> people(const std::string& person) = 0;
  // A browser session, by id.
  virtual Result<std::optional<WebSessionRecord>> web_session(const std::string& id) = 0;
  // Pending notifications whose next_at is at or before `now`, the earliest first.
  virtual Result<std::vector<NotificationRecord>> due_notifications(TimePoint now,
                                                                    size_t limit) = 0;
  virtual Result<std::vector<NotificationRecord>> notifications(
      const NotificationFilter& filter) = 0;
  // Every schedule, by id.
  virtual Result<std::vector<ScheduleRecord>> schedules() = 0;
  // Bytes the store occupies on disk (0 when in memory).
  virtual uint64_t size_bytes() = 0;
};

}  // namespace coalition

#endif  // COALITION_STORE_STORE_H_
