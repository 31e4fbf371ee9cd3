// StepInvoker: where the code of one step type runs. The engine talks to every step type through
// this seam, so a plugin can run inside the engine (NativeStepInvoker) or in a separate plugin
// host process without the engine knowing the difference. Texts are the ABI's JSON documents.
#ifndef COALITION_PLUGIN_HOST_STEP_INVOKER_H_
#define COALITION_PLUGIN_HOST_STEP_INVOKER_H_

#include <chrono>
#include <string>

#include "plugin_host/plugin_answer.h"

namespace coalition {

class StepInvoker {
 public:
  virtual ~StepInvoker() = default;

  // Runs one attempt. Thread-safe: implementations serialize calls when the step type is not
  // thread-safe. Never throws; a crash or breach of contract comes back as an error answer.
  // `time_limit` is how long the call may take in real time; an invoker that can stop a call
  // (the isolated host) stops it then and answers plugin.timed_out.
  virtual StepOutcome execute(const std::string& input_json, const std::string& context_json,
                              std::chrono::milliseconds time_limit) = 0;

  // Completes a suspended attempt; same contract as execute.
  virtual StepOutcome resume(const std::string& completion_json, const std::string& context_json,
                             std::chrono::milliseconds time_limit) = 0;

  // Whether a call runs the plugin's code in this process, here and now (no host process, no
  // library still to load).
  virtual bool in_process() const { return false; }
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_STEP_INVOKER_H_
