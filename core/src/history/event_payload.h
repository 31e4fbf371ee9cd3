// EventPayload: the data of the events every execution records at every step, written straight
// to the event's payload text. Each function gives exactly what nlohmann's dump gives the
// document in its comment (keys in order, no spaces), without building that document: these
// events are most of what a step records, and nobody reads most of them again.
#ifndef COALITION_HISTORY_EVENT_PAYLOAD_H_
#define COALITION_HISTORY_EVENT_PAYLOAD_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace coalition {

// execution_started: {"input": input, "workflow": workflow}
std::string execution_started_payload(std::string_view workflow, const nlohmann::json& input);

// step_scheduled: {"kind": kind}
std::string step_scheduled_payload(std::string_view kind);

// attempt_started: {"attempt": attempt, "idempotency_key": key, "plugin": plugin}, where
// `plugin_text` is the plugin's identity already as JSON text (StepType::plugin_identity()).
std::string attempt_started_payload(uint32_t attempt, std::string_view idempotency_key,
                                    std::string_view plugin_text);

// step_succeeded and execution_completed: {"output": output}
std::string output_payload(const nlohmann::json& output);

}  // namespace coalition

#endif  // COALITION_HISTORY_EVENT_PAYLOAD_H_
