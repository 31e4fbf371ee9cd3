#include "workflow/workflow_graph.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "workflow/step_walk.h"

namespace coalition {
namespace {

// Every format is drawn from the same walk; only the spelling differs.
class Drawer {
 public:
  explicit Drawer(GraphFormat format) : format_(format) {}

  std::string draw(const Workflow& wf) {
    if (format_ == GraphFormat::kJson) {
      doc_ = {{"nodes", nlohmann::json::array()},
              {"edges", nlohmann::json::array()},
              {"groups", nlohmann::json::array()}};
    } else if (format_ == GraphFormat::kDot) {
      out_ << "digraph \"" << wf.id << "\" {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n";
      out_ << "  label=\"" << escape(wf.title) << " (" << wf.id << " v" << wf.version << ")\";\n";
    } else {
      out_ << "flowchart TD\n";
    }
    const std::string start = node_id("", "__start");
    const std::string end = node_id("", "__end");
    shape(start, "start", true);
    shape(end, "end", true);
    sequence(*wf.main, "", end);
    edge(start, node_id("", wf.main->start), "", false);
    if (format_ == GraphFormat::kDot) out_ << "}\n";
    return format_ == GraphFormat::kJson ? doc_.dump() : out_.str();
  }

  const nlohmann::json& document() const { return doc_; }

 private:
  void sequence(const Sequence& seq, const std::string& prefix, const std::string& exit) {
    for (const auto& s : seq.steps) {
      const std::string id = node_id(prefix, s.id);
      std::string label = s.id + "\\n" + std::string(to_string(s.kind));
      if (s.kind == StepKind::kTask) label = s.id + "\\n" + s.type;
      if (s.kind == StepKind::kWorkflow) {
        label = s.id + "\\n" + s.workflow_id + " v" + std::to_string(s.workflow_version);
      }
      if (s.assign) label += "\\n" + assignees_text(*s.assign);
      if (s.deadline) label += "\\ndue " + due_text(s.deadline->due);
      shape(id, label, false);
      if (s.assign) assignees_of(*s.assign);
      if (s.deadline) deadline_edges(*s.deadline, prefix, s.id);
      nested(s, prefix, id);
      if (s.kind == StepKind::kChoice) {
        for (size_t i = 0; i < s.choices.size(); ++i) {
          edge(id, node_id(prefix, s.choices[i].next), "rule " + std::to_string(i + 1), false);
        }
        if (!s.default_next.empty()) edge(id, node_id(prefix, s.default_next), "default", false);
      } else if (info(s.kind).ends_sequence) {
        edge(id, exit, s.kind == StepKind::kFail ? s.error_code : "", false);
      } else {
        edge(id, s.next.empty() ? exit : node_id(prefix, s.next), "", false);
      }
      for (const auto& c : s.catches) {
        std::string codes;
        for (const auto& e : c.errors) codes += (codes.empty() ? "" : ", ") + e;
        edge(id, node_id(prefix, c.next), "catch " + codes, true);
      }
    }
  }

  // "roles reviewer, deputy of /input/member, quorum 2": who may complete the step's task.
  static std::string assignees_text(const AssignSpec& a) {
    std::string text = "roles ";
    if (!a.roles_ref.is_null()) {
      text += "from " + a.roles_ref.value("$path", std::string("a reference"));
    } else {
      for (size_t i = 0; i < a.roles.size(); ++i) text += (i ? ", " : "") + a.roles[i];
    }
    if (a.organisation.is_string()) {
      text += " of " + a.organisation.get<std::string>();
    } else if (a.organisation.is_object()) {
      text += " of " + a.organisation.value("$path", std::string("a reference"));
    }
    if (a.quorum > 1) text += ", quorum " + std::to_string(a.quorum);
    return text;
  }

  // "2 business days (au-national) after /determination/at", "at /regulatory/due_at".
  static std::string due_text(const DueSpec& due) {
    if (!due.at.empty()) return "at " + due.at;
    std::string text = due.in_ref.is_null()
                           ? describe(due.in)
                           : "the span at " + due.in_ref.value("$path", std::string("a reference"));
    return due.from.empty() ? text : text + " after " + due.from;
  }

  // The JSON node just drawn names who may complete it, as data.
  void assignees_of(const AssignSpec& a) {
    if (format_ != GraphFormat::kJson) return;
    nlohmann::json who{{"quorum", a.quorum}};
    if (!a.roles_ref.is_null()) {
      who["roles_from"] = a.roles_ref.value("$path", "");
    } else {
      who["roles"] = a.roles;
    }
    if (a.organisation.is_string()) who["organisation"] = a.organisation;
    if (a.organisation.is_object()) who["organisation_from"] = a.organisation.value("$path", "");
    doc_["nodes"].back()["assignees"] = std::move(who);
  }

  // What a deadline sets off, as dashed edges: its reminders, each escalation tier (a node
  // naming the roles the task passes to, reached when the previous due time passes), and, after
  // the last, the step `on_expiry` goes to — which is otherwise reachable from nowhere.
  void deadline_edges(const DeadlineSpec& d, const std::string& prefix, const std::string& step) {
    const std::string id = node_id(prefix, step);
    if (!d.remind.empty()) {
      std::string text = "remind ";
      for (size_t i = 0; i < d.remind.size(); ++i) {
        text += (i ? ", " : "") + format_duration(d.remind[i]);
      }
      const std::string remind = node_id(prefix, step + "____remind");
      shape(remind, text + "\\nbefore due", false, true);
      edge(id, remind, "reminder", true);
    }
    std::string last = id;
    for (size_t i = 0; i < d.escalate.size(); ++i) {
      const EscalationTier& tier = d.escalate[i];
      std::string roles;
      for (const auto& r : tier.roles) roles += (roles.empty() ? "" : ", ") + r;
      const std::string node = node_id(prefix, step + "____escalate_" + std::to_string(i + 1));
      shape(node, "escalate to " + roles + "\\ndue " + due_text(tier.due), false, true);
      edge(last, node, i == 0 ? "overdue" : "still overdue", true);
      last = node;
    }
    if (!d.on_expiry_next.empty()) {
      edge(last, node_id(prefix, d.on_expiry_next), "deadline expired", true);
    }
  }

