#include "workflow/workflow_loader.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <regex>
#include <set>

#include "common/json_text.h"
#include "guard/media_scan.h"
#include "guard/report_disclosure.h"
#include "workflow/calendar_period.h"
#include "workflow/data_template.h"
#include "workflow/step_kinds.h"
#include "workflow/step_walk.h"
#include "workflow/workflow_format_schema.h"

namespace coalition {

using nlohmann::json;

const json& workflow_format_schema() {
  static const json schema = json::parse(kWorkflowFormatSchema);
  return schema;
}

namespace {

const JsonSchema& compiled_format_schema() {
  static const JsonSchema schema = std::move(JsonSchema::compile(workflow_format_schema()).value());
  return schema;
}

// valijson names the broken constraint ("Failed to match regex specified by 'pattern'
// constraint"); a coordinator needs to hear what was expected. The last token of the pointer
// says which field it is, and the format is small enough to say it for each.
std::string last_token(const std::string& pointer) {
  auto slash = pointer.rfind('/');
  return slash == std::string::npos ? pointer : pointer.substr(slash + 1);
}

std::string expectation_for(const std::string& field) {
  static const std::map<std::string, std::string> kExpected = {
      {"id", "lower-case letters, digits and '_', starting with a letter, such as \"aml_review\""},
      {"next", "the id of a step in the same sequence"},
      {"default", "the id of a step in the same sequence"},
      {"name", "lower-case letters, digits and '_', starting with a letter"},
      {"timeout",
       "an ISO 8601 duration such as \"PT30S\", \"PT1H30M\" or \"P3D\" (no years or months)"},
      {"for",
       "an ISO 8601 duration such as \"PT30S\", \"PT1H30M\" or \"P3D\" (no years or months)"},
      {"initial_interval", "an ISO 8601 duration such as \"PT1S\""},
      {"max_interval", "an ISO 8601 duration such as \"PT1M\""},
      {"error", "a dotted lower-case error code such as \"aml.rejected\""},
      {"result", "a JSON Pointer into the context such as \"/review/outcome\""},
      {"items", "a JSON Pointer into the context such as \"/input/members\""},
      {"until", "a JSON Pointer into the context such as \"/input/review_at\""},
      {"kind", "one of task, choice, parallel, map, workflow, wait, succeed, fail"},
      {"version", "an integer of at least 1"},
      {"join/mode", "one of all, any, at_least (how a parallel step joins its branches)"},
      {"mode", "one of each, first_success, any_success (how a map step runs its items)"},
  };
  auto it = kExpected.find(field);
  return it == kExpected.end() ? std::string() : it->second;
}

// Properties a step of `kind` may have, from the published schema.
std::vector<std::string> step_properties(const std::string& kind) {
  std::vector<std::string> names;
  const auto& defs = workflow_format_schema()["definitions"];
  auto it = defs.find(kind);
  if (it == defs.end() || !it->contains("properties")) return names;
  for (const auto& [name, schema] : (*it)["properties"].items()) names.push_back(name);
  return names;
}

Problem explain(const SchemaViolation& v, const json& doc) {
  std::string field = last_token(v.pointer);
  // A parallel step's join and a map step both have a `mode`, with different words.
  if (field == "mode" && v.pointer.size() > 10 &&
      v.pointer.compare(v.pointer.size() - 10, 10, "/join/mode") == 0) {
    field = "join/mode";
  }
  std::string expected = expectation_for(field);
  const bool constraint = v.message.rfind("Failed to match", 0) == 0 ||
                          v.message.rfind("Expected number", 0) == 0 ||
                          v.message.rfind("Value type not permitted", 0) == 0;
  if (constraint && !expected.empty()) {
    const bool type = v.message.rfind("Value type not permitted", 0) == 0 && !v.found.empty();
    return {v.pointer, "expected " + expected + (type ? ", found " + v.found : "")};
  }
  const std::string unknown =
      "could not be validated using 'properties' or 'additionalProperties' constraints: '";
  auto at = v.message.find(unknown);
  if (at != std::string::npos) {
    std::string key = v.message.substr(at + unknown.size());
    key = key.substr(0, key.find('\''));
    std::string message = "unknown property '" + key + "'";
    const json* node = find_at(doc, v.pointer);
    if (node != nullptr && node->is_object() && node->contains("kind") &&
        (*node)["kind"].is_string()) {
      auto allowed = step_properties((*node)["kind"]);
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      message += " for a " + (*node)["kind"].get<std::string>() + " step; expected one of: " + list;
    }
    return {v.pointer, message};
  }
  return {v.pointer, compiled_format_schema().describe(v)};
}

class Builder {
 public:
  explicit Builder(Problems& problems, const std::set<std::string>* placeholders = nullptr)
      : problems_(problems), placeholders_(placeholders) {}

