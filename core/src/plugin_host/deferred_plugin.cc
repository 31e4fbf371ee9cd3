#include "plugin_host/deferred_plugin.h"

#include <spdlog/spdlog.h>

namespace coalition {

DeferredPlugin::DeferredPlugin(std::string plugin_id, Load load)
    : plugin_id_(std::move(plugin_id)), load_(std::move(load)) {}

Result<StepInvoker*> DeferredPlugin::invoker(size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const bool retry = failure_ && now - failed_at_ >= kRetryLoadAfter;
  if (!attempted_ || retry) {
    attempted_ = true;
    auto code = load_();
    if (code) {
      invokers_ = std::move(code->invokers);
      failure_.reset();
      load_ = nullptr;  // whatever it captured is not needed again
    } else {
      // Logged once per try; the calls in between answer the same error.
      spdlog::error("plugin '{}' cannot run: {}", plugin_id_, code.error().message());
      failure_ = std::move(code).error();
      failed_at_ = now;
    }
  }
  if (failure_) return *failure_;
  if (index >= invokers_.size()) {
    return Error::internal("plugin '" + plugin_id_ + "' has no step type #" +
                           std::to_string(index));
  }
  return invokers_[index].get();
}

DeferredStepInvoker::DeferredStepInvoker(std::shared_ptr<DeferredPlugin> plugin, size_t index,
                                         bool in_process)
    : plugin_(std::move(plugin)), index_(index), in_process_(in_process) {}

StepOutcome DeferredStepInvoker::call(bool resume, const std::string& first,
                                      const std::string& context_json,
                                      std::chrono::milliseconds time_limit) {
  auto invoker = plugin_->invoker(index_);
  if (!invoker) {
    return StepOutcome::failed(StepStatus::kPermanentError, "plugin.refused",
                               invoker.error().message());
  }
  return resume ? (*invoker)->resume(first, context_json, time_limit)
                : (*invoker)->execute(first, context_json, time_limit);
}

StepOutcome DeferredStepInvoker::execute(const std::string& input_json,
                                         const std::string& context_json,
                                         std::chrono::milliseconds time_limit) {
  return call(false, input_json, context_json, time_limit);
}

StepOutcome DeferredStepInvoker::resume(const std::string& completion_json,
                                        const std::string& context_json,
                                        std::chrono::milliseconds time_limit) {
  return call(true, completion_json, context_json, time_limit);
}

}  // namespace coalition
