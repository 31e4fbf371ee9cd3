// Gzip and zlib streams, inflated up to a cap, so that compression does not hide an image.
// Internal to the media guard; depends on zlib only.
#ifndef COALITION_GUARD_MEDIA_INFLATE_H_
#define COALITION_GUARD_MEDIA_INFLATE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coalition::media {

// Whether `bytes` opens with a gzip member or a zlib header.
bool looks_compressed(std::string_view bytes);

struct Inflated {
  std::string bytes;     // at most the cap
  bool complete = true;  // false: the stream goes on past the cap
};

// The first `cap` bytes `bytes` inflates to, or nullopt when it is not a valid stream.
std::optional<Inflated> inflate_prefix(std::string_view bytes, size_t cap);

}  // namespace coalition::media

#endif  // COALITION_GUARD_MEDIA_INFLATE_H_
