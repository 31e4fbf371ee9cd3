#include "guard/media_scan.h"

#include <array>
#include <cstdint>
#include <vector>

namespace coalition {

namespace {

using nlohmann::json;

bool starts_with(std::string_view bytes, std::string_view prefix, size_t at = 0) {
  return bytes.size() >= at + prefix.size() && bytes.substr(at, prefix.size()) == prefix;
}

bool is_media_type(std::string_view type) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  std::string t;
  for (char c : type.substr(0, 6)) t.push_back(lower(c));
  return t == "image/" || t == "video/";
}

bool is_mime_key(const std::string& key) {
  static constexpr std::array<std::string_view, 8> kKeys{
      "content_type", "mime_type", "media_type", "mimetype",
      "contentType",  "mimeType",  "mediaType",  "content-type"};
  for (auto k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// The first bytes of a string, decoded; every signature sits in the first 16. A fixed buffer:
// this runs on every string of every payload.
struct Head {
  std::array<char, 32> bytes{};
  size_t size = 0;
  void push(char c) { bytes[size++] = c; }
  std::string_view view() const { return {bytes.data(), size}; }
};

// `text` read as base64 (standard or URL-safe), or nullopt when it is not base64.
std::optional<Head> base64_head(std::string_view text) {
  constexpr size_t kMinimum = 12;  // shorter strings are ids and codes, not files
  constexpr size_t kChars = 32;    // 24 bytes
  if (text.size() < kMinimum) return std::nullopt;
  Head out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size() && i < kChars; ++i) {
    const char c = text[i];
    if (c == '=') break;
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// `text` as bytes when every code point is below 256 (binary smuggled as \u00XX escapes).
std::optional<Head> latin1_head(std::string_view text) {
  Head out;
  for (size_t i = 0; i < text.size() && out.size < 24;) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push(static_cast<char>(c));
      ++i;
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
      out.push(static_cast<char>(((c & 0x1F) << 6) | (text[i + 1] & 0x3F)));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Walks the document keeping the path as a stack of tokens; the JSON Pointer is only written
// out for a finding.
class Scanner {
 public:
  std::optional<MediaFinding> found;

  void scan(const json& doc) {
    if (doc.is_object()) {
      for (const auto& [key, value] : doc.items()) {
        path_.push_back(key);
        if (is_mime_key(key) && value.is_string() &&
            is_media_type(value.get_ref<const std::string&>())) {
          report(value.get<std::string>(), "declared MIME type");
        } else {
          scan(value);
        }
        path_.pop_back();
        if (found) return;
      }
    } else if (doc.is_array()) {
      for (size_t i = 0; i < doc.size() && !found; ++i) {
        path_.push_back(std::to_string(i));
        scan(doc[i]);
        path_.pop_back();
      }
    } else if (doc.is_string()) {
      check_string(doc.get_ref<const std::string&>());
    }
  }

 private:
  void report(std::string kind, const char* how) {
    json::json_pointer pointer;
    for (const auto& token : path_) pointer /= token;  // escapes ~ and /
    found = MediaFinding{pointer.to_string(), std::move(kind), how};
  }

  void check_string(std::string_view s) {
    if (starts_with(s, "data:") || starts_with(s, "DATA:")) {
      const std::string_view type = s.substr(5);
      if (is_media_type(type)) {
        report(std::string(type.substr(0, type.find_first_of(";,"))), "data URI");
        return;
      }
      // A data URI of another declared type may still carry image bytes.
      if (auto comma = s.find(','); comma != std::string_view::npos) {
        if (auto bytes = base64_head(s.substr(comma + 1))) {
          if (auto kind = sniff_media(bytes->view()); !kind.empty()) {
            report(kind, "magic bytes (data URI)");
          }
        }
      }
      return;
    }
    if (auto raw = latin1_head(s)) {
      if (auto kind = sniff_media(raw->view()); !kind.empty()) {
        report(kind, "magic bytes");
        return;
      }
    }
    if (auto bytes = base64_head(s)) {
      if (auto kind = sniff_media(bytes->view()); !kind.empty()) {
        report(kind, "magic bytes (base64)");
      }
    }
  }

  std::vector<std::string> path_;
};

}  // namespace

std::string sniff_media(std::string_view b) {
  using namespace std::string_view_literals;
  if (starts_with(b, "\xFF\xD8\xFF"sv)) return "image/jpeg";
  if (starts_with(b, "\x89PNG\r\n\x1A\n"sv)) return "image/png";
  if (starts_with(b, "GIF87a"sv) || starts_with(b, "GIF89a"sv)) return "image/gif";
  if (starts_with(b, "RIFF"sv) && starts_with(b, "WEBP"sv, 8)) return "image/webp";
  if (starts_with(b, "RIFF"sv) && starts_with(b, "AVI "sv, 8)) return "video/x-msvideo";
  if (starts_with(b, "II*\0"sv) || starts_with(b, "MM\0*"sv)) return "image/tiff";
  if (starts_with(b, "BM"sv) && b.size() >= 10 && b.substr(6, 4) == "\0\0\0\0"sv)
    return "image/bmp";
  if (starts_with(b, "8BPS"sv)) return "image/vnd.adobe.photoshop";
  if (starts_with(b, "\0\0\0\x0CjP  "sv) || starts_with(b, "\xFF\x0A"sv)) return "image/jp2";
  if (starts_with(b, "ftyp"sv, 4)) {
    const std::string_view brand = b.size() >= 12 ? b.substr(8, 4) : std::string_view();
    if (brand == "heic"sv || brand == "heix"sv || brand == "mif1"sv || brand == "msf1"sv)
      return "image/heic";
    if (brand == "avif"sv || brand == "avis"sv) return "image/avif";
    if (brand == "qt  "sv) return "video/quicktime";
    return "video/mp4";  // isom, mp41, mp42, 3gp*, M4V ...
  }
  if (starts_with(b, "\x1A\x45\xDF\xA3"sv)) return "video/webm";
  if (starts_with(b, "\0\0\x01\xBA"sv) || starts_with(b, "\0\0\x01\xB3"sv)) return "video/mpeg";
  if (starts_with(b, "FLV\x01"sv)) return "video/x-flv";
  if (starts_with(b, "\x30\x26\xB2\x75\x8E\x66\xCF\x11"sv)) return "video/x-ms-asf";
  return "";
}

std::optional<MediaFinding> find_media(const json& doc) {
  Scanner scanner;
  scanner.scan(doc);
  return scanner.found;
}

}  // namespace coalition
