// The human side of an Execution: tasks opened by suspended steps and the rules every completion
// must pass, external signals, and deadlines with reminders and escalation.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "common/utc_time.h"
#include "guard/media_scan.h"
#include "guard/reference_fields.h"
#include "guard/report_disclosure.h"
#include "runtime/deadline.h"
#include "runtime/execution.h"
#include "runtime/execution_state.h"
#include "runtime/security_notice.h"
#include "schema/json_schema.h"
#include "schema/schema_cache.h"
#include "workflow/context.h"
#include "workflow/data_template.h"

namespace coalition {

using nlohmann::json;

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

namespace {

// What a task's refusal rules read: "/answer" and "/actor" from `facts`, "/context/..." through
// the frame's context, without copying the context into the facts.
class RefusalFacts final : public ContextReader {
 public:
  RefusalFacts(const json& facts, const Context& context) : facts_(facts), context_(context) {}
  const json* find(const std::string& pointer) const override {
    static const std::string kContext = "/context";
    if (pointer.compare(0, kContext.size(), kContext) != 0 ||
        (pointer.size() > kContext.size() && pointer[kContext.size()] != '/')) {
      return find_at(facts_, pointer);
    }
    if (pointer.size() > kContext.size()) return context_.find(pointer.substr(kContext.size()));
    if (!whole_) whole_ = context_.merged();  // the whole context: rare, so built on demand
    return &*whole_;
  }

