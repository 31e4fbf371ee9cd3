// Error: an expected failure, as a value. See docs/decisions/0001-error-model.md.
#ifndef COALITION_COMMON_ERROR_H_
#define COALITION_COMMON_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace coalition {

enum class ErrorCode {
  kInvalidArgument,   // a caller passed something unusable (usage error)
  kInvalidData,       // a document (workflow, parameters, answer) is malformed or violates a schema
  kNotFound,          // a named thing (step type, file, plugin) does not exist
  kConfiguration,     // engine configuration or installation is wrong
  kPluginLoad,        // a plugin library cannot be loaded or refuses the host
  kPluginContract,    // a loaded plugin broke the ABI contract (bad output, unknown status)
  kConflict,          // a name or id is already taken, or the thing is no longer in that state
  kPermissionDenied,  // the actor may not do this (role, organisation, separation of duties)
  kUnauthenticated,   // no usable credential: missing, malformed, unknown, expired or revoked
  kIo,                // the operating system refused (file, socket)
  kInternal,          // a bug in Coalition
  kEvicted,           // the execution left memory while the call waited for it: load it again
                      // and repeat the call (the engine does; it never reaches a caller)
};

std::string_view to_string(ErrorCode code);

// Why, more precisely than the code, where a caller acts on the difference (the server's
// problem codes, its 400 versus 422): set where the error is made, never read from the message.
enum class ErrorReason : uint8_t {
  kUnspecified,
  kMediaRefused,   // an image or video (or undeclared binary) where only references may go
  kMalformedJson,  // text that is not JSON at all, as opposed to JSON of the wrong shape
  kLeaseMoved,  // kConflict: another engine node claimed the execution (store/execution_leases.h)
  kExecutionBusy,  // kConflict: another node that is alive works on the execution: try again soon
};

// What went wrong, where. Context fields are empty when unknown; `pointer` is an RFC 6901 JSON
// Pointer into the document named by the message.
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error invalid_argument(std::string message) {
    return {ErrorCode::kInvalidArgument, std::move(message)};
  }
  static Error invalid_data(std::string message, std::string pointer = {}) {
    return Error(ErrorCode::kInvalidData, std::move(message)).with_pointer(std::move(pointer));
  }
  // kInvalidData for the guard's refusal of an image or video (guard/media_scan.h).
  static Error media_refused(std::string message, std::string pointer) {
    return invalid_data(std::move(message), std::move(pointer))
        .with_reason(ErrorReason::kMediaRefused);
  }
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
  static Error configuration(std::string message) {
    return {ErrorCode::kConfiguration, std::move(message)};
  }
  static Error plugin_load(std::string message) {
    return {ErrorCode::kPluginLoad, std::move(message)};
  }
  static Error plugin_contract(std::string message) {
    return {ErrorCode::kPluginContract, std::move(message)};
  }
  static Error conflict(std::string message) { return {ErrorCode::kConflict, std::move(message)}; }
  static Error permission_denied(std::string message) {
    return {ErrorCode::kPermissionDenied, std::move(message)};
  }
  static Error unauthenticated(std::string message) {
    return {ErrorCode::kUnauthenticated, std::move(message)};
  }
  static Error io(std::string message) { return {ErrorCode::kIo, std::move(message)}; }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }
  static Error evicted(std::string message) { return {ErrorCode::kEvicted, std::move(message)}; }

  Error&& with_pointer(std::string pointer) && {
    pointer_ = std::move(pointer);
    return std::move(*this);
  }
  Error&& with_plugin(std::string plugin) && {
    plugin_ = std::move(plugin);
    return std::move(*this);
  }
  Error&& with_step(std::string step) && {
    step_ = std::move(step);
    return std::move(*this);
  }
  Error&& with_workflow(std::string workflow) && {
    workflow_ = std::move(workflow);
    return std::move(*this);
  }
  Error&& with_reason(ErrorReason reason) && {
    reason_ = reason;
    return std::move(*this);
  }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& pointer() const { return pointer_; }
  const std::string& plugin() const { return plugin_; }
  const std::string& step() const { return step_; }
  const std::string& workflow() const { return workflow_; }
  ErrorReason reason() const { return reason_; }

  // "pointer: message" when a pointer is known, else the message.
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string pointer_;
  std::string plugin_;
  std::string step_;
  std::string workflow_;
  ErrorReason reason_ = ErrorReason::kUnspecified;
};

}  // namespace coalition

#endif  // COALITION_COMMON_ERROR_H_
