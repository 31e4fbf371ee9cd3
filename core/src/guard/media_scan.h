// Finds images and video in a JSON document, so nothing that carries them is stored or moved.
// Coalition handles references only (hashes, URLs, case and report numbers); possessing the
// material is itself an offence in most jurisdictions. Shared by the engine (every payload that
// enters an execution) and the no_media plugin (the explicit guard step); depends on nothing but
// nlohmann/json so a plugin can compile it in.
#ifndef COALITION_GUARD_MEDIA_SCAN_H_
#define COALITION_GUARD_MEDIA_SCAN_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

struct MediaFinding {
  std::string pointer;  // JSON Pointer of the offending value in the scanned document
  std::string kind;     // "image/png", "video/mp4", ... (never the bytes themselves)
  std::string how;      // "declared MIME type", "data URI", "magic bytes (base64)", ...
};

// The first image or video found in `doc`, depth first: a MIME-type field (content_type,
// mime_type, media_type, mimetype and their camelCase forms) naming image/* or video/*; a data
// URI of such a type; a string whose decoded bytes (base64, or code points 0-255) start with
// the signature of an image or video format.
std::optional<MediaFinding> find_media(const nlohmann::json& doc);

// The format whose signature `bytes` starts with ("image/jpeg", ...), or empty.
std::string sniff_media(std::string_view bytes);

}  // namespace coalition

#endif  // COALITION_GUARD_MEDIA_SCAN_H_