 private:
  const json& facts_;
  const Context& context_;
  mutable std::optional<json> whole_;
};

// The roles a reference names: one role name, or a non-empty list of them.
Result<std::vector<std::string>> resolve_roles(const json& ref, const ContextReader& context) {
  auto value = resolve_template(ref, context);
  const std::string where = "assign/roles " + ref.value("$path", "");
  if (!value) return Error::invalid_data(where + " is missing");
  std::vector<std::string> roles;
  if (value->is_string()) roles.push_back(value->get<std::string>());
  if (value->is_array()) {
    for (const auto& r : *value) {
      if (!r.is_string()) return Error::invalid_data(where + " holds a list with a non-string");
      roles.push_back(r.get<std::string>());
    }
  }
  if (roles.empty() ||
      std::any_of(roles.begin(), roles.end(), [](const std::string& r) { return r.empty(); })) {
    return Error::invalid_data(where + " holds no role name: " + value->dump());
  }
  return roles;
}

}  // namespace

void Execution::on_suspend(int64_t frame, const json& wait) {
  Attempt& a = attempts_.at(frame);
  const Step& step = *a.step;
  const std::string path = step_path(frame, step.id);
  a.suspended = true;
  record(EventType::kStepSuspended, path,
         {{"wait", wait}, {"task_token", idempotency_key(frame, step)}});
  if (wait.is_object() && wait.contains("signal") && wait["signal"].is_string()) {
    a.signal = wait["signal"].get<std::string>();
    return;
  }
  Task task;
  task.id = id_ + ".t" + std::to_string(next_task_++);
  task.spec = wait.is_object() ? wait : json::object();
  task.created_at = host_.clock().now();
  if (step.assign) {
    task.roles = step.assign->roles;
    if (!step.assign->roles_ref.is_null()) {
      auto roles = resolve_roles(step.assign->roles_ref, frames_.at(frame).context);
      if (!roles) {  // never open a task anyone could complete
        cancel_frame_timers(frame);
        attempts_.erase(frame);
        on_step_error(frame, step, make_error("assign.invalid", roles.error().message()));
        return;
      }
      task.roles = std::move(*roles);
    }
    if (!step.assign->organisation.is_null()) {
      auto org = resolve_template(step.assign->organisation, frames_.at(frame).context);
      if (org && org->is_string()) task.organisation = org->get<std::string>();
    }
  }
  const Frame& f = frames_.at(frame);
  // The title as the task shows it (rendered from its template): the timeline says which
  // member a task is about, not only its step path.
  json data{{"task", task.id}, {"roles", task.roles}};
  if (auto title = task.spec.find("title"); title != task.spec.end() && title->is_string()) {
    data["title"] = *title;
  }
  if (!task.organisation.empty()) data["organisation"] = task.organisation;
  if (f.due) data["due"] = format_utc(*f.due);
  a.task = std::move(task);
  record(EventType::kTaskCreated, path, std::move(data));
  changed_tasks_.insert(frame);
  mark_dirty();
}

const StepType* Execution::attempt_type(int64_t frame, const Attempt& a) const {
  return host_.registry().find_for_resume(a.step->type, a.plugin_version,
                                          frames_.at(frame).workflow->plugin_requirements);
}

void Execution::drop_declared_answer(int64_t frame, const Attempt& a, json& wait) const {
  if (!wait.is_object()) return;
  const auto schema = wait.find("answer_schema");
  if (schema == wait.end()) return;
  // Compared, not trusted by name: a plugin that writes its declared schema out (approval does)
  // and one that leaves it to the type end alike; a schema that differs in any way is the task's.
  const StepType* type = attempt_type(frame, a);
  if (type != nullptr && type->declares_answer(*schema)) wait.erase(schema);
}

void Execution::close_task(int64_t frame, TaskStatus status) {
  auto a = attempts_.find(frame);
  if (a == attempts_.end() || !a->second.task) return;
  if (host_.durable()) {
    closed_tasks_.push_back(task_record(frame, status));
    mark_dirty();
  }
  changed_tasks_.erase(frame);
  a->second.task.reset();
}

Execution::Attempt* Execution::find_task(const std::string& task_id, int64_t* frame) {
  for (auto& [f, a] : attempts_) {
    if (a.task && a.task->id == task_id) {
      *frame = f;
      return &a;
    }
  }
  return nullptr;
}

void Execution::owe_notification(NotificationKind kind, const Event& event, const json& data) {
  if (!data.is_object()) return;  // a document the caller built: an object in practice
  const auto task_id = data.find("task");
  if (task_id == data.end() || !task_id->is_string()) return;  // no task: nobody to tell
  NotificationRecord n;
  n.id = id_ + "#" + std::to_string(event.seq);
  n.execution_id = id_;
  n.kind = kind;
  n.task = task_id->get<std::string>();
  n.created_at = event.at;
  n.next_at = event.at;
  n.subject = {{"task", n.task}, {"execution", id_}, {"step", event.step}};
  int64_t frame = -1;
  if (find_task(n.task, &frame) != nullptr) {
    const json doc = task_json(frame, /*with_form=*/false);
    for (const char* key : {"workflow", "title", "roles", "organisation", "due", "level"}) {
      if (doc.contains(key)) n.subject[key] = doc[key];
    }
  }
  // What the event says wins: an escalation's roles and due are the new tier's.
  for (const char* key : {"roles", "due", "level", "organisation"}) {
    if (auto it = data.find(key); it != data.end()) n.subject[key] = *it;
  }
  pending_notifications_.push_back(std::move(n));
}

TaskRecord Execution::task_record(int64_t frame, TaskStatus status) const {
  const Attempt& a = attempts_.at(frame);
  const Task& t = *a.task;
  TaskRecord record{t.id,
                    id_,
                    step_path(frame, a.step->id),
                    status,
                    frames_.at(frame).due,
                    t.created_at,
                    task_json(frame, /*with_form=*/false)};
  record.doc["status"] = status;
  json form = json::object();
  for (const char* key : kTaskFormKeys) {
    if (auto it = t.spec.find(key); it != t.spec.end()) form[key] = *it;
  }
  const StepType* type = form.contains("answer_schema") ? nullptr : attempt_type(frame, a);
  if (type == nullptr || type->answer_schema_text().empty()) {
    record.form_encoded = form.dump();
    return record;
  }
  // The text nlohmann would print for the form with the declared schema in it: its keys in
  // order, and "answer_schema" comes first (kTaskFormKeys).
  const std::string rest = form.dump();
  record.form_encoded.reserve(19 + type->answer_schema_text().size() + rest.size());
  record.form_encoded = R"({"answer_schema":)";
  record.form_encoded += type->answer_schema_text();
  if (form.empty()) {
    record.form_encoded += '}';
  } else {
    record.form_encoded += ',';
    record.form_encoded.append(rest, 1);
  }
  return record;
}

json Execution::task_json(int64_t frame, bool with_form) const {
  const Attempt& a = attempts_.at(frame);
  const Task& t = *a.task;
  const Frame& f = frames_.at(frame);
  const Step& step = *a.step;
  json completions = json::array();
  for (const auto& c : t.completions) {
    completions.push_back({{"actor", c["actor"]}, {"role", c["role"]}, {"at", c["at"]}});
  }
  json doc{{"id", t.id},
           {"execution", id_},
           {"workflow", f.workflow->key()},
           {"step", step_path(frame, step.id)},
           {"status", TaskStatus::kOpen},
           {"title", t.spec.value("title", step.id)},
           {"roles", t.roles},
           {"quorum", step.assign ? step.assign->quorum : 1},
           {"completions", std::move(completions)},
           {"created_at", format_utc(t.created_at)},
           {"level", f.level}};
  if (!t.organisation.empty()) doc["organisation"] = t.organisation;
  if (!t.assignee.empty()) doc["assignee"] = t.assignee;
  if (f.due) doc["due"] = format_utc(*f.due);
  if (f.cap) doc["cap"] = format_utc(*f.cap);
  if (f.due && !f.basis.rule.empty()) doc["due_rule"] = f.basis.rule;
  if (f.due && !f.basis.calendar.empty()) doc["calendar"] = f.basis.calendar;
  for (const char* key : kTaskFormKeys) {
    if (with_form && t.spec.contains(key)) doc[key] = t.spec[key];
  }
  if (with_form && !doc.contains("answer_schema")) {
    const StepType* type = attempt_type(frame, a);
    if (type != nullptr && type->answer_schema()) {
      doc["answer_schema"] = type->answer_schema()->document();
    }
  }
  if (step.assign && step.assign->justification) doc["justification_required"] = true;
  if (step.deadline && !step.deadline->extend_roles.empty()) {
    doc["extend_roles"] = step.deadline->extend_roles;
  }
  return doc;
}

Status Execution::check_person(int64_t frame, const Actor& actor) const {
  const Attempt& a = attempts_.at(frame);
  const Task& task = *a.task;
  const Step& step = *a.step;
  if (actor.id.empty() || actor.id == "engine") {
    return Error::invalid_argument("a completion needs the acting person (--as)");
  }
  if (!task.roles.empty() &&
      std::find(task.roles.begin(), task.roles.end(), actor.role) == task.roles.end()) {
    return Error::permission_denied("role '" + actor.role + "' may not complete task " + task.id +
                                    "; it needs one of: " + join_names(task.roles));
  }
  if (!task.organisation.empty() && actor.organisation != task.organisation) {
    return Error::permission_denied("task " + task.id + " is for organisation '" +
                                    task.organisation + "', not '" + actor.organisation + "'");
  }
  const uint32_t quorum = step.assign ? step.assign->quorum : 1;
  for (const auto& c : task.completions) {
    if (c.value("actor", "") == actor.id) {
      return Error::permission_denied(
          actor.id + " already completed task " + task.id +
          (quorum > 1 ? "; its quorum needs " + std::to_string(quorum) + " different people"
                      : std::string()));
    }
  }
  if (task.completions.size() >= quorum) {
    return Error::permission_denied("task " + task.id + " already has its " +
                                    std::to_string(quorum) + " completion(s)");
  }
  if (step.assign) {
    if (step.assign->not_initiator && actor.id == initiator_) {
      return Error::permission_denied("separation of duties: " + actor.id +
                                      " started this execution and may not complete task " +
                                      task.id);
    }
    for (const auto& other : step.assign->separate_from) {
      auto it = actors_.find(frames_.at(frame).path + other);
      if (it != actors_.end() && it->second.count(actor.id) > 0) {
        return Error::permission_denied("separation of duties: " + actor.id + " completed step '" +
                                        other + "' and may not complete task " + task.id);
      }
    }
  }
  return ok_status();
}

Status Execution::check_completion(int64_t frame, const Actor& actor, const json& data) const {
  if (auto s = check_person(frame, actor); !s) return s;
  const Attempt& a = attempts_.at(frame);
  const Task& task = *a.task;
  const Step& step = *a.step;
  if (!task.assignee.empty() && task.assignee != actor.id) {
    return Error::conflict("task " + task.id + " is claimed by " + task.assignee +
                           "; they, or a coordinator, may release or reassign it");
  }
  if (step.assign) {
    if (step.assign->justification) {
      auto j = data.find("justification");
      const bool present = j != data.end() && j->is_string() &&
                           j->get<std::string>().find_first_not_of(" \t\r\n") != std::string::npos;
      if (!present) {
        return Error::invalid_data("task " + task.id +
                                       " needs a justification: add a non-empty \"justification\" "
                                       "text to the answer",
                                   "/justification");
      }
    }
  }
  // What the step type declares of every answer, then the task's own (a form's fields).
  const StepType* type = attempt_type(frame, a);
  if (type != nullptr && type->answer_schema()) {
    const JsonSchema& declared = *type->answer_schema();
    auto violations = declared.validate(data);
    if (!violations.empty()) {
      return Error::invalid_data(
          "the answer does not fit task " + task.id + ": " + declared.describe(violations.front()),
          violations.front().pointer.empty() ? "/" : violations.front().pointer);
    }
  }
  // A task of a snapshot from before the declared schema stopped being copied may name it as
  // its own: checked once.
  const auto own = task.spec.find("answer_schema");
  const bool own_schema =
      own != task.spec.end() && (type == nullptr || !type->declares_answer(*own));
  if (own_schema) {
    auto schema = SchemaCache::shared().compiled(*own);
    if (!schema) return Error::internal("task " + task.id + " has an unusable answer schema");
    auto violations = schema->validate(data);
    if (!violations.empty()) {
      return Error::invalid_data(
          "the answer does not fit task " + task.id + ": " + schema->describe(violations.front()),
          violations.front().pointer.empty() ? "/" : violations.front().pointer);
    }
  }
  // An answer the schema declares outbound (what a member records as shared with another)
  // never says that a suspicious-activity report exists.
  std::optional<ReportDisclosure> found;
  if (type != nullptr) found = find_report_disclosure(data, type->outbound_answers());
  if (!found && own_schema) found = find_report_disclosure(data, outbound_fields(*own));
  if (found) {
    return Error::invalid_data("the answer to task " + task.id + " is refused: " + describe(*found),
                               found->pointer.empty() ? "/" : found->pointer);
  }
  // The workflow's own refusals, once the answer is well formed: an outcome the execution's
  // state does not allow (an "actioned" signal with no confirmed human review).
  if (step.assign && !step.assign->refuse.empty()) {
    const json facts{
        {"answer", data},
        {"actor", {{"id", actor.id}, {"role", actor.role}, {"organisation", actor.organisation}}}};
    const RefusalFacts reader(facts, frames_.at(frame).context);
    for (const auto& rule : step.assign->refuse) {
      if (rule.when.evaluate(reader)) {
        return Error::permission_denied(rule.code + ": " + rule.message);
      }
    }
  }
  return ok_status();
}

Result<json> Execution::complete_task(const std::string& task_id, const Actor& actor,
                                      const json& data) {
  const Working working(*this);
  if (evicted_) return Error::evicted(kEvicted);
  int64_t frame = -1;
  Attempt* a = status_ == ExecutionStatus::kRunning ? find_task(task_id, &frame) : nullptr;
  if (a == nullptr) {
    Error error = Error::not_found("task " + task_id + " is not open");
    audit_only("task_refused", "",
               {{"task", task_id}, {"reason", "not_found"}, {"message", error.message()}}, actor);
    return error;
  }
  const std::string path = step_path(frame, a->step->id);
  // The answer schema says which fields are references (x-coalition-reference, format uri):
  // those may carry more binary than the guard's limit; images are refused everywhere.
  const auto own = a->task->spec.find("answer_schema");
  const StepType* type = own == a->task->spec.end() ? attempt_type(frame, *a) : nullptr;
  const json* schema = own != a->task->spec.end() ? &*own
                       : type != nullptr && type->answer_schema()
                           ? &type->answer_schema()->document()
                           : nullptr;
  const MediaScanOptions options =
      schema != nullptr ? reference_options(*schema) : MediaScanOptions{};
  if (auto s = refuse_media(path, data, "task", task_id, actor, options); !s)
    return std::move(s).error();
  if (auto s = check_completion(frame, actor, data); !s) {
    return refuse_task(path, task_id, std::move(s).error(), actor);
  }
  Task& task = *a->task;
  task.completions.push_back({{"actor", actor.id},
                              {"role", actor.role},
                              {"organisation", actor.organisation},
                              {"at", format_utc(host_.clock().now())},
                              {"data", data}});
  actors_[path].insert(actor.id);
  const uint32_t quorum = a->step->assign ? a->step->assign->quorum : 1;
  record(EventType::kTaskCompleted, path,
         {{"task", task_id},
          {"actor", actor.id},
          {"role", actor.role},
          {"votes", task.completions.size()},
          {"quorum", quorum}},
         actor);
  changed_tasks_.insert(frame);
  json view = task_json(frame);
  // The task's own spec goes back too: what the step asked is all the state a plugin needs.
  resume_attempt(frame,
                 {{"completions", task.completions}, {"quorum", quorum}, {"task", task.spec}});
  return view;
}

Error Execution::refuse_task(const std::string& path, const std::string& task_id, Error error,
                             const Actor& actor) {
  audit_only("task_refused", path,
             {{"task", task_id},
              {"reason", std::string(to_string(error.code()))},
              {"message", error.message()}},
             actor);
  return error;
}

Execution::Attempt* Execution::open_task_or_refuse(const std::string& task_id, const Actor& actor,
                                                   int64_t* frame) {
  Attempt* a = status_ == ExecutionStatus::kRunning ? find_task(task_id, frame) : nullptr;
  if (a == nullptr) {
    audit_only("task_refused", "",
               {{"task", task_id}, {"reason", "not_found"}, {"message", "task is not open"}},
               actor);
  }
  return a;
}

namespace {

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

template <class Act>
Status Execution::on_open_task(const std::string& task_id, const Actor& actor, Act act) {
  const Working working(*this);
  if (evicted_) return Error::evicted(kEvicted);
  int64_t frame = -1;
  Attempt* a = open_task_or_refuse(task_id, actor, &frame);
  if (a == nullptr) return Error::not_found("task " + task_id + " is not open");
  const uint32_t quorum = a->step->assign ? a->step->assign->quorum : 1;
  return act(frame, *a->task, quorum, step_path(frame, a->step->id));
}

Status Execution::claim_task(const std::string& task_id, const Actor& actor) {
  return on_open_task(
      task_id, actor, [&](int64_t frame, Task& task, uint32_t quorum, const std::string& path) {
        Status refused = check_person(frame, actor);
        if (refused && quorum > 1) {
          refused = Error::conflict("task " + task_id + " needs " + std::to_string(quorum) +
                                    " different people; one person cannot claim it");
        } else if (refused && !task.assignee.empty() && task.assignee != actor.id) {
          refused = Error::conflict("task " + task_id + " is claimed by " + task.assignee);
        }
        if (!refused) return Status(refuse_task(path, task_id, std::move(refused).error(), actor));
        if (task.assignee == actor.id) return ok_status();
        task.assignee = actor.id;
        record(EventType::kTaskClaimed, path, {{"task", task_id}, {"assignee", actor.id}}, actor);
        changed_tasks_.insert(frame);
        return ok_status();
      });
}

Status Execution::release_task(const std::string& task_id, const Actor& actor, bool manager) {
  return on_open_task(
      task_id, actor, [&](int64_t frame, Task& task, uint32_t, const std::string& path) {
        Status refused = ok_status();
        if (task.assignee.empty()) {
          refused = Error::conflict("task " + task_id + " is not claimed");
        } else if (task.assignee != actor.id && !manager) {
          refused = Error::permission_denied("task " + task_id + " is claimed by " + task.assignee +
                                             "; only they or a coordinator may release it");
        }
        if (!refused) return Status(refuse_task(path, task_id, std::move(refused).error(), actor));
        const std::string previous = std::exchange(task.assignee, std::string());
        record(EventType::kTaskReleased, path,
               {{"task", task_id}, {"previous", previous}, {"actor", actor.id}}, actor);
        changed_tasks_.insert(frame);
        return ok_status();
      });
}

Status Execution::reassign_task(const std::string& task_id, const Actor& to, const Actor& actor,
                                const std::string& justification, bool manager) {
  return on_open_task(
      task_id, actor, [&](int64_t frame, Task& task, uint32_t quorum, const std::string& path) {
        Status refused = ok_status();
        if (blank(justification)) {
          refused = Error::invalid_data("reassigning a task needs a justification");
        } else if (quorum > 1) {
          refused = Error::conflict("task " + task_id + " needs " + std::to_string(quorum) +
                                    " different people; it is not one person's to hand over");
        } else if (!manager && !(task.assignee == actor.id ||
                                 (task.assignee.empty() && check_person(frame, actor)))) {
          refused = Error::permission_denied(
              task.assignee.empty() ? "only someone who may complete task " + task_id +
                                          ", or a coordinator, may hand it on"
                                    : "task " + task_id + " is claimed by " + task.assignee +
                                          "; only they or a coordinator may hand it on");
        } else if (to.id == task.assignee) {
          refused = Error::conflict("task " + task_id + " is already assigned to " + to.id);
        } else if (auto eligible = check_person(frame, to); !eligible) {
          refused = Error::invalid_data(to.id + " cannot take task " + task_id + ": " +
                                        eligible.error().message());
        }
        if (!refused) return Status(refuse_task(path, task_id, std::move(refused).error(), actor));
        const std::string previous = std::exchange(task.assignee, to.id);
        json data{{"task", task_id},
                  {"assignee", to.id},
                  {"actor", actor.id},
                  {"justification", justification}};
        if (!previous.empty()) data["previous"] = previous;
        record(EventType::kTaskReassigned, path, std::move(data), actor);
        changed_tasks_.insert(frame);
        return ok_status();
      });
}

// Images and video never enter an execution: the payload is refused before anything records
// it, and the audit entry names where and what was found, never the bytes.
Status Execution::refuse_media(const std::string& path, const json& payload, std::string_view fact,
                               std::string_view value, const Actor& actor,
                               const MediaScanOptions& options) {
  auto found = find_media(payload, options);
  if (!found) return ok_status();
  json facts{{std::string(fact), std::string(value)}};
  facts["pointer"] = found->pointer;
  facts["kind"] = found->kind;
  facts["detected_by"] = found->how;
  // The workflow's security contact is told, with the audit entry, in the same commit.
  if (host_.notifies(NotificationKind::kMediaRefused)) {
    json about = facts;
    if (!about.contains("source"))
      about["source"] = about.contains("task") ? "completion" : "signal";
    about["step"] = path;
    if (auto n = security_notice(*workflow_, id_, host_.clock().now(), about, actor)) {
      pending_notifications_.push_back(std::move(*n));
      mark_dirty();
    }
  }
  audit_only("media_refused", path, std::move(facts), actor);
  return Error::media_refused("media refused: " + found->kind + " (" + found->how +
                                  "); Coalition accepts references only (hashes, URLs, case and "
                                  "report numbers), never images or video",
                              found->pointer.empty() ? "/" : found->pointer);
}

Status Execution::signal(const std::string& name, const json& data, const Actor& actor) {
  const Working working(*this);
  if (evicted_) return Error::evicted(kEvicted);
  for (auto& [frame, a] : attempts_) {
    if (!a.suspended || a.signal != name || frames_.at(frame).done) continue;
    const std::string path = step_path(frame, a.step->id);
    if (auto s = refuse_media(path, data, "signal", name, actor); !s) return s;
    a.signal.clear();
    record(EventType::kSignalReceived, step_path(frame, a.step->id), {{"name", name}}, actor);
    resume_attempt(frame, data);
    return ok_status();
  }
  audit_only("signal_refused", "", {{"name", name}, {"reason", "no step waits for it"}}, actor);
  return Error::not_found("execution " + id_ + " has no step waiting for signal '" + name + "'");
}

void Execution::resume_attempt(int64_t frame, json completion) {
  Attempt& a = attempts_.at(frame);
  a.resume_input = completion;
  const StepType* type = attempt_type(frame, a);
  if (type == nullptr) {
    // What the step waited for was asked by another major version, which is not installed any
    // more: handing the answer to a different major could misread it.
    const StepType* any = host_.registry().find(a.step->type);
    std::string why =
        any == nullptr
            ? "step type '" + a.step->type + "' is no longer installed; install its plugin"
            : "the step started under plugin '" + any->info().plugin_id + "' " + a.plugin_version +
                  " and no version with the same major that the workflow admits is installed; "
                  "install one";
    const uint64_t token = a.token;
    schedule([frame, token, why = std::move(why)](Execution& s) {
      s.on_outcome(frame, token,
                   StepOutcome::failed(StepStatus::kPermanentError, "plugin.version_unavailable",
                                       why + " to resume it"));
    });
    return;
  }
  if (!a.plugin_version.empty() && type->info().plugin_version != a.plugin_version) {
    record(EventType::kPluginChanged, step_path(frame, a.step->id),
           {{"plugin", type->info().plugin_id},
            {"from", a.plugin_version},
            {"to", type->info().plugin_version},
            {"sha256", type->info().library_sha256}});
    a.plugin_version = type->info().plugin_version;
  }
  StepContext context = step_context(frame, *a.step, a.number);
  const std::chrono::milliseconds limit = context.time_limit;
  const std::string key = context.idempotency_key;
  dispatch(
      frame, a.token, a.number, key, limit,
      [type, completion = std::move(completion), context = std::move(context)] {
        return type->resume(completion, context);
      },
      type->runs_inline());
}

Status Execution::extend_deadline(const std::string& task_id, TimePoint due, const Actor& actor,
                                  const std::string& justification) {
  const Working working(*this);
  if (evicted_) return Error::evicted(kEvicted);
  int64_t frame = -1;
  Attempt* a = status_ == ExecutionStatus::kRunning ? find_task(task_id, &frame) : nullptr;
  Status refused = ok_status();
  Frame* f = a != nullptr ? &frames_.at(frame) : nullptr;
  if (a == nullptr) {
    refused = Error::not_found("task " + task_id + " is not open");
  } else if (!f->due) {
    refused = Error::invalid_argument("task " + task_id + " has no deadline to move");
  } else if (f->cap && due > *f->cap) {
    refused = Error::invalid_data("the new deadline " + format_utc(due) + " is after the cap " +
                                  format_utc(*f->cap) + " of step " + a->step->id +
                                  "; a deadline may never go beyond its cap");
  } else if (justification.find_first_not_of(" \t\r\n") == std::string::npos) {
    refused = Error::invalid_data("moving a deadline needs a justification");
  } else if (actor.id.empty() || actor.id == "engine") {
    refused = Error::invalid_argument("moving a deadline needs the acting person (--as)");
  } else {
    // Who may move it: the roles the workflow names for that, else those the task is assigned
    // to now; and only someone of the task's organisation.
    const auto& named =
        a->step->deadline ? a->step->deadline->extend_roles : std::vector<std::string>{};
    const auto& allowed = named.empty() ? a->task->roles : named;
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), actor.role) == allowed.end()) {
      refused =
          Error::permission_denied("role '" + actor.role + "' may not move the deadline of task " +
                                   task_id + "; it needs one of: " + join_names(allowed));
    } else if (!a->task->organisation.empty() && actor.organisation != a->task->organisation) {
      refused =
          Error::permission_denied("task " + task_id + " is for organisation '" +
                                   a->task->organisation + "', not '" + actor.organisation + "'");
    }
  }
  if (!refused) {
    audit_only(
        "deadline_refused", a != nullptr ? step_path(frame, a->step->id) : "",
        {{"task", task_id}, {"due", format_utc(due)}, {"message", refused.error().message()}},
        actor);
    return refused;
  }
  const TimePoint previous = *f->due;
  f->due = due;
  // Who moved it is in the deadline_extended event; the calendar stays, as the one whose days
  // the deadline is read in (a date given for the next extension is a day of that calendar).
  f->basis = {"moved by " + actor.role, f->basis.calendar};
  record(EventType::kDeadlineExtended, step_path(frame, a->step->id),
         {{"task", task_id},
          {"due", format_utc(due)},
          {"previous", format_utc(previous)},
          {"actor", actor.id},
          {"justification", justification}},
         actor);
  changed_tasks_.insert(frame);
  arm_deadline_timers(frame);
  return ok_status();
}