  std::shared_ptr<const Sequence> sequence(const json& steps, const std::string& at) {
    auto seq = std::make_shared<Sequence>();
    for (size_t i = 0; i < steps.size(); ++i) {
      const std::string step_at = pointer_append(at, i);
      Step s = step(steps[i], step_at);
      if (seq->index.count(s.id) != 0) {
        add(pointer_append(step_at, "id"),
            "duplicate step id '" + s.id + "': step ids must be unique within their sequence");
        continue;
      }
      seq->index[s.id] = seq->steps.size();
      seq->steps.push_back(std::move(s));
    }
    if (!seq->steps.empty()) seq->start = seq->steps.front().id;
    check_graph(*seq);
    return seq;
  }

  // A member parsed by `parse` (a duration or a calendar period); a refusal is a problem at
  // the member's pointer.
  template <typename T>
  std::optional<T> member(const json& doc, const char* key, const std::string& at,
                          Result<T> (*parse)(std::string_view)) {
    auto it = doc.find(key);
    if (it == doc.end()) return std::nullopt;
    auto parsed = parse(it->get<std::string>());
    if (!parsed) {
      add(pointer_append(at, key), parsed.error().message());
      return std::nullopt;
    }
    return *parsed;
  }

  std::optional<Duration> duration(const json& doc, const char* key, const std::string& at) {
    return member(doc, key, at, parse_duration);
  }

  std::optional<CalendarPeriod> period(const json& doc, const char* key, const std::string& at) {
    return member(doc, key, at, parse_calendar_period);
  }

  Span span(const json& doc, const std::string& at) {
    Span span;
    if (doc.is_string()) {
      auto d = parse_duration(doc.get<std::string>());
      if (!d) {
        add(at, d.error().message());
      } else {
        span.fixed = *d;
      }
    } else {
      span.business_days = doc.value("business_days", 0u);
      span.calendar = doc.value("calendar", "");
    }
    return span;
  }

  AssignSpec assign(const json& doc, const std::string& at) {
    AssignSpec a;
    if (auto r = doc.find("roles"); r != doc.end() && r->is_object()) {
      a.roles_ref = *r;
      check_template_at(doc, "roles", at);
    } else {
      a.roles = doc.value("roles", std::vector<std::string>{});
    }
    a.organisation = doc.value("organisation", json());
    check_template_at(doc, "organisation", at);
    a.quorum = doc.value("quorum", 1u);
    a.separate_from = doc.value("separate_from", std::vector<std::string>{});
    a.not_initiator = doc.value("not_initiator", false);
    a.justification = doc.value("justification", false);
    if (auto r = doc.find("refuse"); r != doc.end()) {
      for (size_t i = 0; i < r->size(); ++i) {
        const std::string rule_at = pointer_append(pointer_append(at, "refuse"), i);
        auto cond = Condition::compile((*r)[i]["when"], pointer_append(rule_at, "when"));
        if (!cond) {
          add(cond.error().pointer(), cond.error().message());
          continue;
        }
        a.refuse.push_back(
            {std::move(*cond), (*r)[i].value("code", ""), (*r)[i].value("message", "")});
      }
    }
    return a;
  }

  DueSpec due(const json& doc, const std::string& at) {
    DueSpec d;
    if (auto in = doc.find("in"); in != doc.end()) {
      if (in->is_object() && in->contains("$path")) {
        d.in_ref = *in;
        check_template_at(doc, "in", at);
      } else {
        d.in = span(*in, pointer_append(at, "in"));
      }
    }
    d.from = doc.value("from", "");
    d.at = doc.value("at", "");
    return d;
  }

