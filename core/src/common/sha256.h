// SHA-256, for the audit chain and workflow digests.
#ifndef COALITION_COMMON_SHA256_H_
#define COALITION_COMMON_SHA256_H_

#include <string>
#include <string_view>

namespace coalition {

// Lower-case hex digest (64 characters) of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace coalition

#endif  // COALITION_COMMON_SHA256_H_