bool Execution::start_deadline(int64_t frame, const Step& step) {
  Frame& f = frames_.at(frame);
  auto due = resolve_step_due(*step.deadline, f.context, f.entered_at, host_.calendars());
  if (!due) {
    const bool config = due.error().code() == ErrorCode::kConfiguration;
    on_step_error(frame, step,
                  make_error(config ? "config.calendar" : "deadline.invalid",
                             "deadline of step '" + step.id + "': " + due.error().message()));
    return false;
  }
  f.due = due->due;
  f.cap = due->cap;
  f.basis = std::move(due->basis);
  f.cap_basis = std::move(due->cap_basis);
  f.level = 0;
  arm_deadline_timers(frame);
  return true;
}

void Execution::arm_deadline_timers(int64_t frame) {
  std::vector<uint64_t> old;
  for (const auto& [id, t] : timers_) {
    if (t.frame == frame && (t.kind == TimerKind::kDeadline || t.kind == TimerKind::kReminder))
      old.push_back(id);
  }
  for (uint64_t id : old) cancel_timer(id);
  const Frame& f = frames_.at(frame);
  const DeadlineSpec& d = *current_step(frame).deadline;
  add_timer({.due = *f.due, .kind = TimerKind::kDeadline, .frame = frame, .level = f.level});
  const TimePoint now = host_.clock().now();
  for (size_t i = 0; i < d.remind.size(); ++i) {
    const TimePoint at = *f.due - d.remind[i];
    if (at > now) {
      add_timer({.due = at,
                 .kind = TimerKind::kReminder,
                 .frame = frame,
                 .reminder = static_cast<uint32_t>(i)});
    }
  }
}

