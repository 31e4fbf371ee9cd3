// Field classes are rules over context pointers, compiled once per workflow. The rules of a
// sequence's context are the workflow's explicit `fields`, plus one rule per step whose class is
// not the default (the field its `result` writes, never below what `fields` says of it), plus the
// rules of every container's inner sequences moved under the container's result: a branch's context
// lands at result/<branch>, a map iteration's at result/*, a first_success or any_success map's at
// result/output, a sub-workflow's output at result, each at least the container's class. That is
// how a restricted step inside a parallel branch stays restricted when the parallel step hands
// its branches' contexts on, and how a restricted map's iterations stay restricted whatever they
// write. A map iteration's /item keeps the class of the list it came from.
//
// Where rules disagree the longest pattern wins, so a workflow can open one field of a
// restricted object; among patterns of the same length the higher class wins. A step's class is
// the highest along its path: nothing inside a restricted step is ever less than restricted.
#include "workflow/visibility.h"

#include <algorithm>
#include <functional>
#include <set>

#include "workflow/data_template.h"
#include "workflow/step_walk.h"

namespace coalition {

using nlohmann::json;

std::string_view to_string(Visibility v) {
  switch (v) {
    case Visibility::kPublic: return "public";
    case Visibility::kMember: return "member";
    case Visibility::kRestricted: return "restricted";
  }
  return "restricted";
}

std::optional<Visibility> parse_visibility(std::string_view text) {
  if (text == "public") return Visibility::kPublic;
  if (text == "member") return Visibility::kMember;
  if (text == "restricted") return Visibility::kRestricted;
  return std::nullopt;
}

namespace {

using Rule = VisibilityPolicy::Rule;

std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  // json_pointer parses and unescapes (~0, ~1); take its tokens from the back.
  json::json_pointer p(pointer);
  while (!p.empty()) {
    tokens.insert(tokens.begin(), p.back());
    p.pop_back();
  }
  return tokens;
}

bool matches_prefix(const std::vector<std::string>& pattern, const std::vector<std::string>& at,
                    size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (pattern[i] != "*" && pattern[i] != at[i]) return false;
  }
  return true;
}

// The class of the field at `at` under `rules`: the longest matching pattern; among patterns of
// that length the workflow's own `fields` over derived rules, then the highest class;
// `fallback` when none matches.
Visibility class_at(const std::vector<Rule>& rules, const std::vector<std::string>& at,
                    Visibility fallback) {
  size_t best = 0;
  bool found = false;
  bool stated = false;
  Visibility cls = fallback;
  for (const auto& r : rules) {
    if (r.tokens.size() > at.size() || !matches_prefix(r.tokens, at, r.tokens.size())) continue;
    if (!found || r.tokens.size() > best || (r.tokens.size() == best && r.stated && !stated)) {
      cls = r.cls;
      best = r.tokens.size();
      stated = r.stated;
      found = true;
    } else if (r.tokens.size() == best && r.stated == stated) {
      cls = std::max(cls, r.cls);
    }
  }
  return cls;
}

std::vector<Rule> reroot(const std::vector<Rule>& rules, const std::vector<std::string>& prefix) {
  std::vector<Rule> out;
  out.reserve(rules.size());
  for (const auto& r : rules) {
    Rule moved{prefix, r.cls};
    moved.tokens.insert(moved.tokens.end(), r.tokens.begin(), r.tokens.end());
    out.push_back(std::move(moved));
  }
  return out;
}

// The step's own `visibility` from the document as written: class and shown_as, if any.
std::pair<std::optional<Visibility>, std::string> own_visibility(const Workflow& owner,
                                                                 const Step& step) {
  const json* doc = &owner.document;
  try {
    doc = &owner.document.at(json::json_pointer(step.pointer));
  } catch (const json::exception&) {
    return {std::nullopt, ""};
  }
  auto v = doc->find("visibility");
  if (v == doc->end()) return {std::nullopt, ""};
  if (v->is_string()) return {parse_visibility(v->get<std::string>()), ""};
  if (v->is_object()) {
    return {parse_visibility(v->value("class", "")), v->value("shown_as", "")};
  }
  return {std::nullopt, ""};
}

