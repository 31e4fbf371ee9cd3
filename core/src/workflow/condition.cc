#include "workflow/condition.h"

#include <array>

#include "common/json_text.h"
#include "common/utc_time.h"

namespace coalition {

using nlohmann::json;

enum class Op { kAnd, kOr, kNot, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kExists, kBefore, kAfter };

struct Condition::Node {
  Op op;
  std::vector<Node> children;  // and/or/not
  std::string path;            // comparisons
  json operand;                // literal or {"$path": ...}
};

namespace {

struct OpName {
  const char* name;
  Op op;
};
constexpr std::array<OpName, 10> kComparisons{{{"eq", Op::kEq},
                                               {"ne", Op::kNe},
                                               {"lt", Op::kLt},
                                               {"le", Op::kLe},
                                               {"gt", Op::kGt},
                                               {"ge", Op::kGe},
                                               {"in", Op::kIn},
                                               {"exists", Op::kExists},
                                               {"before", Op::kBefore},
                                               {"after", Op::kAfter}}};

const char* kExpected =
    "expected {\"and\"|\"or\": [...]}, {\"not\": {...}} or {\"path\": \"/...\", "
    "\"eq|ne|lt|le|gt|ge|in|exists|before|after\": operand}";

Result<Condition::Node> compile_node(const json& spec, const std::string& at,
                                     std::vector<TemplateReference>& paths) {
  if (!spec.is_object())
    return Error::invalid_data("a condition must be an object; " + std::string(kExpected), at);
  for (const char* key : {"and", "or"}) {
    if (!spec.contains(key)) continue;
    const auto& list = spec[key];
    if (spec.size() != 1 || !list.is_array() || list.empty()) {
      return Error::invalid_data(
          std::string("\"") + key +
              "\" takes a non-empty array of conditions and nothing beside it",
          at);
    }
    Condition::Node node{std::string(key) == "and" ? Op::kAnd : Op::kOr, {}, {}, {}};
    for (size_t i = 0; i < list.size(); ++i) {
      auto child = compile_node(list[i], pointer_append(pointer_append(at, key), i), paths);
      if (!child) return child;
      node.children.push_back(std::move(*child));
    }
    return node;
  }
  if (spec.contains("not")) {
    if (spec.size() != 1)
      return Error::invalid_data("\"not\" takes one condition and nothing beside it", at);
    auto child = compile_node(spec["not"], pointer_append(at, "not"), paths);
    if (!child) return child;
    return Condition::Node{Op::kNot, {std::move(*child)}, {}, {}};
  }
  auto path_it = spec.find("path");
  if (path_it == spec.end() || !path_it->is_string() || !is_valid_pointer(*path_it)) {
    return Error::invalid_data(
        std::string("a comparison needs \"path\": a JSON Pointer into the context; ") + kExpected,
        path_it == spec.end() ? at : pointer_append(at, "path"));
  }
  if (spec.size() != 2)
    return Error::invalid_data(std::string("a comparison has exactly one operator; ") + kExpected,
                               at);
  for (const auto& c : kComparisons) {
    auto it = spec.find(c.name);
    if (it == spec.end()) continue;
    const std::string op_at = pointer_append(at, c.name);
    if (c.op == Op::kExists && !it->is_boolean())
      return Error::invalid_data("\"exists\" takes true or false", op_at);
    if (c.op == Op::kIn && !it->is_array() && !is_template_directive(*it)) {
      return Error::invalid_data("\"in\" takes an array of values", op_at);
    }
    if ((c.op == Op::kBefore || c.op == Op::kAfter) && it->is_string() &&
        !parse_utc(it->get<std::string>())) {
      return Error::invalid_data(
          "\"" + std::string(c.name) +
              "\" takes an RFC 3339 timestamp such as \"2026-12-01T00:00:00Z\"",
          op_at);
    }
    auto refs = check_template(*it, op_at);
    if (!refs) return std::move(refs).error();
    paths.push_back({pointer_append(at, "path"), *path_it, false});
    for (auto& r : *refs) paths.push_back(std::move(r));
    return Condition::Node{c.op, {}, *path_it, *it};
  }
  return Error::invalid_data(std::string("unknown comparison operator; ") + kExpected, at);
}

bool compare(Op op, const json& left, const json& right) {
  switch (op) {
    case Op::kEq: return left == right;
    case Op::kNe: return left != right;
    case Op::kIn:
      if (!right.is_array()) return false;
      for (const auto& v : right) {
        if (v == left) return true;
      }
      return false;
    case Op::kBefore:
    case Op::kAfter: {
      if (!left.is_string() || !right.is_string()) return false;
      auto l = parse_utc(left.get<std::string>());
      auto r = parse_utc(right.get<std::string>());
      if (!l || !r) return false;
      return op == Op::kBefore ? *l < *r : *l > *r;
    }
    default: break;
  }
  const bool numbers = left.is_number() && right.is_number();
  const bool strings = left.is_string() && right.is_string();
  if (!numbers && !strings) return false;
  // json's operator< orders numbers numerically and strings lexicographically.
  switch (op) {
    case Op::kLt: return left < right;
    case Op::kLe: return left <= right;
    case Op::kGt: return left > right;
    case Op::kGe: return left >= right;
    default: return false;
  }
}

bool eval(const Condition::Node& n, const ContextReader& context) {
  switch (n.op) {
    case Op::kAnd:
      for (const auto& c : n.children) {
        if (!eval(c, context)) return false;
      }
      return true;
    case Op::kOr:
      for (const auto& c : n.children) {
        if (eval(c, context)) return true;
      }
      return false;
    case Op::kNot: return !eval(n.children.front(), context);
    default: break;
  }
  const json* value = context.find(n.path);
  if (n.op == Op::kExists) return (value != nullptr) == n.operand.get<bool>();
  if (value == nullptr) return false;
  auto operand = resolve_template(n.operand, context);
  if (!operand) return false;
  return compare(n.op, *value, *operand);
}

}  // namespace

Result<Condition> Condition::compile(const json& spec, const std::string& at) {
  std::vector<TemplateReference> paths;
  auto root = compile_node(spec, at, paths);
  if (!root) return std::move(root).error();
  return Condition(std::make_shared<const Node>(std::move(*root)), std::move(paths));
}

bool Condition::evaluate(const ContextReader& context) const {
  return eval(*root_, context);
}

}  // namespace coalition
