#include "audit/event_digest.h"

#include "common/sha256.h"

namespace coalition {

void append_hash_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

// Hashing the stored text (not a parsed document) keeps the digest independent of how a JSON
// library orders keys or prints numbers: the verifier reads back the very bytes written.
std::string event_digest(std::string_view execution_id, uint64_t seq, int64_t at_ms,
                         std::string_view type, std::string_view step, std::string_view data) {
  std::string text;
  text.reserve(64 + execution_id.size() + step.size() + data.size());
  append_hash_field(text, "event/1");
  append_hash_field(text, execution_id);
  append_hash_field(text, std::to_string(seq));
  append_hash_field(text, std::to_string(at_ms));
  append_hash_field(text, type);
  append_hash_field(text, step);
  append_hash_field(text, data);
  return sha256_hex(text);
}

}  // namespace coalition