// The rules a workflow's own `visibility.fields` state.
std::vector<Rule> explicit_rules_of(const Workflow& w) {
  std::vector<Rule> rules;
  auto v = w.document.find("visibility");
  if (v == w.document.end() || !v->is_object()) return rules;
  auto f = v->find("fields");
  if (f == v->end() || !f->is_object()) return rules;
  for (const auto& [pointer, cls] : f->items()) {
    auto c = cls.is_string() ? parse_visibility(cls.get<std::string>()) : std::nullopt;
    try {
      rules.push_back({pointer_tokens(pointer), c.value_or(Visibility::kRestricted), true});
    } catch (const json::exception&) {
      // The schema requires pointers; an unparsable one cannot open anything.
    }
  }
  return rules;
}

// A succeed step's output template puts values read from the context in new places, and each
// keeps the class of where it was read. (The step's own class need not add to it: a
// container's result already carries the class of the container.)
class TemplateRules {
 public:
  TemplateRules(const std::vector<Rule>& rules, Visibility fallback)
      : rules_(rules), fallback_(fallback) {}

  void walk(const json& node) {
    if (node.is_object() && node.contains("$literal")) return;
    if (node.is_object() && node.contains("$template")) return add_text(node);
    if (node.is_object() && node.contains("$path") && node["$path"].is_string()) {
      return add_copy(node["$path"].get<std::string>());
    }
    if (node.is_object()) {
      for (const auto& [key, child] : node.items()) {
        at_.push_back(key);
        walk(child);
        at_.pop_back();
      }
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) {
        at_.push_back(std::to_string(i));
        walk(node[i]);
        at_.pop_back();
      }
    }
  }

  std::vector<Rule> take() { return std::move(out_); }

 private:
  // Text made of several values: it takes the highest class among them; literal text only,
  // the class of what is written there, as for any literal.
  void add_text(const json& node) {
    auto refs = check_template(node, "");
    if (!refs) return;
    Visibility cls = refs->empty() ? fallback_ : Visibility::kPublic;
    for (const auto& r : *refs) {
      try {
        cls = std::max(cls, class_at(rules_, pointer_tokens(r.path), fallback_));
      } catch (const json::exception&) {
        return;
      }
    }
    out_.push_back({at_, cls});
  }

  // A value copied whole: its class, and the finer rules below where it came from move along.
  void add_copy(const std::string& pointer) {
    std::vector<std::string> from;
    try {
      from = pointer_tokens(pointer);
    } catch (const json::exception&) {
      return;
    }
    out_.push_back({at_, class_at(rules_, from, fallback_)});
    for (const auto& r : rules_) {
      if (r.tokens.size() > from.size() && matches_prefix(r.tokens, from, from.size())) {
        Rule moved{at_, r.cls};
        moved.tokens.insert(moved.tokens.end(), r.tokens.begin() + from.size(), r.tokens.end());
        out_.push_back(std::move(moved));
      }
    }
  }

  const std::vector<Rule>& rules_;
  const Visibility fallback_;
  std::vector<std::string> at_;
  std::vector<Rule> out_;
};

}  // namespace

class VisibilityPolicy::Compiler {
 public:
  Compiler(VisibilityPolicy& p, const WorkflowCatalog* catalog) : p_(p), catalog_(catalog) {}

  // The workflow-wide settings: default class, what a hidden step shows as, followers, roles.
  void read_settings(const json& document) {
    auto v = document.find("visibility");
    if (v == document.end()) return;
    p_.default_ = parse_visibility(v->value("default", "member")).value_or(Visibility::kMember);
    p_.shown_as_ = v->value("shown_as", p_.shown_as_);
    if (auto f = v->find("followers"); f != v->end() && f->is_array()) {
      for (const auto& role : *f) {
        if (role.is_string()) p_.followers_.push_back(role.get<std::string>());
      }
    }
    if (auto r = v->find("roles"); r != v->end() && r->is_object()) {
      for (const auto& [role, cls] : r->items()) {
        if (cls.is_string()) {
          p_.roles_[role] = parse_visibility(cls.get<std::string>()).value_or(Visibility::kPublic);
        }
      }
    }
  }