  DeadlineSpec deadline(const json& doc, const std::string& at) {
    DeadlineSpec d;
    d.due = due(doc, at);
    if (auto c = doc.find("cap"); c != doc.end()) d.cap = due(*c, pointer_append(at, "cap"));
    d.extend_roles = doc.value("extend_roles", std::vector<std::string>{});
    if (auto r = doc.find("remind"); r != doc.end()) {
      for (size_t i = 0; i < r->size(); ++i) {
        auto before = parse_duration((*r)[i].get<std::string>());
        if (!before) {
          add(pointer_append(pointer_append(at, "remind"), i), before.error().message());
        } else {
          d.remind.push_back(*before);
        }
      }
    }
    if (auto e = doc.find("escalate"); e != doc.end()) {
      for (size_t i = 0; i < e->size(); ++i) {
        const std::string tier_at = pointer_append(pointer_append(at, "escalate"), i);
        d.escalate.push_back(
            {(*e)[i].value("roles", std::vector<std::string>{}), due((*e)[i], tier_at)});
      }
    }
    if (auto x = doc.find("on_expiry"); x != doc.end() && x->is_object()) {
      d.on_expiry_next = x->value("next", "");
    } else if (x != doc.end() && *x == "keep_open") {
      d.on_expiry_keep_open = true;
    }
    return d;
  }

  void add(std::string pointer, std::string message) {
    problems_.push_back({std::move(pointer), std::move(message)});
  }

 private:
  void check_template_at(const json& doc, const char* key, const std::string& at) {
    auto it = doc.find(key);
    if (it == doc.end()) return;
    for (const auto& e : template_problems(*it, pointer_append(at, key))) {
      add(e.pointer(), e.message());
    }
  }

  Step step(const json& s, const std::string& at) {
    Step step;
    step.id = s.value("id", "");
    step.pointer = at;
    step.next = s.value("next", "");
    step.result = s.value("result", "");
    // The format schema admits only the kinds of the table; a step it refused is read as a task.
    step.kind = parse_step_kind(s.value("kind", "")).value_or(StepKind::kTask);
    static_assert(in_kind_order(kReaders), "one reader per step kind, in the order of StepKind");
    (this->*kReaders[static_cast<size_t>(step.kind)].read)(s, at, step);
    if (auto c = s.find("catch"); c != s.end()) {
      for (const auto& clause : *c) {
        step.catches.push_back({clause["errors"].get<std::vector<std::string>>(),
                                clause.value("next", ""), clause.value("result", "")});
      }
    }
    return step;
  }

  // One reader per kind: the fields of `step` its kind has, from the step's document `s` at `at`.
  void read_task(const json& s, const std::string& at, Step& step) {
    step.type = s.value("type", "");
    step.parameters = s.value("parameters", json::object());
    check_template_at(s, "parameters", at);
    step.timeout = duration(s, "timeout", at);
    if (auto r = s.find("retry"); r != s.end()) retry(*r, pointer_append(at, "retry"), step.retry);
    if (auto a = s.find("assign"); a != s.end()) {
      step.assign = assign(*a, pointer_append(at, "assign"));
    }
    if (auto d = s.find("deadline"); d != s.end()) {
      step.deadline = deadline(*d, pointer_append(at, "deadline"));
    }
  }

  void read_choice(const json& s, const std::string& at, Step& step) {
    const auto& choices = s["choices"];
    for (size_t i = 0; i < choices.size(); ++i) {
      const std::string rule_at = pointer_append(pointer_append(at, "choices"), i);
      auto cond = Condition::compile(choices[i]["when"], pointer_append(rule_at, "when"));
      if (!cond) {
        add(cond.error().pointer(), cond.error().message());
        continue;
      }
      step.choices.push_back({std::move(*cond), choices[i].value("next", "")});
    }
    step.default_next = s.value("default", "");
  }

