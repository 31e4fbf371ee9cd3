// NativeStepInvoker: runs a step type's code inside the engine process, through the C ABI.
#ifndef COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_
#define COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_

#include <coalition/plugin_abi.h>

#include <memory>
#include <mutex>
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
  static Result<std::unique_ptr<NativeStepInvoker>> create(
      const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
      std::shared_ptr<const PluginHostApi> host, const std::string& config_json);
  ~NativeStepInvoker() override;

  StepOutcome execute(const std::string& input_json, const std::string& context_json) override;
  StepOutcome resume(const std::string& completion_json, const std::string& context_json) override;

 private:
  using CallFn = void (*)(void*, const char*, const char*, coalition_result_t*);
  NativeStepInvoker(const coalition_plugin_descriptor_t& plugin, const coalition_step_type_t& type,
                    std::shared_ptr<const PluginHostApi> host, void* instance);
  StepOutcome call(CallFn fn, const std::string& first, const std::string& context);

  const coalition_plugin_descriptor_t& plugin_;
  const coalition_step_type_t& type_;
  std::shared_ptr<const PluginHostApi> host_;  // outlives the instance
  void* instance_;
  const bool serialized_;
  std::mutex mutex_;  // held around calls when the step type is not thread-safe
  std::string who_;
};

// Copies the strings of `result` out and releases them with the plugin's free_string.
PluginAnswer take_answer(const coalition_plugin_descriptor_t& plugin, coalition_result_t& result);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_NATIVE_STEP_INVOKER_H_