  // Builds the rules of `seq` (a sequence of `owner`) for steps at least `inherited`: first
  // each step's, then — now that every field of the sequence has its class — its templates'.
  void build(const Sequence* seq, const Workflow& owner, const std::vector<Rule>& explicit_rules,
             Visibility inherited) {
    if (seq == nullptr || p_.rules_.count(seq) != 0 || !visiting_.insert(seq).second) return;
    std::vector<Rule> rules = explicit_rules;
    for (const auto& step : seq->steps) add_step(step, owner, explicit_rules, inherited, rules);
    TemplateRules templates(rules, p_.default_);
    for (const auto& step : seq->steps) {
      if (step.kind == StepKind::kSucceed && step.output) templates.walk(*step.output);
    }
    auto derived = templates.take();
    rules.insert(rules.end(), derived.begin(), derived.end());
    visiting_.erase(seq);
    p_.rules_[seq] = std::move(rules);
  }

 private:
  // A step's class (recorded), and the rules of the field its result writes: its own class
  // when not the default (never below what `fields` says of it), and its inner sequences'.
  void add_step(const Step& step, const Workflow& owner, const std::vector<Rule>& explicit_rules,
                Visibility inherited, std::vector<Rule>& rules) {
    auto [own, shown_as] = own_visibility(owner, step);
    p_.steps_[&step] = {own.value_or(p_.default_), shown_as};
    const Visibility cls = std::max(inherited, own.value_or(p_.default_));
    const std::vector<Rule> output_rules = inner_rules(step, owner, explicit_rules, rules, cls);
    if (step.result.empty()) return;
    std::vector<std::string> at;
    try {
      at = pointer_tokens(step.result);
    } catch (const json::exception&) {
      return;
    }
    if (cls != p_.default_) {
      rules.push_back({at, std::max(cls, class_at(explicit_rules, at, Visibility::kPublic))});
    }
    auto moved = reroot(output_rules, at);
    rules.insert(rules.end(), moved.begin(), moved.end());
  }

  // A container step's inner sequences' rules, each under the place it lands in the result.
  std::vector<Rule> inner_rules(const Step& step, const Workflow& owner,
                                const std::vector<Rule>& explicit_rules,
                                const std::vector<Rule>& rules, Visibility cls) {
    std::vector<Rule> out;
    switch (step.kind) {
      case StepKind::kParallel:
        for (const auto& b : step.branches) {
          add_inner(b.sequence.get(), owner, explicit_rules, {b.name}, cls, out);
        }
        break;
      case StepKind::kMap:
        add_inner(step.iterator.get(), owner, iteration_rules(step, explicit_rules, rules),
                  {settles_on_one(step.map_mode) ? "output" : "*"}, cls, out);
        break;
      case StepKind::kWorkflow:
        if (catalog_ != nullptr) {
          if (auto child = catalog_->find(step.workflow_id, step.workflow_version)) {
            add_inner(child->main.get(), *child, explicit_rules_of(*child), {}, cls, out);
          }
        }
        break;
      default: break;
    }
    return out;
  }

  // Each map iteration's /item is an element of the list it maps: it keeps that list's class
  // (a map over a restricted list of members names them in restricted places only).
  std::vector<Rule> iteration_rules(const Step& map, const std::vector<Rule>& explicit_rules,
                                    const std::vector<Rule>& rules) const {
    std::vector<Rule> out = explicit_rules;
    try {
      const Visibility items_cls = class_at(rules, pointer_tokens(map.items), p_.default_);
      if (items_cls > p_.default_) out.push_back({{"item"}, items_cls});
    } catch (const json::exception&) {
    }
    return out;
  }

  // What a step inside writes is never below the container's class: a restricted map's
  // iterations return restricted fields even where their own rules say member. (Derived rules
  // at their new place: the workflow's `fields` still open them.)
  void add_inner(const Sequence* s, const Workflow& w, const std::vector<Rule>& explicit_rules,
                 const std::vector<std::string>& prefix, Visibility cls, std::vector<Rule>& out) {
    build(s, w, explicit_rules, cls);
    auto it = p_.rules_.find(s);
    if (it == p_.rules_.end()) return;
    auto moved = reroot(it->second, prefix);
    for (auto& r : moved) {
      if (cls > p_.default_) r.cls = std::max(r.cls, cls);
      r.stated = false;
    }
    out.insert(out.end(), moved.begin(), moved.end());
  }

  VisibilityPolicy& p_;
  const WorkflowCatalog* catalog_;
  std::set<const Sequence*> visiting_;  // a sub-workflow that names itself stops here
};

