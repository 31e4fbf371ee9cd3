// Finds images and video in a JSON document, so nothing that carries them is stored or moved.
// Coalition handles references only (hashes, URLs, case and report numbers); possessing the
// material is itself an offence in most jurisdictions. Shared by the engine (every payload that
// enters an execution) and the no_media plugin (the explicit guard step); depends on nothing but
// nlohmann/json and zlib, so a plugin can compile it in (with the other guard/media_*.cc files).
#ifndef COALITION_GUARD_MEDIA_SCAN_H_
#define COALITION_GUARD_MEDIA_SCAN_H_

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

struct MediaFinding {
  std::string pointer;  // JSON Pointer of the offending value in the scanned document
  std::string kind;     // "image/png", "video/mp4", ... (never the bytes themselves)
  std::string how;      // "declared MIME type", "data URI", "magic bytes (base64+gzip)", ...
};

// References only: a string that decodes to more than this many bytes that are not text (and
// that make up over a quarter of it) is refused unless its field is declared a reference.
inline constexpr size_t kMediaBinaryLimit = 512;
// Decoded bytes one scan may produce in all (every layer, every string); a payload that needs
// more is refused ("decode budget exhausted") rather than scanned at any cost.
inline constexpr size_t kMediaDecodeBudget = size_t{32} << 20;
// Encodings within encodings (nested JSON > base64 > gzip > ...) followed at most.
inline constexpr int kMediaMaxDecodeDepth = 6;

struct MediaScanOptions {
  size_t binary_limit = kMediaBinaryLimit;
  size_t decode_budget = kMediaDecodeBudget;
  int max_decode_depth = kMediaMaxDecodeDepth;
  // Whether the value at a JSON Pointer of the scanned document is declared a reference
  // (guard/reference_fields.h builds one from a JSON Schema). Declared values are exempt from
  // the binary limit only; images, video and media data URIs are refused in them too. Asked
  // only when the limit is exceeded. Empty: nothing is declared.
  std::function<bool(const std::string& pointer)> is_reference;
};

// The first image or video found in `doc`, in document order, or data the options refuse.
// Looks at object keys and string values, normalised (BOM, zero-width characters, surrounding
// space removed): MIME-type fields (content_type, Content-Type, mimeType, type, format, ... any
// case) naming image/* or video/*; data URIs (any case, anywhere in a string); signatures at
// any offset of the string or of what it decodes to (base64, base32, hex, percent-encoding,
// quoted-printable, Ascii85, Z85, uuencode, UTF-16, code points 0-255, gzip/zlib, JSON text),
// layer after layer within the depth and decode budget; arrays of byte values; string chunks
// of an array or object joined together. Iterative: any nesting depth, bounded work.
std::optional<MediaFinding> find_media(const nlohmann::json& doc,
                                       const MediaScanOptions& options = {});

// What is media in a request whatever a schema would say: find_media with every value taken
// as a declared reference (the binary limit is applied later, once the data reaches a schema).
// One definition for the engine's refusal and the server's check before it looks anything up.
std::optional<MediaFinding> find_request_media(const nlohmann::json& doc);

// The format whose signature `bytes` starts with ("image/jpeg", ...), or empty.
std::string sniff_media(std::string_view bytes);

}  // namespace coalition

#endif  // COALITION_GUARD_MEDIA_SCAN_H_
