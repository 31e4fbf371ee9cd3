#include "plugin_host/native_step_invoker.h"

#include <fmt/format.h>

namespace coalition {
namespace {

std::string describe(const coalition_plugin_descriptor_t& plugin,
                     const coalition_step_type_t& type) {
  return fmt::format("step type '{}' of plugin '{}'", type.name, plugin.id);
}

}  // namespace

PluginAnswer take_answer(const coalition_plugin_descriptor_t& plugin, coalition_result_t& result) {
  PluginAnswer answer;
  answer.status = result.status;
  if (result.output_json != nullptr) {
    answer.output_json = std::string(result.output_json);
    plugin.free_string(result.output_json);
    result.output_json = nullptr;
  }
  if (result.error_json != nullptr) {
    answer.error_json = std::string(result.error_json);
    plugin.free_string(result.error_json);
    result.error_json = nullptr;
  }
  return answer;
}

Result<std::unique_ptr<NativeStepInvoker>> NativeStepInvoker::create(
    const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
    std::shared_ptr<const PluginHostApi> host, const std::string& config_json) {
  coalition_result_t result{};
  result.struct_size = sizeof(result);
  void* instance = nullptr;
  // Boundary: a plugin that ignores the ABI's no-exceptions rule must not unwind the engine.
  try {
    instance = type.create(host->api(), config_json.c_str(), &result);
  } catch (...) {
    take_answer(plugin, result);
    return Error::plugin_load(describe(plugin, type) + " threw while creating an instance");
  }
  PluginAnswer answer = take_answer(plugin, result);
  if (instance == nullptr) {
    auto outcome = decode_plugin_answer(answer, describe(plugin, type));
    std::string detail = outcome.error.message;
    if (!outcome.error.pointer.empty()) detail = outcome.error.pointer + ": " + detail;
    return Error::plugin_load(describe(plugin, type) + " refused its configuration: " + detail);
  }
  return std::unique_ptr<NativeStepInvoker>(
      new NativeStepInvoker(plugin, type, std::move(host), instance));
}

NativeStepInvoker::NativeStepInvoker(const coalition_plugin_descriptor_t& plugin,
                                     const coalition_step_type_t& type,
                                     std::shared_ptr<const PluginHostApi> host, void* instance)
    : plugin_(plugin),
      type_(type),
      host_(std::move(host)),
      instance_(instance),
      serialized_((type.capabilities & COALITION_CAP_THREAD_SAFE) == 0),
      who_(describe(plugin, type)) {}

NativeStepInvoker::~NativeStepInvoker() {
  try {
    type_.destroy(instance_);
  } catch (...) {  // nothing to report to: the instance is gone either way
  }
}

StepOutcome NativeStepInvoker::execute(const std::string& input_json,
                                       const std::string& context_json) {
  return call(type_.execute, input_json, context_json);
}

StepOutcome NativeStepInvoker::resume(const std::string& completion_json,
                                      const std::string& context_json) {
  if (type_.resume == nullptr) {
    return StepOutcome::failed(StepStatus::kPermanentError, "step.not_resumable",
                               who_ + " cannot be resumed: it never suspends");
  }
  return call(type_.resume, completion_json, context_json);
}

StepOutcome NativeStepInvoker::call(CallFn fn, const std::string& first,
                                    const std::string& context) {
  coalition_result_t result{};
  result.struct_size = sizeof(result);
  std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
  if (serialized_) lock.lock();
  try {
    fn(instance_, first.c_str(), context.c_str(), &result);
  } catch (...) {
    take_answer(plugin_, result);
    return StepOutcome::failed(StepStatus::kPermanentError, "plugin.exception",
                               who_ + " let an exception cross the C ABI");
  }
  if (lock.owns_lock()) lock.unlock();
  return decode_plugin_answer(take_answer(plugin_, result), who_);
}

}  // namespace coalition