  void read_parallel(const json& s, const std::string& at, Step& step) {
    const auto& branches = s["branches"];
    std::set<std::string> names;
    for (size_t i = 0; i < branches.size(); ++i) {
      const std::string branch_at = pointer_append(pointer_append(at, "branches"), i);
      const std::string name = branches[i].value("name", "");
      if (!names.insert(name).second) {
        add(pointer_append(branch_at, "name"), "duplicate branch name '" + name + "'");
      }
      step.branches.push_back(
          {name, sequence(branches[i]["steps"], pointer_append(branch_at, "steps"))});
    }
    step.branches_by_name.resize(step.branches.size());
    std::iota(step.branches_by_name.begin(), step.branches_by_name.end(), size_t{0});
    std::stable_sort(
        step.branches_by_name.begin(), step.branches_by_name.end(),
        [&step](size_t a, size_t b) { return step.branches[a].name < step.branches[b].name; });
    join(s, at, step);
  }

  void read_map(const json& s, const std::string& at, Step& step) {
    step.items = s.value("items", "");
    step.max_concurrency = s.value("max_concurrency", 0u);
    const std::string mode = s.value("mode", "each");
    if (mode == "first_success") step.map_mode = MapMode::kFirstSuccess;
    if (mode == "any_success") step.map_mode = MapMode::kAnySuccess;
    step.iterator = sequence(s["steps"], pointer_append(at, "steps"));
  }

  void read_sub_workflow(const json& s, const std::string& at, Step& step) {
    step.workflow_id = s["workflow"].value("id", "");
    step.workflow_version = s["workflow"].value("version", int64_t{0});
    step.input = s.value("input", json::object());
    check_template_at(s, "input", at);
  }

  void read_wait(const json& s, const std::string& at, Step& step) {
    step.wait_for = period(s, "for", at);
    step.wait_until = s.value("until", "");
  }

  void read_succeed(const json& s, const std::string& at, Step& step) {
    if (s.contains("output")) step.output = s["output"];
    check_template_at(s, "output", at);
  }

  void read_fail(const json& s, const std::string& /*at*/, Step& step) {
    step.error_code = s.value("error", "");
    step.error_message = s.value("message", "");
  }

  struct Reader {
    StepKind kind;
    void (Builder::*read)(const json&, const std::string&, Step&);
  };
  static constexpr std::array<Reader, kStepKindCount> kReaders = {{
      {StepKind::kTask, &Builder::read_task},
      {StepKind::kChoice, &Builder::read_choice},
      {StepKind::kParallel, &Builder::read_parallel},
      {StepKind::kMap, &Builder::read_map},
      {StepKind::kWorkflow, &Builder::read_sub_workflow},
      {StepKind::kWait, &Builder::read_wait},
      {StepKind::kSucceed, &Builder::read_succeed},
      {StepKind::kFail, &Builder::read_fail},
  }};

  void retry(const json& r, const std::string& at, RetryPolicy& policy) {
    policy.max_attempts = r.value("max_attempts", policy.max_attempts);
    if (auto d = duration(r, "initial_interval", at)) policy.initial_interval = *d;
    if (auto d = duration(r, "max_interval", at)) policy.max_interval = *d;
    policy.backoff_coefficient = r.value("backoff_coefficient", policy.backoff_coefficient);
    policy.jitter = r.value("jitter", policy.jitter);
    if (r.contains("retryable")) policy.retryable = r["retryable"].get<std::vector<std::string>>();
    if (policy.max_interval < policy.initial_interval) {
      add(pointer_append(at, "max_interval"), "must not be shorter than initial_interval");
    }
  }

