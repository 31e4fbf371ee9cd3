// The signatures of image and video formats, found at any offset of a byte string. Internal to
// the media guard (guard/media_scan.h is the public entry point); nlohmann-free.
#ifndef COALITION_GUARD_MEDIA_SIGNATURES_H_
#define COALITION_GUARD_MEDIA_SIGNATURES_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace coalition::media {

struct SignatureMatch {
  std::string_view kind;  // "image/png", ... (static storage)
  size_t offset = 0;      // where the file starts in the searched bytes
};

// The format whose signature starts at `at` in `bytes`, or empty. Signatures with few fixed
// bytes ("BM", a JPEG XL codestream, a bare QuickTime atom) count only at offset 0 unless their
// header fields check out, so that ordinary text and random bytes do not match.
std::string_view signature_at(std::string_view bytes, size_t at);

// The first signature at any offset of `bytes` (SVG text included), or nullopt. Linear: one
// switch on each byte.
std::optional<SignatureMatch> find_signature(std::string_view bytes);

// The same for printable ASCII text, where only the signatures without binary bytes can
// occur (SVG, RIFF): the fast path for ordinary strings.
std::optional<SignatureMatch> find_text_signature(std::string_view text);

}  // namespace coalition::media

#endif  // COALITION_GUARD_MEDIA_SIGNATURES_H_
