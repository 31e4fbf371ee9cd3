#include "plugin_host/native_step_invoker.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_text.h"

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

PluginAnswer breach_answer(const std::string& code, const std::string& message) {
  PluginAnswer answer;
  answer.status = COALITION_STATUS_PERMANENT_ERROR;
  answer.error_json = to_text(nlohmann::json{{"code", code}, {"message", message}});
  return answer;
}

Result<std::unique_ptr<NativeStepInvoker>> NativeStepInvoker::create(
    const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
    std::shared_ptr<const PluginHostApi> host, const std::string& config_json,
    size_t output_bytes) {
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
      new NativeStepInvoker(plugin, type, std::move(host), instance, output_bytes));
}

NativeStepInvoker::NativeStepInvoker(const coalition_plugin_descriptor_t& plugin,
                                     const coalition_step_type_t& type,
                                     std::shared_ptr<const PluginHostApi> host, void* instance,
                                     size_t output_bytes)
    : plugin_(plugin),
      type_(type),
      host_(std::move(host)),
      instance_(instance),
      serialized_((type.capabilities & COALITION_CAP_THREAD_SAFE) == 0),
      output_bytes_(output_bytes),
      who_(describe(plugin, type)) {}

NativeStepInvoker::~NativeStepInvoker() {
  try {
    type_.destroy(instance_);
  } catch (...) {  // nothing to report to: the instance is gone either way
  }
}

StepOutcome NativeStepInvoker::execute(const std::string& input_json,
                                       const std::string& context_json,
                                       std::chrono::milliseconds time_limit) {
  return decode_plugin_answer(
      answer(false, input_json, context_json, std::chrono::steady_clock::now() + time_limit), who_);
}

StepOutcome NativeStepInvoker::resume(const std::string& completion_json,
                                      const std::string& context_json,
                                      std::chrono::milliseconds time_limit) {
  return decode_plugin_answer(
      answer(true, completion_json, context_json, std::chrono::steady_clock::now() + time_limit),
      who_);
}

PluginAnswer NativeStepInvoker::answer(
    bool resume, const std::string& first, const std::string& context,
    std::optional<std::chrono::steady_clock::time_point> wait_until) {
  const CallFn fn = resume ? type_.resume : type_.execute;
  if (fn == nullptr) {
    return breach_answer("step.not_resumable", who_ + " cannot be resumed: it never suspends");
  }
  coalition_result_t result{};
  result.struct_size = sizeof(result);
  std::unique_lock<std::timed_mutex> lock(mutex_, std::defer_lock);
  if (serialized_ && !wait_until) lock.lock();
  if (serialized_ && wait_until && !lock.try_lock_until(*wait_until)) {
    // The instance is still in an earlier call — perhaps one the engine gave up on, which
    // holds it for ever. Entering would queue behind it; this call fails instead, retryably.
    PluginAnswer busy;
    busy.status = COALITION_STATUS_RETRYABLE_ERROR;
    busy.error_json = to_text(nlohmann::json{
        {"code", "plugin.timed_out"},
        {"message", who_ + " is not thread-safe and was still busy with an earlier call when this "
                           "call's time limit passed; it was not started"}});
    return busy;
  }
  try {
    fn(instance_, first.c_str(), context.c_str(), &result);
  } catch (...) {
    take_answer(plugin_, result);
    return breach_answer("plugin.exception", who_ + " let an exception cross the C ABI");
  }
  if (lock.owns_lock()) lock.unlock();
  return within_output_bytes(take_answer(plugin_, result), who_, output_bytes_);
}

PluginAnswer within_output_bytes(PluginAnswer raw, const std::string& who, size_t output_bytes) {
  const size_t size = std::max(raw.output_json ? raw.output_json->size() : 0,
                               raw.error_json ? raw.error_json->size() : 0);
  if (size > output_bytes) {
    return breach_answer("plugin.output_too_large",
                         fmt::format("{} returned a document of {} bytes; the limit is {} bytes "
                                     "(plugins.output_bytes)",
                                     who, size, output_bytes));
  }
  return raw;
}

}  // namespace coalition