VisibilityPolicy VisibilityPolicy::compile(const Workflow& workflow,
                                           const WorkflowCatalog* catalog) {
  VisibilityPolicy p;
  p.workflow_ = &workflow;
  p.catalog_ = catalog;
  Compiler compiler(p, catalog);
  compiler.read_settings(workflow.document);
  compiler.build(workflow.main.get(), workflow, explicit_rules_of(workflow), Visibility::kPublic);
  return p;
}

Visibility VisibilityPolicy::clearance(const std::string& role) const {
  auto it = roles_.find(role);
  return it == roles_.end() ? Visibility::kPublic : it->second;
}

Problems VisibilityPolicy::check_task_titles(const Workflow& workflow) const {
  Problems problems;
  const auto name = [](Visibility v) {
    return v == Visibility::kPublic ? "public" : v == Visibility::kMember ? "member" : "restricted";
  };
  std::function<void(const Sequence&, const std::string&)> walk = [&](const Sequence& seq,
                                                                      const std::string& prefix) {
    for (const auto& s : seq.steps) {
      const std::string path = prefix + s.id;
      for_each_child_sequence(s, [&](const ChildSequence& child) {
        walk(*child.sequence,
             path + "[" + (child.iteration ? std::string("0") : std::string(child.branch)) + "]/");
      });
      if (s.kind != StepKind::kTask || !s.parameters.is_object()) continue;
      const auto title = s.parameters.find("title");
      if (title == s.parameters.end() || !is_template_directive(*title)) continue;
      auto refs = check_template(*title, "");
      if (!refs) continue;  // reported by the loader
      const Visibility shown = step(path).cls;
      for (const auto& r : *refs) {
        std::vector<std::string> tokens;
        try {
          tokens = pointer_tokens(r.path);
        } catch (const json::exception&) {
          continue;
        }
        const Visibility read = class_at(rules_of(&seq), tokens, default_);
        if (read <= shown) continue;
        problems.push_back(
            {s.pointer + "/parameters/title",
             "the title reads " + r.path + ", which is " + name(read) + ", and the task is shown " +
                 "to whoever sees its step (" + name(shown) +
                 "): name the task from data of that class, or class the step " + name(read)});
        break;
      }
    }
  };
  walk(*workflow.main, "");
  return problems;
}

const std::vector<Rule>& VisibilityPolicy::rules_of(const Sequence* sequence) const {
  static const std::vector<Rule> kNone;
  auto it = rules_.find(sequence);
  return it == rules_.end() ? kNone : it->second;
}

