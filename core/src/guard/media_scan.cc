// The walk over a document is iterative (an explicit stack of containers), because payloads
// come from outside and runtime-built values can nest deeper than any parse limit: a value
// nested 100,000 deep costs memory in a vector, never the call stack. The path to a finding is
// the stack itself; the JSON Pointer is only written out for a finding (or when a declared
// reference must be looked up).
#include "guard/media_scan.h"

#include <array>
#include <cstdint>
#include <vector>

#include "guard/media_content.h"
#include "guard/media_signatures.h"
#include "guard/media_text.h"

namespace coalition {

namespace {

using media::Layer;
using media::ScanState;
using nlohmann::json;

constexpr size_t kMinByteArray = 12;  // as kMinEncoded: fewer bytes hold no file
constexpr size_t kMinJoined = 32;     // chunks joined: 24 bytes encoded hold no image

// Keys that declare a media type, compared with case, '_', '-', '.' and spaces folded away.
bool is_mime_key(std::string_view key) {
  static constexpr std::array<std::string_view, 12> kKeys{
      "contenttype", "mimetype",   "mediatype",      "type", "format",           "filetype",
      "mime",        "fileformat", "encodingformat", "kind", "contentmediatype", "filemime"};
  if (key.size() > 32) return false;
  std::string folded;
  for (const char c : key) {
    if (c == '_' || c == '-' || c == '.' || c == ' ') continue;
    folded.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  for (auto k : kKeys) {
    if (folded == k) return true;
  }
  return false;
}

class Walker {
 public:
  Walker(ScanState& state, const Layer& layer) : state_(state), layer_(layer) {}

  std::optional<MediaFinding> run(const json& doc);

 private:
  struct Frame {
    const json* node;
    json::const_iterator it;
    size_t index = 0;
    bool started = false;
  };

  std::string pointer(size_t frames) const;
  void container(size_t frames);
  void byte_array(const json& array, size_t frames);
  void joined_chunks(const json& node, size_t frames);
  void member(const std::string& key, const json& value, size_t frames);
  void string(std::string_view s, size_t frames, const Layer& layer);
  void report(size_t frames, media::ContentFinding f) {
    found_ = MediaFinding{pointer(frames), std::move(f.kind), std::move(f.how)};
  }

  ScanState& state_;
  Layer layer_;
  std::vector<Frame> frames_;
  std::optional<MediaFinding> found_;
};

std::optional<MediaFinding> Walker::run(const json& doc) {
  if (!doc.is_structured()) {
    if (doc.is_string()) string(doc.get_ref<const std::string&>(), 0, layer_);
    return found_;
  }
  frames_.reserve(16);
  frames_.push_back({&doc, doc.cbegin()});
  while (!frames_.empty() && !found_) {
    Frame& f = frames_.back();
    if (f.started) {
      ++f.it;
      ++f.index;
    }
    f.started = true;
    if (f.it == f.node->cend()) {  // the children first: their pointers are the precise ones
      container(frames_.size() - 1);
      frames_.pop_back();
      continue;
    }
    const json& child = *f.it;
    if (f.node->is_object()) member(f.it.key(), child, frames_.size());
    if (found_) break;
    if (child.is_structured()) {
      frames_.push_back({&child, child.cbegin()});  // `f` is not used past this point
    } else if (child.is_string()) {
      string(child.get_ref<const std::string&>(), frames_.size(), layer_);
    }
  }
  return found_;
}

// The pointer of the value the first `frames` frames lead to.
std::string Walker::pointer(size_t frames) const {
  json::json_pointer p;
  for (size_t k = 0; k < frames; ++k) {
    const Frame& f = frames_[k];
    if (f.node->is_object()) {
      p /= f.it.key();  // escapes ~ and /
    } else {
      p /= f.index;
    }
  }
  return p.to_string();
}

void Walker::container(size_t frames) {
  const json& node = *frames_[frames].node;
  if (node.is_array()) byte_array(node, frames);
  if (!found_) joined_chunks(node, frames);
}

void Walker::byte_array(const json& array, size_t frames) {
  if (array.size() < kMinByteArray) return;
  std::string bytes;
  bytes.reserve(array.size());
  for (const auto& v : array) {
    if (!v.is_number_integer()) return;
    const auto n = v.get<int64_t>();
    if (n < 0 || n > 255) return;
    bytes.push_back(static_cast<char>(n));
  }
  Layer layer = layer_.then("byte array");
  layer.byte_values = true;
  auto f = media::inspect_bytes(bytes, state_, layer);
  const bool exempt = f && f->binary && layer_.is_top() && state_.options.is_reference &&
                      state_.options.is_reference(pointer(frames));
  if (f && !exempt) report(frames, std::move(*f));
}

// An encoded blob split across the string elements of an array (or the string fields of an
// object, in key order) is checked joined. Only for signatures: a list of hashes joined is a
// lot of binary, and legitimately so.
void Walker::joined_chunks(const json& node, size_t frames) {
  size_t chunks = 0, length = 0;
  for (const auto& v : node) {
    if (!v.is_string() || !media::is_chunk_like(v.get_ref<const std::string&>())) continue;
    ++chunks;
    length += v.get_ref<const std::string&>().size();
  }
  if (chunks < 2 || length < kMinJoined) return;
  std::string joined, storage;
  for (const auto& v : node) {
    if (v.is_string()) joined += media::normalise(v.get_ref<const std::string&>(), storage);
  }
  auto f = media::inspect_string(
      joined, state_,
      layer_.at(node.is_array() ? "joined array elements" : "joined fields", false));
  if (f) report(frames, std::move(*f));
}

void Walker::member(const std::string& key, const json& value, size_t frames) {
  if (value.is_string() && is_mime_key(key)) {
    std::string storage;
    const std::string type =
        media::media_type_of(media::normalise(value.get_ref<const std::string&>(), storage));
    if (media::is_media_type(type)) {
      return report(frames, {type, media::describe("declared MIME type", layer_), false});
    }
  }
  // A key is reported at its object: a pointer to it would repeat the key, bytes and all.
  string(key, frames - 1, layer_.at("object key", true));
}

// A string's binary-limit finding is waived when the caller declared its pointer a reference;
// it is then inspected again without the limit, for signatures only.
void Walker::string(std::string_view s, size_t frames, const Layer& layer) {
  auto f = media::inspect_string(s, state_, layer);
  if (f && f->binary && layer.is_top() && state_.options.is_reference &&
      state_.options.is_reference(pointer(frames))) {
    Layer waived = layer;
    waived.binary_rule = false;
    f = media::inspect_string(s, state_, waived);
  }
  if (f) report(frames, std::move(*f));
}

}  // namespace

namespace media {

std::optional<MediaFinding> scan_document(const json& doc, ScanState& state, const Layer& layer) {
  Walker walker(state, layer);
  return walker.run(doc);
}

}  // namespace media

std::optional<MediaFinding> find_media(const json& doc, const MediaScanOptions& options) {
  ScanState state{options, options.decode_budget};
  return media::scan_document(doc, state, Layer{});
}

std::string sniff_media(std::string_view bytes) {
  return std::string(media::signature_at(bytes, 0));
}

std::optional<MediaFinding> find_request_media(const json& doc) {
  MediaScanOptions options;
  options.is_reference = [](const std::string&) { return true; };
  return find_media(doc, options);
}

}  // namespace coalition
