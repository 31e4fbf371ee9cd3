// Names are read from the table so that the file format, messages and graphs cannot disagree
// with it.
#include "workflow/step_kinds.h"

namespace coalition {

std::string_view to_string(StepKind kind) {
  const auto index = static_cast<size_t>(kind);
  return index < kStepKinds.size() ? kStepKinds[index].name : "unknown";
}

std::optional<StepKind> parse_step_kind(std::string_view name) {
  for (const StepKindInfo& row : kStepKinds) {
    if (row.name == name) return row.kind;
  }
  return std::nullopt;
}

}  // namespace coalition
