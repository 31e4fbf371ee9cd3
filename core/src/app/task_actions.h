// What people do with tasks: read their inbox, read one task (with the answer's JSON Schema, so
// a client can render the form), complete it, move its deadline. Identity is the Principal's;
// every rule of the engine (quorum, separation of duties, not-initiator, justification,
// completion rules, caps) applies on top of the access rules in app/access.h.
//
// Authenticated callers (a token, OIDC) meet organisation isolation: a task they may not act on
// is "not found", and the attempt is audited. Asserted callers (direct store access at the
// engine's terminal) get the engine's own refusal, which names what is missing.
#ifndef COALITION_APP_TASK_ACTIONS_H_
#define COALITION_APP_TASK_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "app/session.h"
#include "auth/principal.h"
#include "common/instant_text.h"

namespace coalition::app {

inline constexpr size_t kMaxPageSize = 500;

struct InboxQuery {
  bool overdue = false;    // only tasks past their due time
  bool escalated = false;  // only tasks escalated at least once
  std::optional<TimePoint> due_before;
  std::string after;  // the `next` cursor of the previous page; empty: the first page
  size_t limit = 50;  // 1 to kMaxPageSize
};

// A page of an inbox: the open tasks `p` may act on, by due time (those without a deadline
// last), then id, each a summary (store.h InboxEntry) as JSON text, passed on without parsing.
struct InboxPage {
  std::vector<std::string> tasks;
  std::string next;  // the cursor of the next page; empty: this is the last
};
Result<InboxPage> inbox(Session& s, const Principal& p, const InboxQuery& query);
// {"tasks": [...], "next"?: cursor}
std::string inbox_json(const InboxPage& page);

// One task (open or closed) with its status; kNotFound unless `p` may act on it or sees every
// execution (coordinate, admin).
Result<nlohmann::json> task_document(Session& s, const Principal& p, const std::string& task_id);

// Completes `task_id` as `p` in `role` (empty: the first of p's roles the task accepts);
// returns the task after the completion, once committed.
Result<nlohmann::json> complete_task(Session& s, const Principal& p, const std::string& task_id,
                                     const nlohmann::json& answer, const std::string& role);

// A new due instant for `task_id` as a person writes it (`name` is the option or field, for
// errors): an RFC 3339 instant, or a date alone meaning the end of that day (23:59:59) in the
// zone of the calendar the task's deadline is counted in — UTC when it names none, and when the
// task is not one `p` may see (extend_deadline then refuses it, audited). `reading` says how a
// date was read, naming the calendar.
Result<InstantText> read_new_due(Session& s, const Principal& p, const std::string& task_id,
                                 const std::string& text, std::string_view name);

// Moves the deadline of `task_id` to `due`, with a justification (recorded in the event and the
// audit entry). The workflow names the roles that may (deadline.extend_roles), else the task's.
Status extend_deadline(Session& s, const Principal& p, const std::string& task_id, TimePoint due,
                       const std::string& justification, const std::string& role);

// Claims `task_id` for `p` (in `role`, as complete_task chooses it): until it is released or
// handed on, only p may complete it, and other people's inboxes leave it out.
Status claim_task(Session& s, const Principal& p, const std::string& task_id,
                  const std::string& role);
// Gives a claimed task back: its holder may, and so may a coordinator, an admin or the
// operator at the terminal.
Status release_task(Session& s, const Principal& p, const std::string& task_id);

// Hands `task_id` to `to_person`, with a justification: its holder may (delegation), anyone who
// could complete it while nobody holds it may, and coordinators and admins may (reassignment).
// The person must be able to complete it: for authenticated callers that is proved by an API
// token that is live, of the task's organisation, holding one of its roles, or by the roles an
// identity provider gave them when they last signed in (app/people_seen.h); at the terminal,
// `to_role` is asserted like the caller's own.
struct Handover {
  std::string to_person;
  std::string to_role;  // at the terminal: the role they would act in; else optional
  std::string justification;
  std::string role;  // the caller's acting role (empty: the first the task accepts)
};
Status reassign_task(Session& s, const Principal& p, const std::string& task_id,
                     const Handover& handover);

}  // namespace coalition::app

#endif  // COALITION_APP_TASK_ACTIONS_H_
