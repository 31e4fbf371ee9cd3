// Text encodings that can carry binary: each decoder turns text into the bytes it encodes, or
// says it is not that encoding. Internal to the media guard; nlohmann-free.
#ifndef COALITION_GUARD_MEDIA_DECODERS_H_
#define COALITION_GUARD_MEDIA_DECODERS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coalition::media {

// Every decoder returns the bytes `text` encodes, at most `cap` of them (the rest is not
// decoded), or nullopt when `text` is not in its encoding. None allocates more than `cap`.

// Base64, standard or URL-safe; CR/LF ignored; '=' ends a segment and decoding restarts after
// it (chunks glued together). `skip` characters are dropped first (a glued prefix).
std::optional<std::string> decode_base64(std::string_view text, size_t skip, size_t cap);
// RFC 4648 base32 (A-Z, 2-7), either case; '=' ends a segment.
std::optional<std::string> decode_base32(std::string_view text, size_t skip, size_t cap);
// Hex digits only, in pairs, after dropping `skip` digits.
std::optional<std::string> decode_hex(std::string_view text, size_t skip, size_t cap);
// Hex bytes written one by one: "89 50 4e 47", "0x89, 0x50", "\x89\x50", "89:50:4E". At least
// eight bytes; every group exactly two digits (so hash lists are not joined).
std::optional<std::string> decode_hex_bytes(std::string_view text, size_t cap);
// Percent-encoding (%89PNG...); at least four escapes.
std::optional<std::string> decode_percent(std::string_view text, size_t cap);
// Quoted-printable (=89PNG..., soft line breaks); at least four escapes.
std::optional<std::string> decode_quoted_printable(std::string_view text, size_t cap);
// uuencode: a "begin NNN name" block, or bare lines of 61 characters starting with 'M'.
std::optional<std::string> decode_uuencode(std::string_view text, size_t cap);
// Ascii85 between "<~" and "~>" (Adobe), 'z' for four zero bytes.
std::optional<std::string> decode_ascii85(std::string_view text, size_t cap);
// Z85 (ZeroMQ): the whole text, a multiple of five characters of its alphabet.
std::optional<std::string> decode_z85(std::string_view text, size_t cap);
// UTF-16 text (BOM, or ASCII with every other byte zero) as UTF-8; nullopt for anything else.
std::optional<std::string> decode_utf16_text(std::string_view bytes, size_t cap);
// The code points of UTF-8 `text` as bytes, when every one is below 256 (binary smuggled as
// \u00XX escapes).
std::optional<std::string> code_points_as_bytes(std::string_view text, size_t cap);
// The code points of UTF-8 `text` as 16-bit units, big or little endian (binary packed two
// bytes to a character); nullopt when most characters are ASCII or outside the BMP.
std::optional<std::string> code_units_as_bytes(std::string_view text, bool big_endian, size_t cap);

}  // namespace coalition::media

#endif  // COALITION_GUARD_MEDIA_DECODERS_H_
