// libFuzzer target: any bytes as a frame from a plugin host (plugin_host/host_frame.h) — the
// engine reads what an isolated, possibly hostile, plugin process sends. Never a crash; a body
// that decodes encodes back to exactly the same bytes, and a length prefix is refused beyond its
// limit.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "plugin_host/host_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (size >= coalition::kFrameLengthBytes) {
    unsigned char prefix[coalition::kFrameLengthBytes];
    std::memcpy(prefix, data, sizeof(prefix));
    auto length = coalition::frame_body_length(prefix, 4096);
    if (length && *length > 4096) __builtin_trap();
  }
  auto frame = coalition::decode_frame_body(body);
  if (!frame) return 0;
  const std::string bytes = coalition::encode_frame(*frame);
  if (bytes.size() != size + coalition::kFrameLengthBytes) __builtin_trap();
  if (std::string_view(bytes).substr(coalition::kFrameLengthBytes) != body) __builtin_trap();
  return 0;
}
