#include "common/json_limits.h"

#include <vector>

#include "common/json_text.h"

namespace coalition {
namespace {

JsonLimits& limits_in_force() {
  static JsonLimits limits;
  return limits;
}

// One open container on the walk. The walk keeps its path in these frames instead of on the
// call stack, so a value nested a million deep costs heap, not stack.
struct Frame {
  const nlohmann::json* node;
  nlohmann::json::const_iterator next;
  size_t index = 0;
};

std::string pointer_of(const std::vector<Frame>& path) {
  std::string pointer;
  for (const auto& f : path) {
    // `next` has moved past the child being looked at: name that child.
    if (f.node->is_object()) {
      auto it = f.next;
      pointer = pointer_append(pointer, std::prev(it).key());
    } else {
      pointer = pointer_append(pointer, f.index - 1);
    }
  }
  return pointer;
}

Status too_large(const char* limit, const std::string& what, const std::vector<Frame>& path) {
  return Error::invalid_data(std::string(limit) + ": " + what, pointer_of(path));
}

// The checks on one value that do not need its children.
Status check_one(const nlohmann::json& v, size_t depth, const JsonLimits& limits,
                 const std::vector<Frame>& path) {
  if (v.is_string() && v.get_ref<const std::string&>().size() > limits.max_string_bytes) {
    return too_large(kLimitStringBytes,
                     "a string longer than " + std::to_string(limits.max_string_bytes) + " bytes",
                     path);
  }
  if (!v.is_structured()) return ok_status();
  if (depth > limits.max_depth) {
    return too_large(kLimitDepth,
                     "nested deeper than " + std::to_string(limits.max_depth) + " levels", path);
  }
  if (v.is_array() && v.size() > limits.max_array_items) {
    return too_large(kLimitArrayItems,
                     "an array of more than " + std::to_string(limits.max_array_items) + " items",
                     path);
  }
  if (v.is_object() && v.size() > limits.max_object_members) {
    return too_large(
        kLimitObjectMembers,
        "an object of more than " + std::to_string(limits.max_object_members) + " members", path);
  }
  return ok_status();
}

}  // namespace

const JsonLimits& json_limits() {
  return limits_in_force();
}

void configure_json_limits(const JsonLimits& limits) {
  limits_in_force() = limits;
}

Status check_json_limits(const nlohmann::json& value, const JsonLimits& limits) {
  std::vector<Frame> path;
  if (auto s = check_one(value, 1, limits, path); !s) return s;
  if (!value.is_structured() || value.empty()) return ok_status();  // nothing below it
  path.push_back({&value, value.cbegin()});
  while (!path.empty()) {
    Frame& top = path.back();
    if (top.next == top.node->cend()) {
      path.pop_back();
      continue;
    }
    if (top.node->is_object() && top.next.key().size() > limits.max_string_bytes) {
      ++top.next;
      ++top.index;
      return too_large(
          kLimitStringBytes,
          "an object key longer than " + std::to_string(limits.max_string_bytes) + " bytes", path);
    }
    const nlohmann::json& child = *top.next;
    ++top.next;
    ++top.index;
    if (auto s = check_one(child, path.size() + 1, limits, path); !s) return s;
    if (child.is_structured() && !child.empty()) path.push_back({&child, child.cbegin()});
  }
  return ok_status();
}

}  // namespace coalition
