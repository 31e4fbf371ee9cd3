#include "workflow/workflow_validator.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "common/json_text.h"
#include "guard/report_disclosure.h"
#include "workflow/data_template.h"
#include "workflow/step_walk.h"

namespace coalition {

using nlohmann::json;

WorkflowCatalog::WorkflowCatalog(const WorkflowCatalog& other) {
  std::shared_lock lock(other.mutex_);
  workflows_ = other.workflows_;
}

WorkflowCatalog& WorkflowCatalog::operator=(const WorkflowCatalog& other) {
  if (this == &other) return *this;
  std::map<std::string, std::shared_ptr<const Workflow>> copy;
  {
    std::shared_lock lock(other.mutex_);
    copy = other.workflows_;
  }
  std::unique_lock lock(mutex_);
  workflows_ = std::move(copy);
  return *this;
}

Status WorkflowCatalog::add(std::shared_ptr<const Workflow> workflow) {
  if (auto inserted = insert(std::move(workflow)); !inserted) return std::move(inserted).error();
  return ok_status();
}

Result<bool> WorkflowCatalog::insert(std::shared_ptr<const Workflow> workflow) {
  std::unique_lock lock(mutex_);
  auto [it, inserted] = workflows_.emplace(workflow->key(), workflow);
  if (!inserted && it->second->document != workflow->document) {
    return Error::conflict("workflow " + workflow->id + " version " +
                           std::to_string(workflow->version) + " in " + workflow->source +
                           " differs from the one in " + it->second->source +
                           "; a changed definition needs a new version");
  }
  return inserted;
}

std::shared_ptr<const Workflow> WorkflowCatalog::find(const std::string& id,
                                                      int64_t version) const {
  std::shared_lock lock(mutex_);
  auto it = workflows_.find(id + "@" + std::to_string(version));
  return it == workflows_.end() ? nullptr : it->second;
}

std::vector<std::string> WorkflowCatalog::keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, wf] : workflows_) out.push_back(key);
  return out;
}

std::vector<std::shared_ptr<const Workflow>> WorkflowCatalog::all() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const Workflow>> out;
  for (const auto& [key, wf] : workflows_) out.push_back(wf);
  // Keys order "x@10" before "x@9": by id, then version as a number.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a->id != b->id ? a->id < b->id : a->version < b->version;
  });
  return out;
}

namespace {

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix ||
         (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
          path[prefix.size()] == '/');
}

class Validator {
 public:
  Validator(const Workflow& wf, const PluginRegistry& registry, const WorkflowCatalog& catalog)
      : wf_(wf), registry_(registry), catalog_(catalog) {
    collect_writes(*wf.main);
  }

  Problems run() {
    for (const auto& [plugin, requirement] : wf_.plugin_requirements) {
      const auto installed = registry_.versions_of(plugin);
      if (installed.empty()) {
        add(pointer_append("/requires", plugin), "plugin '" + plugin + "' is not installed");
      } else if (!registry_.satisfies(plugin, requirement)) {
        add(pointer_append("/requires", plugin), "no installed version of plugin '" + plugin +
                                                     "' satisfies '" + requirement.text() +
                                                     "' (installed: " + join(installed) + ")");
      }
    }
    sequence(*wf_.main, false);
    return std::move(problems_);
  }

 private:
  void collect_writes(const Sequence& seq) {
    for_each_step(seq, [this](const Step& s) {
      if (!s.result.empty()) written_.push_back(s.result);
      for (const auto& c : s.catches) {
        if (!c.result.empty()) written_.push_back(c.result);
      }
    });
  }

  void sequence(const Sequence& seq, bool in_map) {
    for (const auto& s : seq.steps) step(s, in_map);
  }

