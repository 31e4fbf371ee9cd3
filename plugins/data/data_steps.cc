#include "data_steps.h"

namespace coalition::plugins::data {

nlohmann::json merge(nlohmann::json base, const nlohmann::json& patches) {
  for (const auto& patch : patches) base.merge_patch(patch);
  return base;
}

}  // namespace coalition::plugins::data
