// StepType: one installed step type — what it declares and how to run it. The engine's only
// handle on plugin code: it checks parameters, inputs and outputs against the declared schemas
// around every call, whatever StepInvoker runs the code.
#ifndef COALITION_PLUGIN_HOST_STEP_TYPE_H_
#define COALITION_PLUGIN_HOST_STEP_TYPE_H_

#include <coalition/plugin_abi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "guard/schema_fields.h"
#include "plugin_host/step_context.h"
#include "plugin_host/step_invoker.h"
#include "schema/json_schema.h"

namespace coalition {

struct StepTypeInfo {
  std::string name;
  std::string description;
  std::string plugin_id;
  uint32_t capabilities = 0;   // COALITION_CAP_* bits
  std::string plugin_version;  // of the plugin that provides it (several may be installed)
  std::string library_sha256;  // of that plugin's library, when its manifest pins it

  bool idempotent() const { return (capabilities & COALITION_CAP_IDEMPOTENT) != 0; }
  bool thread_safe() const { return (capabilities & COALITION_CAP_THREAD_SAFE) != 0; }
  bool may_suspend() const { return (capabilities & COALITION_CAP_MAY_SUSPEND) != 0; }
  bool non_blocking() const { return (capabilities & COALITION_CAP_NON_BLOCKING) != 0; }
  // What the history records of the code that ran: {"id", "version", "sha256" (when known)}.
  nlohmann::json plugin_json() const;
};

class StepType {
 public:
  StepType(StepTypeInfo info, JsonSchema parameters, std::optional<JsonSchema> input,
           std::optional<JsonSchema> output, std::optional<JsonSchema> answer,
           std::unique_ptr<StepInvoker> invoker);

  const StepTypeInfo& info() const { return info_; }
  // info().plugin_json() as JSON text, written once: every attempt's history records it.
  const std::string& plugin_identity() const { return plugin_identity_; }
  const JsonSchema& parameters_schema() const { return parameters_; }
  const std::optional<JsonSchema>& input_schema() const { return input_; }
  const std::optional<JsonSchema>& output_schema() const { return output_; }
  // What every answer to this type's tasks must fit (the engine checks it before the task's own).
  const std::optional<JsonSchema>& answer_schema() const { return answer_; }
  // The declared answer schema as compact JSON text (nlohmann's dump), written once: every
  // stored task of the type holds it in its form. Empty without one.
  const std::string& answer_schema_text() const { return answer_text_; }
  // Whether `schema` is the declared answer schema (a task naming it asks nothing of its own).
  bool declares_answer(const nlohmann::json& schema) const {
    return answer_ && answer_->document() == schema;
  }
  // The answer fields the declared answer schema says leave the member (x-coalition-outbound):
  // read once, here; empty without one.
  const SchemaFields& outbound_answers() const { return outbound_answers_; }
  // The parameters that leave the member (x-coalition-outbound), and the one that confines a
  // call to one organisation (x-coalition-confined-by; empty when none): read once, here.
  const SchemaFields& outbound_parameters() const { return outbound_parameters_; }
  const std::string& confining_parameter() const { return confining_parameter_; }

  // Violations of the parameters schema (unknown keys included); empty when valid.
  std::vector<SchemaViolation> check_parameters(const nlohmann::json& parameters) const;

  // Checks `parameters` against the parameters and input schemas (kInvalidParameters with the
  // pointer of the first violation, the plugin is not called), runs the attempt, and checks a
  // successful output against the output schema (a violation is a permanent error). A task
  // (a suspension that waits for no signal) is held to the declared answer schema whether or not
  // it names it: the engine joins it in where the task is shown, it is not copied into the task.
  // Thread-safe. Never throws.
  StepOutcome execute(const nlohmann::json& parameters, const StepContext& context) const;

  // Completes a suspended attempt with `completion`; the output is checked as for execute.
  StepOutcome resume(const nlohmann::json& completion, const StepContext& context) const;

  // Whether execute and resume may run on the engine's own thread: the type declares it
  // non-blocking and thread-safe (a type that is not waits for its instance's lock, which a call
  // abandoned on a plugin thread may hold for ever) and its code runs in this process (never an
  // isolated or exec plugin's, whose call crosses a socket). The first call of a deferred plugin
  // loads its code wherever it runs.
  bool runs_inline() const {
    return info_.non_blocking() && info_.thread_safe() && invoker_->in_process();
  }

 private:
  StepOutcome check_output(StepOutcome outcome) const;

  StepTypeInfo info_;
  std::string plugin_identity_;
  JsonSchema parameters_;
  std::optional<JsonSchema> input_;
  std::optional<JsonSchema> output_;
  std::optional<JsonSchema> answer_;
  std::string answer_text_;
  SchemaFields outbound_parameters_;
  SchemaFields outbound_answers_;
  std::string confining_parameter_;
  std::unique_ptr<StepInvoker> invoker_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_STEP_TYPE_H_
