// event_digest: the SHA-256 that ties one stored event, payload included, to its audit entry.
//
// The digest covers the event exactly as the store keeps it: execution id, seq, time (ms since
// the epoch), type, step and the payload's JSON text, each length-prefixed. The store computes
// it from the bytes it writes and the verifier from the bytes it reads, so nothing else (a
// re-serialisation, a parser) can make them disagree.
#ifndef COALITION_AUDIT_EVENT_DIGEST_H_
#define COALITION_AUDIT_EVENT_DIGEST_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace coalition {

// Appends `value` length-prefixed ("<bytes>:<value>;"), so that no choice of field contents
// can make two different field lists hash alike. The audit chain uses the same framing.
void append_hash_field(std::string& out, std::string_view value);

// Lowercase hex SHA-256 of the event's fields (see above).
std::string event_digest(std::string_view execution_id, uint64_t seq, int64_t at_ms,
                         std::string_view type, std::string_view step, std::string_view data);

}  // namespace coalition

#endif  // COALITION_AUDIT_EVENT_DIGEST_H_
