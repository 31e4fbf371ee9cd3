#include "plugin_host/plugin_answer.h"

#include <coalition/plugin_abi.h>

#include "common/json_text.h"

namespace coalition {
namespace {

StepOutcome breach(const std::string& code, const std::string& message) {
  return StepOutcome::failed(StepStatus::kPermanentError, code, message);
}

StepStatus error_status(uint32_t status) {
  switch (status) {
    case COALITION_STATUS_RETRYABLE_ERROR: return StepStatus::kRetryableError;
    case COALITION_STATUS_INVALID_PARAMETERS: return StepStatus::kInvalidParameters;
    default: return StepStatus::kPermanentError;
  }
}

// The plugin's own words are kept only when they have the documented shape; the raw text is
// never echoed, since a plugin in trouble may put anything there.
StepOutcome decode_error(const PluginAnswer& answer, const std::string& who) {
  if (!answer.error_json) {
    return StepOutcome::failed(error_status(answer.status), "plugin.error_without_detail",
                               who + " failed without saying why");
  }
  auto doc = parse_json(*answer.error_json);
  if (!doc) {
    return breach("plugin.malformed_error",
                  who + " returned a malformed error document: " + doc.error().message());
  }
  const auto& e = *doc;
  if (!e.is_object() || !e.contains("code") || !e["code"].is_string() || !e.contains("message") ||
      !e["message"].is_string()) {
    return breach("plugin.malformed_error",
                  who + " returned an error without string \"code\" and \"message\"");
  }
  std::string pointer;
  if (auto it = e.find("pointer"); it != e.end() && it->is_string()) pointer = *it;
  return StepOutcome::failed(error_status(answer.status), e["code"], e["message"],
                             std::move(pointer));
}

}  // namespace

StepOutcome decode_plugin_answer(const PluginAnswer& answer, const std::string& who) {
  switch (answer.status) {
    case COALITION_STATUS_OK:
    case COALITION_STATUS_SUSPEND: {
      if (!answer.output_json && answer.status == COALITION_STATUS_OK) {
        return breach("plugin.null_output",
                      who + " answered OK without an output document (return {} for none)");
      }
      nlohmann::json output;  // null until set: an object allocates even when replaced
      if (answer.output_json) {
        auto doc = parse_json(*answer.output_json);
        if (!doc) {
          return breach("plugin.malformed_output",
                        who + " returned malformed output JSON: " + doc.error().message());
        }
        output = std::move(*doc);
      } else {
        output = nlohmann::json::object();
      }
      if (answer.status == COALITION_STATUS_OK) return StepOutcome::ok(std::move(output));
      if (!output.is_object()) {
        return breach("plugin.malformed_output",
                      who + " suspended with a wait description that is not a JSON object");
      }
      return StepOutcome::suspend(std::move(output));
    }
    case COALITION_STATUS_RETRYABLE_ERROR:
    case COALITION_STATUS_PERMANENT_ERROR:
    case COALITION_STATUS_INVALID_PARAMETERS: return decode_error(answer, who);
    default:
      return breach("plugin.unknown_status",
                    who + " returned unknown status " + std::to_string(answer.status));
  }
}

}  // namespace coalition