namespace {

// One segment of a step path: `id`, `id[branch]`, `id[3]` or `id(workflow)`.
struct Segment {
  std::string id;
  std::string bracket;  // branch name or map index
  std::string parens;   // sub-workflow id
};

std::vector<Segment> split_path(const std::string& path) {
  std::vector<Segment> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    Segment s;
    if (auto hash = part.find('#'); hash != std::string::npos) part.resize(hash);
    const size_t open = part.find_first_of("[(");
    s.id = part.substr(0, open);
    if (open != std::string::npos && part.back() == (part[open] == '[' ? ']' : ')')) {
      std::string inside = part.substr(open + 1, part.size() - open - 2);
      (part[open] == '[' ? s.bracket : s.parens) = std::move(inside);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The sequence a segment enters inside `container` (a branch, the iteration, a sub-workflow).
const Sequence* inner_sequence(const Step& container, const Segment& s,
                               const WorkflowCatalog* catalog) {
  if (!s.bracket.empty() && container.kind == StepKind::kParallel) {
    for (const auto& b : container.branches) {
      if (b.name == s.bracket) return b.sequence.get();
    }
  } else if (!s.bracket.empty() && container.kind == StepKind::kMap) {
    return container.iterator.get();
  } else if (!s.parens.empty() && container.kind == StepKind::kWorkflow && catalog != nullptr) {
    if (auto child = catalog->find(container.workflow_id, container.workflow_version)) {
      return child->main.get();
    }
  }
  return nullptr;
}

// The sequence a frame runs: "" is the main one; "review[legal]/" the branch `legal` of `review`.
const Sequence* frame_sequence(const Sequence* main, const std::string& frame_path,
                               const WorkflowCatalog* catalog) {
  const Sequence* seq = main;
  for (const auto& s : split_path(frame_path)) {
    const Step* container = seq == nullptr ? nullptr : seq->find(s.id);
    if (container == nullptr) return nullptr;
    seq = inner_sequence(*container, s, catalog);
  }
  return seq;
}

}  // namespace

VisibilityPolicy::StepView VisibilityPolicy::step(const std::string& path) const {
  StepView view;
  view.shown_as = shown_as_;
  if (path.empty()) return view;
  const Sequence* seq = workflow_->main.get();
  bool named = false;
  const auto segments = split_path(path);
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const Step* step = seq == nullptr ? nullptr : seq->find(s.id);
    if (step == nullptr) return StepView{nullptr, Visibility::kRestricted, shown_as_};
    auto own = steps_.find(step);
    const Visibility cls = own == steps_.end() ? Visibility::kRestricted : own->second.first;
    if (cls > view.cls) view.cls = cls;
    if (!named && own != steps_.end() && !own->second.second.empty()) {
      view.shown_as = own->second.second;
      named = true;
    }
    view.step = step;
    if (i + 1 == segments.size()) break;
    seq = inner_sequence(*step, s, catalog_);
  }
  return view;
}

std::optional<json> VisibilityPolicy::filter(const json& value, std::vector<std::string>& tokens,
                                             const std::vector<Rule>& rules,
                                             Visibility clearance) const {
  const size_t depth = tokens.size();
  const Visibility own = class_at(rules, tokens, default_);
  bool deeper = false;
  for (const auto& r : rules) {
    if (r.tokens.size() > depth && matches_prefix(r.tokens, tokens, depth)) {
      deeper = true;
      break;
    }
  }
  if (!deeper || !value.is_structured()) {
    if (own <= clearance) return value;
    return std::nullopt;
  }
  json out = value.is_object() ? json::object() : json::array();
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      tokens.push_back(key);
      if (auto kept = filter(child, tokens, rules, clearance)) out[key] = std::move(*kept);
      tokens.pop_back();
    }
  } else {
    for (size_t i = 0; i < value.size(); ++i) {
      tokens.push_back(std::to_string(i));
      if (auto kept = filter(value[i], tokens, rules, clearance)) out.push_back(std::move(*kept));
      tokens.pop_back();
    }
  }
  if (own > clearance && out.empty()) return std::nullopt;
  return out;
}

std::optional<json> VisibilityPolicy::filter_context(const json& value, const std::string& pointer,
                                                     Visibility clearance) const {
  std::vector<std::string> tokens;
  try {
    tokens = pointer_tokens(pointer);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return filter(value, tokens, rules_of(workflow_->main.get()), clearance);
}

std::optional<json> VisibilityPolicy::filter_step_output(const std::string& path,
                                                         const json& output,
                                                         Visibility clearance) const {
  const StepView view = step(path);
  if (view.step == nullptr || view.cls > clearance) return std::nullopt;
  // The step belongs to the sequence of its frame: the path before its own segment.
  const auto slash = path.rfind('/');
  const std::string frame_path = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  if (!view.step->result.empty()) {
    std::vector<std::string> tokens;
    try {
      tokens = pointer_tokens(view.step->result);
    } catch (const json::exception&) {
      return std::nullopt;
    }
    const Sequence* seq = frame_sequence(workflow_->main.get(), frame_path, catalog_);
    if (seq == nullptr) return std::nullopt;
    return filter(output, tokens, rules_of(seq), clearance);
  }
  std::vector<std::string> tokens;
  // A succeed step's output is its sequence's output: the template's rules place each value
  // with the class of where it was read.
  if (view.step->kind == StepKind::kSucceed) {
    const Sequence* seq = frame_sequence(workflow_->main.get(), frame_path, catalog_);
    if (seq == nullptr) return std::nullopt;
    return filter(output, tokens, rules_of(seq), clearance);
  }
  // Discarded output: the step's own class decides.
  std::vector<Rule> rules{{{}, view.cls}};
  return filter(output, tokens, rules, clearance);
}

std::optional<json> VisibilityPolicy::filter_frame_context(const std::string& frame_path,
                                                           const json& context,
                                                           Visibility clearance) const {
  if (!frame_path.empty() && step(frame_path.substr(0, frame_path.size() - 1)).cls > clearance) {
    return std::nullopt;
  }
  const Sequence* seq = frame_sequence(workflow_->main.get(), frame_path, catalog_);
  if (seq == nullptr) return std::nullopt;
  std::vector<std::string> tokens;
  return filter(context, tokens, rules_of(seq), clearance);
}

}  // namespace coalition
