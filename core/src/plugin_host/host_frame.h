// HostFrame: one message between the engine and an isolated plugin host
// (`coalition-plugin-host`), and its bytes on the socket.
//
// A frame is a 4-byte little-endian length followed by that many bytes of body:
//   kind (1 byte) | call id (8, LE) | code (4, LE) | text count (1) | texts...
// and each text is a presence byte (0 absent, 1 present), a 4-byte LE length and the bytes.
// The texts are the ABI's JSON documents, passed through unparsed, so the host adds no JSON
// work to a call; what a plugin returns is decoded once, by the engine, exactly as in process.
#ifndef COALITION_PLUGIN_HOST_HOST_FRAME_H_
#define COALITION_PLUGIN_HOST_HOST_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace coalition {

// Raised by the protocol version in the load and describe documents when frames change.
inline constexpr int kHostProtocolVersion = 1;

enum class FrameKind : uint8_t {
  kLoad = 1,      // engine -> host: texts[0] the load document (library, configuration, limits)
  kDescribe = 2,  // host -> engine: texts[0] what the plugin declares (plugin, step types)
  kRefused = 3,   // host -> engine: texts[0] why the plugin could not be loaded; the host exits
  kExecute = 4,   // engine -> host: code = step type index; texts input, context
  kResume = 5,    // engine -> host: code = step type index; texts completion, context
  kAnswer = 6,    // host -> engine: code = COALITION_STATUS_*; texts output, error
  kLog = 7,       // host -> engine: code = COALITION_LOG_*; texts[0] the line
};

struct HostFrame {
  FrameKind kind = FrameKind::kLog;
  uint64_t call = 0;  // pairs an answer with its call
  uint32_t code = 0;
  std::vector<std::optional<std::string>> texts;
};

inline constexpr size_t kFrameLengthBytes = 4;
inline constexpr size_t kMaxFrameTexts = 8;

// The frame's bytes, length prefix included.
std::string encode_frame(const HostFrame& frame);

// The body length a length prefix announces; an error when it is above `max_body` or too short
// to hold a frame (the peer is broken or hostile: the connection is closed).
Result<size_t> frame_body_length(const unsigned char (&prefix)[kFrameLengthBytes], size_t max_body);

// Decodes a body (what follows the length prefix). Every inconsistency — an unknown kind, a
// text running past the end, bytes left over — is an error naming it. Never throws.
Result<HostFrame> decode_frame_body(std::string_view body);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_HOST_FRAME_H_
