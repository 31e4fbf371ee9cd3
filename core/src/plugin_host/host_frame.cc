#include "plugin_host/host_frame.h"

#include <fmt/format.h>

namespace coalition {
namespace {

constexpr size_t kFixedBytes = 1 + 8 + 4 + 1;  // kind, call, code, text count

void put(std::string& out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

uint64_t get(std::string_view in, size_t at, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  }
  return value;
}

bool known_kind(uint8_t kind) {
  return kind >= static_cast<uint8_t>(FrameKind::kLoad) &&
         kind <= static_cast<uint8_t>(FrameKind::kLog);
}

}  // namespace

std::string encode_frame(const HostFrame& frame) {
  size_t body = kFixedBytes;
  for (const auto& text : frame.texts) body += 1 + 4 + (text ? text->size() : 0);
  std::string out;
  out.reserve(kFrameLengthBytes + body);
  put(out, body, kFrameLengthBytes);
  out.push_back(static_cast<char>(frame.kind));
  put(out, frame.call, 8);
  put(out, frame.code, 4);
  out.push_back(static_cast<char>(frame.texts.size()));
  for (const auto& text : frame.texts) {
    out.push_back(text ? 1 : 0);
    put(out, text ? text->size() : 0, 4);
    if (text) out.append(*text);
  }
  return out;
}

Result<size_t> frame_body_length(const unsigned char (&prefix)[kFrameLengthBytes],
                                 size_t max_body) {
  size_t length = 0;
  for (size_t i = 0; i < kFrameLengthBytes; ++i)
    length |= static_cast<size_t>(prefix[i]) << (8 * i);
  if (length < kFixedBytes) {
    return Error::plugin_contract(fmt::format("a frame of {} bytes is too short", length));
  }
  if (length > max_body) {
    return Error::plugin_contract(
        fmt::format("a frame of {} bytes is over the limit of {} bytes", length, max_body));
  }
  return length;
}

Result<HostFrame> decode_frame_body(std::string_view body) {
  if (body.size() < kFixedBytes) {
    return Error::plugin_contract(fmt::format("a frame of {} bytes is too short", body.size()));
  }
  const auto kind = static_cast<uint8_t>(body[0]);
  if (!known_kind(kind)) return Error::plugin_contract(fmt::format("unknown frame kind {}", kind));
  HostFrame frame;
  frame.kind = static_cast<FrameKind>(kind);
  frame.call = get(body, 1, 8);
  frame.code = static_cast<uint32_t>(get(body, 9, 4));
  const size_t count = static_cast<unsigned char>(body[13]);
  if (count > kMaxFrameTexts) {
    return Error::plugin_contract(
        fmt::format("a frame with {} texts (at most {})", count, kMaxFrameTexts));
  }
  size_t at = kFixedBytes;
  for (size_t i = 0; i < count; ++i) {
    if (body.size() - at < 5) {
      return Error::plugin_contract(fmt::format("text {} of a frame is cut short", i));
    }
    const auto present = static_cast<unsigned char>(body[at]);
    const size_t length = get(body, at + 1, 4);
    at += 5;
    if (present > 1 || (present == 0 && length != 0)) {
      return Error::plugin_contract(fmt::format("text {} of a frame has a bad marker", i));
    }
    if (body.size() - at < length) {
      return Error::plugin_contract(fmt::format("text {} of a frame runs past its end", i));
    }
    if (present == 1) {
      frame.texts.emplace_back(std::string(body.substr(at, length)));
    } else {
      frame.texts.emplace_back(std::nullopt);
    }
    at += length;
  }
  if (at != body.size()) {
    return Error::plugin_contract(
        fmt::format("a frame has {} bytes after its last text", body.size() - at));
  }
  return frame;
}

}  // namespace coalition