  void join(const json& s, const std::string& at, Step& step) {
    auto j = s.find("join");
    if (j == s.end()) return;
    const std::string mode = j->value("mode", "all");
    step.join = mode == "any"        ? JoinMode::kAny
                : mode == "at_least" ? JoinMode::kAtLeast
                                     : JoinMode::kAll;
    step.join_count = j->value("count", 0u);
    const std::string join_at = pointer_append(at, "join");
    if (step.join == JoinMode::kAtLeast &&
        (step.join_count == 0 || step.join_count > step.branches.size())) {
      add(pointer_append(join_at, "count"), "\"at_least\" needs a count between 1 and the " +
                                                std::to_string(step.branches.size()) + " branches");
    } else if (step.join != JoinMode::kAtLeast && j->contains("count")) {
      add(pointer_append(join_at, "count"), "\"count\" applies only to mode \"at_least\"");
    }
    if (auto of = j->find("of"); of != j->end()) {
      if (step.join != JoinMode::kAll) {
        add(pointer_append(join_at, "of"), "\"of\" applies only to mode \"all\"");
        return;
      }
      for (size_t k = 0; k < of->size(); ++k) {
        const std::string name = (*of)[k].get<std::string>();
        size_t b = 0;
        while (b < step.branches.size() && step.branches[b].name != name) ++b;
        if (b == step.branches.size()) {
          std::string names;
          for (const auto& br : step.branches) names += (names.empty() ? "" : ", ") + br.name;
          add(pointer_append(pointer_append(join_at, "of"), k),
              "no branch '" + name + "'; expected one of: " + names);
          continue;
        }
        step.join_of.push_back(b);
      }
    }
  }

  // Transitions must name steps of the same sequence; every step must be reachable from the
  // first; and from every reachable step some path must lead out of the sequence (a succeed or
  // fail step, or a step without "next"). Catch edges count as paths.
  void check_graph(const Sequence& seq) {
    std::vector<bool> exits(seq.steps.size(), false);
    std::vector<std::vector<size_t>> edges(seq.steps.size());
    for (size_t i = 0; i < seq.steps.size(); ++i) {
      exits[i] = link_step(seq, seq.steps[i], edges[i]);
    }
    if (seq.steps.empty()) return;
    // A placeholder's edges are unknown (its step was broken): whether the others are reached
    // or lead out cannot be judged until it is mended.
    if (placeholders_ != nullptr) {
      for (const auto& s : seq.steps) {
        if (placeholders_->count(s.pointer) != 0) return;
      }
    }
    report_unreached_and_stuck(seq, reachable_from_start(edges), leading_out(edges, exits));
    check_choice_loops(seq, edges);
  }

  // The steps `s` may go on to (its choices, next, deadline expiry and catches) into `out`,
  // each named transition checked (and the steps it must be separate from); true when `s`
  // leads out of its sequence.
  bool link_step(const Sequence& seq, const Step& s, std::vector<size_t>& out) {
    auto link = [&](const std::string& target, const std::string& at) {
      auto it = seq.index.find(target);
      if (it == seq.index.end()) {
        add(at, "no step '" + target + "' in this sequence; expected one of: " + ids(seq));
        return;
      }
      out.push_back(it->second);
    };
    bool exits = false;
    if (s.kind == StepKind::kChoice) {
      for (size_t c = 0; c < s.choices.size(); ++c) {
        link(s.choices[c].next,
             pointer_append(pointer_append(pointer_append(s.pointer, "choices"), c), "next"));
      }
      if (!s.default_next.empty()) link(s.default_next, pointer_append(s.pointer, "default"));
    } else if (info(s.kind).ends_sequence || s.next.empty()) {
      exits = true;
    } else {
      link(s.next, pointer_append(s.pointer, "next"));
    }
    if (s.deadline && !s.deadline->on_expiry_next.empty()) {
      link(s.deadline->on_expiry_next,
           pointer_append(pointer_append(pointer_append(s.pointer, "deadline"), "on_expiry"),
                          "next"));
    }
    check_separations(seq, s);
    for (size_t c = 0; c < s.catches.size(); ++c) {
      link(s.catches[c].next,
           pointer_append(pointer_append(pointer_append(s.pointer, "catch"), c), "next"));
    }
    return exits;
  }

  // Separation of duties names steps of the same sequence.
  void check_separations(const Sequence& seq, const Step& s) {
    if (!s.assign) return;
    for (size_t k = 0; k < s.assign->separate_from.size(); ++k) {
      if (seq.index.count(s.assign->separate_from[k]) == 0) {
        add(pointer_append(pointer_append(pointer_append(s.pointer, "assign"), "separate_from"), k),
            "no step '" + s.assign->separate_from[k] +
                "' in this sequence; expected one of: " + ids(seq));
      }
    }
  }

