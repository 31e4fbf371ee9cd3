// What one string (or byte array) carries, decoded layer by layer: the working part of the
// media scan behind guard/media_scan.h. Internal to the guard.
#ifndef COALITION_GUARD_MEDIA_CONTENT_H_
#define COALITION_GUARD_MEDIA_CONTENT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "guard/media_scan.h"

namespace coalition::media {

// Shared by every inspection of one scan.
struct ScanState {
  const MediaScanOptions& options;
  size_t budget_left;
};

// Where an inspection stands: how deep in encodings, by which methods, under which rules.
// Layers live on the stack of the inspection and point to the one they came from, so no
// string is built unless a finding is described.
struct Layer {
  int depth = 0;
  const Layer* parent = nullptr;
  std::string_view method;   // "base64", "object key", ... (static storage)
  bool binary_rule = true;   // apply the binary limit
  bool text_checks = true;   // look for encodings, data URIs and JSON in it
  bool byte_values = false;  // from an array of numbers

  // One decoding deeper.
  Layer then(std::string_view how) const;
  // One decoding deeper, but a guess (an alignment, a heuristic): signatures only.
  Layer signatures_only(std::string_view how) const;
  // The same depth, at a place ("object key", "joined fields").
  Layer at(std::string_view place, bool keep_binary_rule) const;
  // The methods from the document down to here: "nested JSON+base64+gzip".
  std::string chain() const;
  // The top of a document: a value as it stands.
  bool is_top() const { return parent == nullptr; }
};

// The kind a binary-limit finding names.
inline constexpr std::string_view kBinaryKind = "application/octet-stream";

struct ContentFinding {
  std::string kind;
  std::string how;
  bool binary = false;  // only the binary limit: waived for a declared reference
};

// The first media signature found in what `text` (a JSON string) carries, else the binary-limit
// finding, else nullopt. Decodes within `state`'s budget; never deeper than the depth limit.
std::optional<ContentFinding> inspect_string(std::string_view text, ScanState& state,
                                             const Layer& layer);
// The same for raw bytes (an array of byte values).
std::optional<ContentFinding> inspect_bytes(std::string_view bytes, ScanState& state,
                                            const Layer& layer);

// The walk of a document (defined in media_scan.cc): used again for JSON text inside a string.
std::optional<MediaFinding> scan_document(const nlohmann::json& doc, ScanState& state,
                                          const Layer& layer);

// A finding's `how`: "magic bytes" or "magic bytes (base64+gzip)".
std::string describe(std::string_view what, const Layer& layer);

}  // namespace coalition::media

#endif  // COALITION_GUARD_MEDIA_CONTENT_H_
