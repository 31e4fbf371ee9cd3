#include "common/error.h"

namespace coalition {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kInvalidData: return "invalid_data";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConfiguration: return "configuration";
    case ErrorCode::kPluginLoad: return "plugin_load";
    case ErrorCode::kPluginContract: return "plugin_contract";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kEvicted: return "evicted";
  }
  return "unknown";
}

std::string Error::to_string() const {
  // A pointer of "" names the whole document, which RFC 6901 spells as the empty string; show it
  // as "/" only when the message is about a place in a document.
  if (pointer_.empty()) return message_;
  return pointer_ + ": " + message_;
}

}  // namespace coalition