  void nested(const Step& s, const std::string& prefix, const std::string& owner) {
    auto draw_one = [&](const Sequence& seq, const std::string& name) {
      const std::string inner = prefix + s.id + "__" + name + "__";
      const std::string done = node_id(inner, "__done");
      open_group(node_id(inner, "__group"), s.id + " / " + name);
      shape(done, "joined", true);
      sequence(seq, inner, done);
      close_group();
      edge(owner, node_id(inner, seq.start), name, false);
    };
    for_each_child_sequence(s, [&](const ChildSequence& child) {
      draw_one(*child.sequence, child.iteration ? std::string("each") : std::string(child.branch));
    });
  }

  // `timer`: what a deadline sets off (a reminder, an escalation tier), not a step.
  void shape(const std::string& id, const std::string& label, bool terminal, bool timer = false) {
    if (format_ == GraphFormat::kJson) {
      nlohmann::json lines = nlohmann::json::array();
      size_t from = 0;
      for (size_t p; (p = label.find("\\n", from)) != std::string::npos; from = p + 2) {
        lines.push_back(label.substr(from, p - from));
      }
      lines.push_back(label.substr(from));
      nlohmann::json node{{"id", id}, {"lines", std::move(lines)}, {"terminal", terminal}};
      if (timer) node["timer"] = true;
      if (!groups_.empty()) node["group"] = groups_.back();
      doc_["nodes"].push_back(std::move(node));
    } else if (format_ == GraphFormat::kDot) {
      out_ << "  " << id << " [label=\"" << escape(label) << "\""
           << (terminal ? ", shape=ellipse" : "") << (timer ? ", shape=note, style=dashed" : "")
           << "];\n";
    } else {
      std::string text = label;
      for (size_t p; (p = text.find("\\n")) != std::string::npos;) text.replace(p, 2, "<br/>");
      const char* open = terminal ? "([\"" : timer ? ">\"" : "[\"";
      const char* close = terminal ? "\"])" : "\"]";
      out_ << "  " << id << open << mermaid_escape(text) << close << "\n";
    }
  }

  void edge(const std::string& from, const std::string& to, const std::string& label, bool dashed) {
    if (format_ == GraphFormat::kJson) {
      nlohmann::json e{{"from", from}, {"to", to}, {"dashed", dashed}};
      if (!label.empty()) e["label"] = label;
      doc_["edges"].push_back(std::move(e));
    } else if (format_ == GraphFormat::kDot) {
      out_ << "  " << from << " -> " << to;
      std::string attrs;
      if (!label.empty()) attrs += "label=\"" + escape(label) + "\"";
      if (dashed) attrs += std::string(attrs.empty() ? "" : ", ") + "style=dashed";
      if (!attrs.empty()) out_ << " [" << attrs << "]";
      out_ << ";\n";
    } else {
      const char* arrow = dashed ? "-.->" : "-->";
      out_ << "  " << from << " " << arrow;
      if (!label.empty()) out_ << "|\"" << mermaid_escape(label) << "\"|";
      out_ << " " << to << "\n";
    }
  }

  void open_group(const std::string& id, const std::string& label) {
    if (format_ == GraphFormat::kJson) {
      nlohmann::json g{{"id", id}, {"label", label}};
      if (!groups_.empty()) g["parent"] = groups_.back();
      doc_["groups"].push_back(std::move(g));
      groups_.push_back(id);
    } else if (format_ == GraphFormat::kDot) {
      out_ << "  subgraph cluster_" << id << " {\n  label=\"" << escape(label) << "\";\n";
    } else {
      out_ << "  subgraph " << id << " [\"" << mermaid_escape(label) << "\"]\n";
    }
  }
  void close_group() {
    if (format_ == GraphFormat::kJson) {
      groups_.pop_back();
    } else {
      out_ << (format_ == GraphFormat::kDot ? "  }\n" : "  end\n");
    }
  }

  static std::string node_id(const std::string& prefix, const std::string& step) {
    return "n_" + prefix + step;
  }
  static std::string escape(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') {
        out += "\\\"";
      } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        out += "\\n";
        ++i;
      } else if (text[i] == '\\') {
        out += "\\\\";
      } else {
        out.push_back(text[i]);
      }
    }
    return out;
  }
  static std::string mermaid_escape(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '"' ? std::string("#quot;") : std::string(1, c);
    return out;
  }

  GraphFormat format_;
  std::ostringstream out_;
  nlohmann::json doc_;               // kJson
  std::vector<std::string> groups_;  // kJson: the groups open, innermost last
};

}  // namespace

std::string render_graph(const Workflow& workflow, GraphFormat format) {
  return Drawer(format).draw(workflow);
}

nlohmann::json graph_document(const Workflow& workflow) {
  Drawer drawer(GraphFormat::kJson);
  drawer.draw(workflow);
  return drawer.document();
}

}  // namespace coalition