  static std::vector<bool> reachable_from_start(const std::vector<std::vector<size_t>>& edges) {
    std::vector<bool> reachable(edges.size(), false);
    std::vector<size_t> stack{0};
    reachable[0] = true;
    while (!stack.empty()) {
      const size_t n = stack.back();
      stack.pop_back();
      for (size_t m : edges[n]) {
        if (!reachable[m]) {
          reachable[m] = true;
          stack.push_back(m);
        }
      }
    }
    return reachable;
  }

  // The steps from which some path reaches an exit: the exits, then whatever leads to one.
  static std::vector<bool> leading_out(const std::vector<std::vector<size_t>>& edges,
                                       std::vector<bool> exits) {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t n = 0; n < edges.size(); ++n) {
        if (exits[n]) continue;
        const bool out = std::any_of(edges[n].begin(), edges[n].end(),
                                     [&exits](size_t m) { return static_cast<bool>(exits[m]); });
        if (out) exits[n] = changed = true;
      }
    }
    return exits;
  }

  void report_unreached_and_stuck(const Sequence& seq, const std::vector<bool>& reachable,
                                  const std::vector<bool>& leads_out) {
    std::string stuck;
    std::string first_stuck;
    for (size_t n = 0; n < seq.steps.size(); ++n) {
      if (!reachable[n]) {
        add(seq.steps[n].pointer,
            "step '" + seq.steps[n].id + "' is unreachable: no step of its sequence leads to it");
      } else if (!leads_out[n]) {
        stuck += (stuck.empty() ? "" : ", ") + seq.steps[n].id;
        if (first_stuck.empty()) first_stuck = seq.steps[n].pointer;
      }
    }
    if (!stuck.empty()) {
      add(first_stuck, "loop with no way out: steps " + stuck +
                           " never reach a succeed or fail step or a step without \"next\"");
    }
  }

  // A loop made only of choice steps never waits for anything: the context cannot change
  // inside it, so once entered it turns for ever. Such steps are what remains after peeling
  // off, again and again, the choices no other choice leads to or that lead to no choice.
  void check_choice_loops(const Sequence& seq, const std::vector<std::vector<size_t>>& edges) {
    const size_t n = seq.steps.size();
    auto is_choice = [&](size_t i) { return seq.steps[i].kind == StepKind::kChoice; };
    std::vector<bool> in(n);
    for (size_t i = 0; i < n; ++i) in[i] = is_choice(i);
    for (bool changed = true; changed;) {
      changed = false;
      std::vector<size_t> from(n, 0), to(n, 0);
      for (size_t i = 0; i < n; ++i) {
        if (!in[i]) continue;
        for (size_t m : edges[i]) {
          if (!in[m]) continue;
          ++to[i];
          ++from[m];
        }
      }
      for (size_t i = 0; i < n; ++i) {
        if (in[i] && (from[i] == 0 || to[i] == 0)) {
          in[i] = false;
          changed = true;
        }
      }
    }
    std::string loop;
    std::string first;
    for (size_t i = 0; i < n; ++i) {
      if (!in[i]) continue;
      loop += (loop.empty() ? "" : ", ") + seq.steps[i].id;
      if (first.empty()) first = seq.steps[i].pointer;
    }
    if (!loop.empty()) {
      add(first, "loop of choice steps only: " + loop +
                     " lead to each other with no task, wait or signal between them, so the "
                     "context cannot change and an execution that enters would turn for ever");
    }
  }

  static std::string ids(const Sequence& seq) {
    std::string out;
    for (const auto& s : seq.steps) out += (out.empty() ? "" : ", ") + s.id;
    return out;
  }

  Problems& problems_;
  const std::set<std::string>* placeholders_;  // steps standing in for broken ones, or null
};

}  // namespace

std::vector<const Step*> sub_workflow_calls(const Workflow& workflow) {
  std::vector<const Step*> out;
  for_each_step(*workflow.main, [&out](const Step& s) {
    if (info(s.kind).children == StepChildren::kSubWorkflow) out.push_back(&s);
  });
  return out;
}

