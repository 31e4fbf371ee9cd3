// Condition: the structured boolean expressions of choice steps. No embedded language:
//   {"path": "/input/amount", "gt": 10000}        eq ne lt le gt ge: numbers, strings, booleans
//   {"path": "/report/filed_at", "before": "2026-12-01T00:00:00Z"}   before after: RFC 3339
//   {"path": "/input/regime", "in": ["us_sar", "ca_str"]}
//   {"path": "/input/suspect", "exists": true}
//   {"and": [...]}  {"or": [...]}  {"not": {...}}
// An operand may itself be a reference {"$path": "/..."}. A comparison whose path is absent, or
// whose operands are of different types, is false (never an error at run time).
#ifndef COALITION_WORKFLOW_CONDITION_H_
#define COALITION_WORKFLOW_CONDITION_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "workflow/data_template.h"

namespace coalition {

class Condition {
 public:
  // Compiles `spec`; errors carry the pointer `at` + the place inside the spec.
  static Result<Condition> compile(const nlohmann::json& spec, const std::string& at);

  // Thread-safe; never throws.
  bool evaluate(const ContextReader& context) const;
  bool evaluate(const nlohmann::json& context) const { return evaluate(DocumentReader(context)); }

  // Every context path the condition reads (for the validator).
  const std::vector<TemplateReference>& paths() const { return paths_; }

  struct Node;

 private:
  Condition(std::shared_ptr<const Node> root, std::vector<TemplateReference> paths)
      : root_(std::move(root)), paths_(std::move(paths)) {}
  std::shared_ptr<const Node> root_;
  std::vector<TemplateReference> paths_;
};

}  // namespace coalition

#endif  // COALITION_WORKFLOW_CONDITION_H_