void Execution::on_reminder(int64_t frame, uint32_t index) {
  const Frame& f = frames_.at(frame);
  if (f.done || !f.due) return;
  json data{{"due", format_utc(*f.due)},
            {"before", format_duration(current_step(frame).deadline->remind.at(index))}};
  auto a = attempts_.find(frame);
  if (a != attempts_.end() && a->second.task) {
    data["task"] = a->second.task->id;
    data["roles"] = a->second.task->roles;
  }
  record(EventType::kReminderDue, step_path(frame, f.current), std::move(data));
}

// Escalation hands the open task to the next tier with a fresh deadline; past the last tier the
// step fails with deadline.expired (which catch clauses can route) or takes on_expiry.next.
void Execution::on_deadline(int64_t frame, uint32_t level) {
  Frame& f = frames_.at(frame);
  if (f.done || level != f.level) return;
  const Step& step = current_step(frame);
  const DeadlineSpec& d = *step.deadline;
  const std::string path = step_path(frame, step.id);
  auto a = attempts_.find(frame);
  const bool has_task = a != attempts_.end() && a->second.task;
  if (has_task && f.level < d.escalate.size()) {
    const EscalationTier& tier = d.escalate[f.level];
    DueBasis basis;
    auto due = resolve_due(tier.due, f.context, host_.clock().now(), host_.calendars(), &basis);
    if (due && f.cap && *due > *f.cap) {  // the cap bounds every tier too
      *due = *f.cap;
      basis = {"the cap: " + f.cap_basis.rule, f.cap_basis.calendar};
    }
    if (due) {
      ++f.level;
      f.due = *due;
      f.basis = std::move(basis);
      Task& task = *a->second.task;
      task.roles = tier.roles;
      json data{
          {"task", task.id}, {"level", f.level}, {"roles", tier.roles}, {"due", format_utc(*due)}};
      // The task now belongs to the tier's roles: a claim from before (the person who let the
      // deadline pass) would keep them out.
      if (!task.assignee.empty()) data["released"] = std::exchange(task.assignee, std::string());
      record(EventType::kEscalated, path, std::move(data));
      changed_tasks_.insert(frame);
      mark_dirty();
      arm_deadline_timers(frame);
      return;
    }
    if (d.on_expiry_keep_open) {
      // The next tier cannot be reached (its span or calendar is missing): the task stays with
      // the people who hold it now, overdue, and the event says why — never a failed case.
      record(EventType::kDeadlineExpired, path,
             {{"task", a->second.task->id},
              {"due", format_utc(*f.due)},
              {"action", "keep_open"},
              {"error", "escalation of step '" + step.id + "': " + due.error().message()}});
      mark_dirty();
      return;
    }
    record(EventType::kDeadlineExpired, path,
           {{"task", a->second.task->id}, {"due", format_utc(*f.due)}, {"action", "fail"}});
    close_task(frame, TaskStatus::kExpired);
    cancel_frame_timers(frame);
    attempts_.erase(frame);
    const bool config = due.error().code() == ErrorCode::kConfiguration;
    on_step_error(frame, step,
                  make_error(config ? "config.calendar" : "deadline.invalid",
                             "escalation of step '" + step.id + "': " + due.error().message()));
    return;
  }
  if (d.on_expiry_keep_open) {
    // The work stays with the last tier's people, overdue: the event (and its notifications)
    // say the target was missed; nothing fails and no timer is left for this deadline. An
    // extension arms it again, and its expiry keeps the task open again.
    json data{{"due", format_utc(*f.due)}, {"action", "keep_open"}};
    if (has_task) data["task"] = a->second.task->id;
    record(EventType::kDeadlineExpired, path, std::move(data));
    mark_dirty();
    return;
  }
  json data{
      {"due", format_utc(*f.due)},
      {"action", d.on_expiry_next.empty() ? std::string("fail") : "next:" + d.on_expiry_next}};
  if (has_task) data["task"] = a->second.task->id;
  record(EventType::kDeadlineExpired, path, std::move(data));
  close_task(frame, TaskStatus::kExpired);
  cancel_frame_timers(frame);
  attempts_.erase(frame);
  waiting_.erase(frame);
  if (d.on_expiry_next.empty()) {
    on_step_error(frame, step,
                  make_error("deadline.expired",
                             "step '" + step.id + "' was not done by " + format_utc(*f.due)));
  } else {
    enter(frame, d.on_expiry_next);
  }
}

}  // namespace coalition
