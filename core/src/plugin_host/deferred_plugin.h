// DeferredPlugin: a plugin known from its manifest whose code is loaded on the first call of
// one of its steps — so listing, validating, status and history never run plugin code — and
// DeferredStepInvoker, the StepInvoker of each of its step types.
#ifndef COALITION_PLUGIN_HOST_DEFERRED_PLUGIN_H_
#define COALITION_PLUGIN_HOST_DEFERRED_PLUGIN_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "plugin_host/plugin_info.h"
#include "plugin_host/step_invoker.h"
#include "plugin_host/step_type_declaration.h"

namespace coalition {

// A plugin's code, loaded and checked: what it declares and one invoker per step type, in the
// order it declares them.
struct PluginCode {
  PluginInfo info;
  std::vector<StepTypeDeclaration> step_types;
  std::vector<std::unique_ptr<StepInvoker>> invokers;
};

class DeferredPlugin {
 public:
  using Load = std::function<Result<PluginCode>()>;
  // `load` loads and checks the code (against the manifest); called at most once.
  DeferredPlugin(std::string plugin_id, Load load);

  // The invoker of step type `index`, loading the code first if no call has yet. A failed load
  // is remembered and answered to the calls of the next kRetryLoadAfter — a refusal would only
  // repeat, a library that crashes its host would crash the next one — then tried again, so a
  // long-running worker recovers from a passing failure (a host that could not be spawned) or
  // from a plugin fixed on disk. Thread-safe; concurrent first calls wait for one load.
  Result<StepInvoker*> invoker(size_t index);

 private:
  static constexpr std::chrono::seconds kRetryLoadAfter{30};

  const std::string plugin_id_;
  Load load_;
  mutable std::mutex mutex_;
  bool attempted_ = false;
  std::optional<Error> failure_;
  std::chrono::steady_clock::time_point failed_at_{};
  std::vector<std::unique_ptr<StepInvoker>> invokers_;
};

// Runs step type `index` of a deferred plugin; a plugin whose code could not be loaded fails
// the attempt permanently with plugin.refused and the reason.
class DeferredStepInvoker final : public StepInvoker {
 public:
  // `in_process`: the code will be loaded into this process (what the configuration says of
  // the plugin, known before its first call loads it).
  DeferredStepInvoker(std::shared_ptr<DeferredPlugin> plugin, size_t index, bool in_process);
  StepOutcome execute(const std::string& input_json, const std::string& context_json,
                      std::chrono::milliseconds time_limit) override;
  StepOutcome resume(const std::string& completion_json, const std::string& context_json,
                     std::chrono::milliseconds time_limit) override;
  // Known from the start, so that every call of a step type runs in the same place (the first
  // one then loads the code, once, wherever it runs).
  bool in_process() const override { return in_process_; }

 private:
  StepOutcome call(bool resume, const std::string& first, const std::string& context_json,
                   std::chrono::milliseconds time_limit);

  std::shared_ptr<DeferredPlugin> plugin_;
  size_t index_;
  bool in_process_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_DEFERRED_PLUGIN_H_