const Step* Sequence::find(const std::string& id) const {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &steps[it->second];
}

std::string describe(const Span& span) {
  if (span.fixed) return format_duration(*span.fixed);
  return std::to_string(span.business_days) + " business day" +
         (span.business_days == 1 ? "" : "s") + " (" + span.calendar + ")";
}

namespace {

const std::regex& step_id_pattern() {
  static const std::regex pattern("^[a-z][a-z0-9_]*$");
  return pattern;
}

bool is_step_id(const json& v) {
  return v.is_string() && std::regex_match(v.get<std::string>(), step_id_pattern());
}

// Replaces what the format refuses with placeholders the Builder can read: the innermost step
// holding a violation becomes a noop task keeping its id, `next` and `result` when they are well
// formed; a top-level member is given a neutral value or removed. False when nothing usable
// remains (no list of steps).
bool patch_for_checking(json& doc, const std::vector<SchemaViolation>& violations,
                        std::set<std::string>& placeholders) {
  if (!doc.is_object()) return false;
  for (const auto& v : violations) {
    const auto tokens = split_pointer(v.pointer);
    // The innermost element of a "steps" list on the way to the violation.
    json* node = &doc;
    std::string at;
    json* step = nullptr;
    std::string step_at;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& token = tokens[i];
      json* next = nullptr;
      if (node->is_object() && node->contains(token)) {
        next = &(*node)[token];
      } else if (node->is_array() && !token.empty() &&
                 token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10 &&
                 std::stoul(token) < node->size()) {
        next = &(*node)[std::stoul(token)];
        if (i > 0 && tokens[i - 1] == "steps") {
          step = next;
          step_at = pointer_append(at, token);
        }
      }
      if (next == nullptr) break;
      node = next;
      at = pointer_append(at, token);
    }
    if (step != nullptr) {
      if (placeholders.count(step_at) != 0) continue;
      json stand_in{{"kind", "task"}, {"type", "noop"}};
      stand_in["id"] = step->is_object() && is_step_id(step->value("id", json()))
                           ? (*step)["id"]
                           : json("invalid_step_" + std::to_string(placeholders.size() + 1));
      if (step->is_object() && is_step_id(step->value("next", json()))) {
        stand_in["next"] = (*step)["next"];
      }
      if (step->is_object() && step->value("result", json()).is_string() &&
          is_valid_pointer((*step)["result"].get<std::string>())) {
        stand_in["result"] = (*step)["result"];
      }
      *step = std::move(stand_in);
      placeholders.insert(step_at);
      continue;
    }
    // Outside every step: the workflow's own members.
    const std::string member = tokens.empty() ? "" : tokens.front();
    if (member == "steps") return false;
    if (member.empty()) {  // unknown or missing members of the workflow itself
      const auto& known = workflow_format_schema()["properties"];
      for (auto it = doc.begin(); it != doc.end();) {
        it = known.contains(it.key()) ? std::next(it) : doc.erase(it);
      }
      if (!doc.contains("steps")) return false;
      if (!doc.contains("id")) doc["id"] = "invalid";
      if (!doc.contains("version")) doc["version"] = 1;
      if (!doc.contains("title")) doc["title"] = "untitled";
      placeholders.insert("");
      continue;
    }
    if (member == "id") {
      doc["id"] = "invalid";
    } else if (member == "version") {
      doc["version"] = 1;
    } else if (member == "title") {
      doc["title"] = "untitled";
    } else {
      doc.erase(member);
    }
    placeholders.insert("/" + member);
  }
  return true;
}

}  // namespace

bool LoadedWorkflow::covers(const std::string& pointer) const {
  for (const auto& p : placeholders) {
    if (p.empty()) {
      if (pointer.empty()) return true;
      continue;  // the root's own members were mended; what lies under them was checked
    }
    if (pointer == p || pointer.rfind(p + "/", 0) == 0) return true;
  }
  return false;
}

