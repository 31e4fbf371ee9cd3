// IsolatedStepInvoker: runs one step type of an isolated plugin in its host process.
#ifndef COALITION_PLUGIN_HOST_ISOLATED_STEP_INVOKER_H_
#define COALITION_PLUGIN_HOST_ISOLATED_STEP_INVOKER_H_

#include <memory>
#include <string>

#include "plugin_host/isolated_plugin.h"
#include "plugin_host/step_invoker.h"

namespace coalition {

// The host forwards the plugin's raw answer, which is decoded here exactly as in process. A
// host that dies during the call fails the attempt with plugin.crashed (retryable, naming the
// signal); one that does not answer within the time limit is killed and the attempt fails with
// plugin.timed_out (retryable); a quarantined plugin fails it with plugin.quarantined.
class IsolatedStepInvoker final : public StepInvoker {
 public:
  IsolatedStepInvoker(std::shared_ptr<IsolatedPlugin> plugin, uint32_t type_index, std::string who);

  StepOutcome execute(const std::string& input_json, const std::string& context_json,
                      std::chrono::milliseconds time_limit) override;
  StepOutcome resume(const std::string& completion_json, const std::string& context_json,
                     std::chrono::milliseconds time_limit) override;

 private:
  StepOutcome call(FrameKind kind, const std::string& first, const std::string& context,
                   std::chrono::milliseconds time_limit);

  std::shared_ptr<IsolatedPlugin> plugin_;
  uint32_t type_index_;
  std::string who_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_ISOLATED_STEP_INVOKER_H_
