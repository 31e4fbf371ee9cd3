#include "plugin_host/isolated_step_invoker.h"

namespace coalition {

IsolatedStepInvoker::IsolatedStepInvoker(std::shared_ptr<IsolatedPlugin> plugin,
                                         uint32_t type_index, std::string who)
    : plugin_(std::move(plugin)), type_index_(type_index), who_(std::move(who)) {}

StepOutcome IsolatedStepInvoker::execute(const std::string& input_json,
                                         const std::string& context_json,
                                         std::chrono::milliseconds time_limit) {
  return call(FrameKind::kExecute, input_json, context_json, time_limit);
}

StepOutcome IsolatedStepInvoker::resume(const std::string& completion_json,
                                        const std::string& context_json,
                                        std::chrono::milliseconds time_limit) {
  return call(FrameKind::kResume, completion_json, context_json, time_limit);
}

StepOutcome IsolatedStepInvoker::call(FrameKind kind, const std::string& first,
                                      const std::string& context,
                                      std::chrono::milliseconds time_limit) {
  HostCallResult result = plugin_->call(kind, type_index_, first, context, time_limit);
  if (result.answer) return decode_plugin_answer(*result.answer, who_);
  return StepOutcome::failed(StepStatus::kRetryableError, std::move(result.code),
                             std::move(result.message));
}

}  // namespace coalition