namespace {

// The workflow's main sequence, and the steps it holds in every sequence.
void set_main(Workflow& workflow, std::shared_ptr<const Sequence> main) {
  workflow.main = std::move(main);
  workflow.step_count = 0;
  if (workflow.main) for_each_step(*workflow.main, [&](const Step&) { ++workflow.step_count; });
}

}  // namespace

LoadedWorkflow load_workflow(std::string_view text, const std::string& source) {
  LoadedWorkflow loaded;
  auto doc = parse_json(text);
  if (!doc) {
    loaded.problems.push_back({doc.error().pointer(), doc.error().message()});
    return loaded;
  }
  const auto violations = compiled_format_schema().validate(*doc);
  for (const auto& v : violations) loaded.problems.push_back(explain(v, *doc));
  // A definition is an input like any other: a literal parameter, a task title or an example
  // may not smuggle an image or video in.
  if (auto found = find_media(*doc)) {
    loaded.problems.push_back({found->pointer.empty() ? "/" : found->pointer,
                               "an image or video (" + found->kind + ", " + found->how +
                                   ") is not allowed: a workflow carries references only "
                                   "(hashes, URLs, case and report numbers)"});
    return loaded;
  }
  // One pass: what the format refuses is set aside, and everything else is still checked.
  std::set<std::string> placeholders;
  if (!violations.empty()) {
    try {  // boundary: mending a document the format refused; on any surprise, report only that
      if (!patch_for_checking(*doc, violations, placeholders) ||
          !compiled_format_schema().validate(*doc).empty()) {
        return loaded;
      }
    } catch (const std::exception&) {
      return loaded;
    }
    loaded.placeholders.assign(placeholders.begin(), placeholders.end());
  }
  try {  // boundary: the workflow loader. The schema has checked every shape used below.
    auto wf = std::make_shared<Workflow>();
    wf->id = (*doc)["id"];
    wf->version = (*doc)["version"];
    wf->title = (*doc)["title"];
    wf->description = doc->value("description", "");
    wf->source = source;
    Problems found;
    Builder builder(found, &placeholders);
    wf->timeout = builder.duration(*doc, "timeout", "");
    if (auto in = doc->find("input_schema"); in != doc->end()) {
      wf->input_schema = *in;
      wf->outbound_input = outbound_fields(*in);
      auto compiled = JsonSchema::compile(*in, JsonSchema::Objects::kClosedByDefault);
      if (!compiled) {
        builder.add("/input_schema", compiled.error().message());
      } else {
        wf->compiled_input_schema = std::move(*compiled);
      }
    }
    if (auto req = doc->find("requires"); req != doc->end()) {
      for (const auto& [plugin, wanted] : req->items()) {
        auto requirement = VersionRequirement::parse(wanted.get<std::string>());
        if (!requirement) {
          builder.add(pointer_append("/requires", plugin), requirement.error().message());
        } else {
          wf->plugin_requirements.emplace(plugin, std::move(*requirement));
        }
      }
    }
    set_main(*wf, builder.sequence((*doc)["steps"], "/steps"));
    if (auto retention = doc->find("retention"); retention != doc->end()) {
      for (const char* type : {"restricted", "execution"}) {
        auto rule = retention->find(type);
        if (rule == retention->end() || !rule->contains("keep")) continue;
        if (auto keep = parse_calendar_period((*rule)["keep"].get<std::string>()); !keep) {
          builder.add(std::string("/retention/") + type + "/keep", keep.error().message());
        }
      }
    }
    if (auto contact = doc->find("security_contact");
        contact != doc->end() && contact->is_object()) {
      wf->security_contact = *contact;
      wf->security_contact.erase("comment");
    }
    wf->document = std::move(*doc);
    for (auto& p : found) {
      if (!loaded.covers(p.pointer)) loaded.problems.push_back(std::move(p));
    }
    if (loaded.problems.empty()) {
      loaded.workflow = std::move(wf);
    } else {
      loaded.checkable = std::move(wf);
    }
  } catch (const std::exception& e) {
    loaded.problems.push_back({"", std::string("cannot read the workflow: ") + e.what()});
  }
  return loaded;
}

}  // namespace coalition
