// NativeStepInvoker: runs a step type's code inside the engine process, through the C ABI.
#ifndef COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_
#define COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_

#include <coalition/plugin_abi.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "plugin_host/plugin_host_api.h"
#include "plugin_host/step_invoker.h"

namespace coalition {

// In process there is no isolation: a plugin that crashes takes the engine with it, and a hung
// call cannot be stopped. Use it for first-party and trusted plugins and in tests.
class NativeStepInvoker final : public StepInvoker {
 public:
  // Creates one instance of `type` with `config_json`. The descriptor and the step type must
  // outlive the invoker (libraries are never unloaded). Fails with kPluginLoad when create()
  // refuses.
  // An answer whose output or error document is longer than `output_bytes` is replaced by a
  // plugin.output_too_large error.
  static Result<std::unique_ptr<NativeStepInvoker>> create(
      const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
      std::shared_ptr<const PluginHostApi> host, const std::string& config_json,
      size_t output_bytes);
  ~NativeStepInvoker() override;

  // In process the time limit cannot stop a call: the engine fails the attempt when it passes
  // (Engine's watchdog) and the thread stays with the plugin until it returns.
  StepOutcome execute(const std::string& input_json, const std::string& context_json,
                      std::chrono::milliseconds time_limit) override;
  StepOutcome resume(const std::string& completion_json, const std::string& context_json,
                     std::chrono::milliseconds time_limit) override;
  bool in_process() const override { return true; }

  // The raw answer of one call, as the ABI returned it (the plugin host forwards it as is).
  // A breach the invoker itself detects (an exception across the ABI, a step that cannot be
  // resumed, an answer over the size limit) comes back as a permanent error answer. With
  // `wait_until`, a step type that is not thread-safe and still busy with an earlier call then
  // (one that may never return) answers a retryable plugin.timed_out without being entered.
  PluginAnswer answer(
      bool resume, const std::string& first, const std::string& context,
      std::optional<std::chrono::steady_clock::time_point> wait_until = std::nullopt);

  const std::string& who() const { return who_; }

 private:
  using CallFn = void (*)(void*, const char*, const char*, coalition_result_t*);
  NativeStepInvoker(const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
                    std::shared_ptr<const PluginHostApi> host, void* instance, size_t output_bytes);

  const coalition_plugin_descriptor_t& plugin_;
  const coalition_step_type_t& type_;
  std::shared_ptr<const PluginHostApi> host_;  // outlives the instance
  void* instance_;
  const bool serialized_;
  const size_t output_bytes_;
  std::timed_mutex mutex_;  // held around calls when the step type is not thread-safe
  std::string who_;
};

// Copies the strings of `result` out and releases them with the plugin's free_string.
PluginAnswer take_answer(const coalition_plugin_descriptor_t& plugin, coalition_result_t& result);

// A permanent error answer with this code and message, as a plugin would have written it.
PluginAnswer breach_answer(const std::string& code, const std::string& message);

// `raw` itself, or plugin.output_too_large naming `who` when its output or error document is
// larger than `output_bytes` (plugins.output_bytes).
PluginAnswer within_output_bytes(PluginAnswer raw, const std::string& who, size_t output_bytes);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_
