// StepContext: the engine's facts about one attempt, handed to the plugin as context_json.
#ifndef COALITION_PLUGIN_HOST_STEP_CONTEXT_H_
#define COALITION_PLUGIN_HOST_STEP_CONTEXT_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/rfc3339.h"

namespace coalition {

struct StepPrincipal {
  std::string actor;
  std::string role;
  std::string organisation;
};

struct StepContext {
  std::string execution_id;
  std::string step_id;
  uint32_t attempt = 1;
  std::string idempotency_key;  // same across retries and restarts of one logical step
  std::optional<UtcMicros> deadline;
  std::optional<StepPrincipal> principal;
  // The context's "task_token" (it names the completion of a suspended attempt) is the
  // idempotency key: one logical step, one task to answer, across retries and restarts. It is
  // written from the key, not kept beside it: a copy of the key was an allocation per attempt.
  // The engine's clock when the call was made (virtual time under --now): plugins that need the
  // time ask for this, never the system clock, so a run in virtual time stays consistent.
  std::optional<UtcMicros> now;
  // How long the call may take in real time (the step's timeout, else plugins.step_timeout).
  // Not part of context_json: the invoker enforces it.
  std::chrono::milliseconds time_limit{std::chrono::minutes(5)};

  // The context_json document of the ABI (coalition_step_type_t.execute).
  nlohmann::json to_json() const;
  // The same document as compact JSON text, written directly: it is built for every call.
  std::string to_text() const;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_STEP_CONTEXT_H_