  void step(const Step& s, bool in_map) {
    switch (s.kind) {
      case StepKind::kTask: task(s, in_map); break;
      case StepKind::kChoice:
        for (size_t i = 0; i < s.choices.size(); ++i) {
          const std::string at = pointer_append(pointer_append(s.pointer, "choices"), i);
          for (const auto& r : s.choices[i].when.paths()) reference(r, at, in_map);
        }
        break;
      case StepKind::kParallel: break;  // its branches below
      case StepKind::kMap:
        reference({"", s.items, false}, pointer_append(s.pointer, "items"), in_map);
        break;
      case StepKind::kWorkflow: sub_workflow(s, in_map); break;
      case StepKind::kWait:
        if (!s.wait_until.empty())
          reference({"", s.wait_until, false}, pointer_append(s.pointer, "until"), in_map);
        break;
      case StepKind::kSucceed:
        if (s.output) references(*s.output, pointer_append(s.pointer, "output"), in_map);
        break;
      case StepKind::kFail: break;
    }
    for_each_child_sequence(s, [&](const ChildSequence& child) {
      sequence(*child.sequence, in_map || child.iteration);
    });
  }

  static std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
  }

  void task(const Step& s, bool in_map) {
    const StepType* newest = registry_.find(s.type);
    const StepType* type =
        newest != nullptr ? registry_.find(s.type, wf_.plugin_requirements) : nullptr;
    if (newest != nullptr && type == nullptr) {
      const std::string& plugin = newest->info().plugin_id;
      const auto& requirement = wf_.plugin_requirements.find(plugin)->second;
      if (registry_.satisfies(plugin, requirement)) {
        // The versions the workflow admits exist, but none of them has this step type.
        add(pointer_append(s.pointer, "type"),
            "step type '" + s.type + "' is not provided by any installed version of plugin '" +
                plugin + "' that satisfies '" + requirement.text() + "' (the workflow's requires)");
      }               // else reported once, at /requires
      type = newest;  // the parameters are still checked, against the newest
    } else if (type == nullptr) {
      std::string message = "unknown step type '" + s.type + "'";
      auto close = registry_.closest_names(s.type);
      if (!close.empty()) {
        message += "; did you mean ";
        for (size_t i = 0; i < close.size(); ++i) message += (i ? ", '" : "'") + close[i] + "'";
        message += "?";
      } else {
        message += "; `coalition plugins` lists the installed step types";
      }
      add(pointer_append(s.pointer, "type"), message);
    }
    const std::string params_at = pointer_append(s.pointer, "parameters");
    auto refs = check_template(s.parameters, "");
    if (!refs) return;  // reported by the loader
    if (type != nullptr) {
      for (const auto& v : type->check_parameters(s.parameters)) {
        bool masked = false;
        for (const auto& r : *refs) masked = masked || under(v.pointer, r.at);
        if (masked) continue;
        add(params_at + v.pointer,
            type->parameters_schema().describe(v) + " (parameters of step type '" + s.type + "')");
      }
    }
    if (type != nullptr) {
      listed_keys(type->parameters_schema().document(), s, params_at);
      outbound_text(*type, s, params_at);
    }
    for (const auto& r : *refs) reference({params_at + r.at, r.path, r.has_default}, "", in_map);
  }

  // A step type may say, in its parameters schema, that the keys of one parameter must each be
  // listed in another: {"payload": {..., "x-coalition-listed-in": "allow"}}: notify sends only
  // the payload fields its step lists, beyond those it names in "x-coalition-listed-by-default".
  // A nested key is named with dots ("case.id"); a key whose
  // value is a reference counts as listed when it, or a field under it, is. Checked here, so
  // the mistake is found before an execution has run for weeks, not when the step sends.
  void listed_keys(const json& schema, const Step& s, const std::string& params_at) {
    const auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object() || !s.parameters.is_object()) return;
    for (const auto& [name, sub] : props->items()) {
      const auto in = sub.is_object() ? sub.find("x-coalition-listed-in") : sub.end();
      if (!sub.is_object() || in == sub.end() || !in->is_string()) continue;
      const auto value = s.parameters.find(name);
      const auto list = s.parameters.find(in->get<std::string>());
      const bool listed_here = list != s.parameters.end() && list->is_array();
      if (value == s.parameters.end() || (list != s.parameters.end() && !listed_here) ||
          !value->is_object() || is_template_directive(*value)) {
        continue;  // a reference: known when the step runs
      }
      std::set<std::string> listed;
      if (listed_here) {
        for (const auto& l : *list) {
          if (l.is_string()) listed.insert(l.get<std::string>());
        }
      }
      // Keys the step type always allows ("x-coalition-listed-by-default": notify's case_id and
      // references), listed or not.
      const auto defaults = sub.find("x-coalition-listed-by-default");
      std::string always;  // "case_id, references and "
      if (defaults != sub.end() && defaults->is_array()) {
        for (const auto& l : *defaults) {
          if (!l.is_string()) continue;
          listed.insert(l.get<std::string>());
          always += (always.empty() ? "" : ", ") + l.get<std::string>();
        }
      }
      if (!always.empty()) always += " and ";
      const std::string list_name = in->get<std::string>();
      std::function<void(const json&, const std::string&, const std::string&)> walk =
          [&](const json& node, const std::string& prefix, const std::string& at) {
            for (const auto& [key, child] : node.items()) {
              const std::string field = prefix.empty() ? key : prefix + "." + key;
              const std::string child_at = pointer_append(at, key);
              if (child.is_object() && !is_template_directive(child)) {
                walk(child, field, child_at);
                continue;
              }
              bool ok = listed.count(field) != 0;
              if (!ok && is_template_directive(child)) {
                const auto under = listed.lower_bound(field + ".");
                ok = under != listed.end() && under->rfind(field + ".", 0) == 0;
              }
              if (!ok) {
                add(child_at, "'" + field + "' is not in \"" + list_name +
                                  "\": this step sends only " + always +
                                  "the fields it lists (add it there if it is a reference, or "
                                  "leave it out)");
              }
            }
          };
      walk(*value, "", pointer_append(params_at, name));
    }
  }

  // Text the workflow itself writes into a parameter its step type sends outside the member
  // (x-coalition-outbound) never says that a suspicious-activity report exists; a step that
  // stays within one organisation (x-coalition-confined-by) may. What references bring is
  // screened when the step runs.
  void outbound_text(const StepType& type, const Step& s, const std::string& params_at) {
    const SchemaFields& outbound = type.outbound_parameters();
    if (outbound.empty() || !s.parameters.is_object()) return;
    if (!type.confining_parameter().empty()) {
      auto within = s.parameters.find(type.confining_parameter());
      if (within != s.parameters.end() && !within->is_null()) return;
    }
    // What the step will send whatever the context holds: literals, a $literal's value, a
    // $template's text (its placeholders are references, read when the step runs).
    std::function<json(const json&)> literal = [&](const json& node) -> json {
      if (is_template_directive(node)) {
        if (auto l = node.find("$literal"); l != node.end()) return *l;
        if (auto t = node.find("$template"); t != node.end() && t->is_string()) return *t;
        return nullptr;
      }
      if (!node.is_structured()) return node;
      json copy = node.is_object() ? json::object() : json::array();
      if (node.is_object()) {
        for (const auto& [key, child] : node.items()) copy[key] = literal(child);
      } else {
        for (const auto& child : node) copy.push_back(literal(child));
      }
      return copy;
    };
    if (auto found = find_report_disclosure(literal(s.parameters), outbound)) {
      add(params_at + found->pointer,
          describe(*found) + " (parameters of step type '" + s.type + "')");
    }
  }

  void sub_workflow(const Step& s, bool in_map) {
    auto child = catalog_.find(s.workflow_id, s.workflow_version);
    if (child == nullptr) {
      std::string known;
      for (const auto& k : catalog_.keys()) known += (known.empty() ? "" : ", ") + k;
      add(pointer_append(s.pointer, "workflow"),
          "no workflow " + s.workflow_id + " version " + std::to_string(s.workflow_version) +
              (known.empty() ? " is known: a sub-workflow is read from <id>.json beside the file "
                               "that names it, or registered"
                             : " is known; expected one of: " + known));
    }
    references(s.input, pointer_append(s.pointer, "input"), in_map);
    if (child != nullptr) {
      std::vector<std::string> path{wf_.key()};
      if (auto cycle = find_cycle(*child, path)) {
        add(pointer_append(s.pointer, "workflow"),
            "sub-workflow cycle: " + *cycle +
                "; each execution would start another inside itself without end");
      }
    }
  }

  // The first cycle of sub-workflow references reachable from `wf` ("a@1 -> b@1 -> a@1"),
  // given the references followed so far in `path`. Definitions are few and shallow (their
  // nesting is bounded when they are parsed), so this recursion stays small.
  std::optional<std::string> find_cycle(const Workflow& wf, std::vector<std::string>& path) const {
    const std::string key = wf.key();
    if (auto seen = std::find(path.begin(), path.end(), key); seen != path.end()) {
      std::string cycle;
      for (auto it = seen; it != path.end(); ++it) cycle += *it + " -> ";
      return cycle + key;
    }
    if (visited_.count(key) != 0) return std::nullopt;  // explored: no cycle through it
    path.push_back(key);
    for (const Step* call : sub_workflow_calls(wf)) {
      auto child = catalog_.find(call->workflow_id, call->workflow_version);
      if (child == nullptr) continue;
      if (auto cycle = find_cycle(*child, path)) return cycle;
    }
    path.pop_back();
    visited_.insert(key);
    return std::nullopt;
  }

  void references(const json& tmpl, const std::string& at, bool in_map) {
    auto refs = check_template(tmpl, at);
    if (!refs) return;
    for (const auto& r : *refs) reference(r, "", in_map);
  }

  // Can anything provide `ref.path` when the step runs? Known when the path is under /input
  // and the input schema lists the properties on the way (objects are closed by default).
  void reference(const TemplateReference& ref, const std::string& at, bool in_map) {
    const std::string where = at.empty() ? ref.at : at;
    if (ref.has_default) return;
    for (const auto& w : written_) {
      if (under(ref.path, w) || under(w, ref.path)) return;
    }
    if (in_map && (under(ref.path, "/item") || under(ref.path, "/index"))) return;
    if (!under(ref.path, "/input")) {
      add(where, "nothing provides " + ref.path +
                     ": it is not under /input and no step writes it (\"result\")");
      return;
    }
    if (!wf_.compiled_input_schema) return;
    const json* node = &wf_.compiled_input_schema->document();
    auto tokens = split_pointer(ref.path);
    std::string walked = "/input";
    for (size_t i = 1; i < tokens.size(); ++i) {
      auto props = node->find("properties");
      if (props == node->end() || !props->is_object()) return;  // cannot be known
      auto p = props->find(tokens[i]);
      if (p == props->end()) {
        auto extra = node->find("additionalProperties");
        if (extra != node->end() && *extra == false) {
          add(where, "the input schema cannot provide " + ref.path + ": " + walked +
                         " has no property '" + tokens[i] + "'");
        }
        return;
      }
      walked = pointer_append(walked, tokens[i]);
      node = &*p;
    }
  }

  void add(std::string pointer, std::string message) {
    problems_.push_back({std::move(pointer), std::move(message)});
  }

  const Workflow& wf_;
  const PluginRegistry& registry_;
  const WorkflowCatalog& catalog_;
  std::vector<std::string> written_;
  mutable std::set<std::string> visited_;  // workflows known not to lead into a cycle
  Problems problems_;
};

}  // namespace

Problems validate_workflow(const Workflow& workflow, const PluginRegistry& registry,
                           const WorkflowCatalog& catalog) {
  return Validator(workflow, registry, catalog).run();
}

}  // namespace coalition
