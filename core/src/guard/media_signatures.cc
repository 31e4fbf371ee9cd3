// Signatures are searched at every offset of decoded content, so each one must be distinctive
// enough not to match ordinary text or random bytes: short magic numbers are confirmed by the
// header fields that follow them (a BMP's DIB size, an ICO's entry, a TIFF's IFD offset, three
// MPEG-TS sync bytes), and the weakest ones count only at the very start.
#include "guard/media_signatures.h"

#include <array>
#include <cstdint>

namespace coalition::media {

namespace {

using namespace std::string_view_literals;

bool has(std::string_view b, size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() && b.compare(at, magic.size(), magic) == 0;
}

uint32_t u8(std::string_view b, size_t at) {
  return static_cast<unsigned char>(b[at]);
}
uint32_t le16(std::string_view b, size_t at) {
  return u8(b, at) | (u8(b, at + 1) << 8);
}
uint32_t le32(std::string_view b, size_t at) {
  return le16(b, at) | (le16(b, at + 2) << 16);
}
uint32_t be32(std::string_view b, size_t at) {
  return (u8(b, at) << 24) | (u8(b, at + 1) << 16) | (u8(b, at + 2) << 8) | u8(b, at + 3);
}

bool printable(std::string_view b, size_t at, size_t n) {
  for (size_t i = at; i < at + n; ++i) {
    if (u8(b, i) < 0x20 || u8(b, i) > 0x7E) return false;
  }
  return true;
}

// ISO base media (MP4, MOV, 3GP, HEIF, AVIF, JPEG XL's container brand): the major brand says
// which; everything not an image brand is refused as video.
std::string_view ftyp_kind(std::string_view brand) {
  static constexpr std::array<std::string_view, 8> kHeic{"heic", "heix", "hevc", "hevx",
                                                         "heim", "heis", "hevm", "hevs"};
  for (auto b : kHeic) {
    if (brand == b) return "image/heic";
  }
  if (brand == "mif1" || brand == "msf1" || brand == "mif2") return "image/heif";
  if (brand == "avif" || brand == "avis") return "image/avif";
  if (brand == "jxl ") return "image/jxl";
  if (brand == "crx ") return "image/x-canon-cr3";
  if (brand == "qt  ") return "video/quicktime";
  if (brand.substr(0, 3) == "3g2") return "video/3gpp2";
  if (brand.substr(0, 2) == "3g") return "video/3gpp";
  return "video/mp4";  // isom, iso2-6, mp41, mp42, avc1, M4V, dash, f4v ...
}

// ICO or CUR: the magic is zeros and ones, so the first directory entry must check out.
bool is_icon(std::string_view b, size_t i) {
  if (!(has(b, i, "\0\0\x01\0"sv) || has(b, i, "\0\0\x02\0"sv)) || b.size() < i + 22) return false;
  const uint32_t count = le16(b, i + 4);
  if (count < 1 || count > 64 || u8(b, i + 9) != 0 || le32(b, i + 14) == 0 ||
      le32(b, i + 18) < 6 + 16 * count) {
    return false;
  }
  if (u8(b, i + 2) == 2) return true;  // a cursor's planes and bit count are its hotspot
  const uint32_t bpp = le16(b, i + 12);
  return le16(b, i + 10) <= 1 &&
         (bpp == 0 || bpp == 1 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32);
}

std::string_view at_zero(std::string_view b, size_t i) {
  const size_t n = b.size() - i;
  if (has(b, i + 4, "ftyp") && n >= 12 && be32(b, i) >= 8 && be32(b, i) <= 4096 &&
      printable(b, i + 8, 4)) {
    return ftyp_kind(b.substr(i + 8, 4));
  }
  if (has(b, i, "\0\0\0\x0CjP  \r\n\x87\n"sv)) return "image/jp2";
  if (has(b, i, "\0\0\0\x0CJXL \r\n\x87\n"sv)) return "image/jxl";
  if (has(b, i, "\0\0\x01\xBA"sv) && n >= 5 &&
      ((u8(b, i + 4) & 0xC4) == 0x44 || (u8(b, i + 4) & 0xF1) == 0x21)) {
    return "video/mpeg";  // program stream pack header, MPEG-2 or MPEG-1
  }
  if (has(b, i, "\0\0\x01\xB3"sv) && n >= 8) return "video/mpeg";  // sequence header
  if (has(b, i, "\0\0\0\x01"sv) && n >= 6) {
    const uint32_t nal = u8(b, i + 4);
    if ((nal & 0x80) == 0 && (nal & 0x60) != 0 && (nal & 0x1F) == 7) return "video/h264";
    if (nal == 0x40 && u8(b, i + 5) == 0x01) return "video/h265";
  }
  if (is_icon(b, i)) return "image/x-icon";
  if (i == 0 && n >= 8 &&
      (has(b, 4, "moov") || has(b, 4, "mdat") || has(b, 4, "wide") || has(b, 4, "pnot"))) {
    return "video/quicktime";  // QuickTime without an ftyp box
  }
  return {};
}

std::string_view at_riff(std::string_view b, size_t i) {
  if (!has(b, i, "RIFF")) return {};
  if (has(b, i + 8, "WEBP")) return "image/webp";
  if (has(b, i + 8, "AVI ") || has(b, i + 8, "AVIX")) return "video/x-msvideo";
  if (has(b, i + 8, "CDXA")) return "video/mpeg";
  return {};
}

// 'G' opens both GIF and an MPEG transport stream (sync byte 0x47 every 188 bytes).
std::string_view at_g(std::string_view b, size_t i) {
  if ((has(b, i, "GIF87a") || has(b, i, "GIF89a")) && b.size() >= i + 10 &&
      (u8(b, i + 7) < 0x20 || u8(b, i + 9) < 0x20)) {
    return "image/gif";  // the high bytes of width and height are small in any real image
  }
  if (b.size() > i + 379 && u8(b, i + 188) == 0x47 && u8(b, i + 376) == 0x47) {
    // Three packet headers; their PID and flag bytes hold control bytes (a PID below 256 makes
    // a zero byte), which text never has.
    for (const size_t k : {i + 1, i + 2, i + 3, i + 189, i + 190, i + 191, i + 377, i + 378}) {
      const uint32_t c = u8(b, k);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return "video/mp2t";
    }
  }
  return {};
}

std::string_view at_tiff_or_bmp(std::string_view b, size_t i) {
  const size_t n = b.size() - i;
  if (n >= 8 && (has(b, i, "II*\0"sv) || has(b, i, "II+\0"sv))) {
    if (u8(b, i + 2) == '+' || (le32(b, i + 4) >= 8 && le32(b, i + 4) < (1u << 30)))
      return "image/tiff";
  }
  if (n >= 8 && (has(b, i, "MM\0*"sv) || has(b, i, "MM\0+"sv))) {
    if (u8(b, i + 3) == '+' || (be32(b, i + 4) >= 8 && be32(b, i + 4) < (1u << 30)))
      return "image/tiff";
  }
  if (has(b, i, "BM") && n >= 10 && le32(b, i + 6) == 0) {
    if (i == 0) return "image/bmp";
    const uint32_t dib = n >= 18 ? le32(b, i + 14) : 0;
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124)
      return "image/bmp";
  }
  return {};
}

char lower_at(std::string_view b, size_t k) {
  return static_cast<char>(u8(b, k) | 0x20);
}

// "<svg" followed by a space, '>' or '/'.
bool svg_open_at(std::string_view b, size_t i) {
  if (b.size() < i + 5 || b[i] != '<') return false;
  if (lower_at(b, i + 1) != 's' || lower_at(b, i + 2) != 'v' || lower_at(b, i + 3) != 'g')
    return false;
  const char next = b[i + 4];
  return next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '>' || next == '/';
}

// Where the next "</svg" or "xmlns" at or after `from` is, or npos: what makes an opening tag an
// element rather than prose about one.
size_t svg_marker_from(std::string_view b, size_t from) {
  for (size_t k = from; k + 5 <= b.size(); ++k) {
    if (b[k] == '<' && b[k + 1] == '/' && lower_at(b, k + 2) == 's' && lower_at(b, k + 3) == 'v' &&
        lower_at(b, k + 4) == 'g')
      return k;
    if (b[k] == 'x' && b.compare(k, 5, "xmlns") == 0) return k;
  }
  return std::string_view::npos;
}

std::string_view at_svg(std::string_view b, size_t i) {
  return svg_open_at(b, i) && svg_marker_from(b, i + 4) != std::string_view::npos
             ? "image/svg+xml"
             : std::string_view();
}

// SVG while searching a whole buffer: the marker found for one opening tag serves the next
// ones, so many tags cost one pass, not one pass each.
class SvgSearch {
 public:
  explicit SvgSearch(std::string_view b) : b_(b) {}
  bool element_at(size_t i) {
    if (!svg_open_at(b_, i) || exhausted_) return false;
    if (!known_ || marker_ < i + 4) {
      marker_ = svg_marker_from(b_, i + 4);
      known_ = true;
      exhausted_ = marker_ == std::string_view::npos;
    }
    return !exhausted_;
  }

 private:
  std::string_view b_;
  size_t marker_ = 0;
  bool known_ = false;
  bool exhausted_ = false;
};

std::string_view at_other(std::string_view b, size_t i) {
  const size_t n = b.size() - i;
  switch (u8(b, i)) {
    case 0xFF:
      if (has(b, i, "\xFF\xD8\xFF"sv) && n >= 4 && u8(b, i + 3) >= 0xC0) return "image/jpeg";
      if (has(b, i, "\xFF\x4F\xFF\x51"sv)) return "image/jp2";    // JPEG 2000 codestream
      if (i == 0 && has(b, i, "\xFF\x0A"sv)) return "image/jxl";  // JPEG XL codestream
      return {};
    case 0x89: return has(b, i, "\x89PNG\r\n\x1A\n"sv) ? "image/png" : std::string_view();
    case 0x8A: return has(b, i, "\x8AMNG\r\n\x1A\n"sv) ? "video/x-mng" : std::string_view();
    case '8':
      return has(b, i, "8BPS\0\x01"sv) || has(b, i, "8BPS\0\x02"sv) ? "image/vnd.adobe.photoshop"
                                                                    : std::string_view();
    case 0x1A:
      if (!has(b, i, "\x1A\x45\xDF\xA3"sv)) return {};
      return b.substr(i, 64).find("webm") != std::string_view::npos ? "video/webm"
                                                                    : "video/x-matroska";
    case 'F':
      return has(b, i, "FLV\x01") && n >= 5 && (u8(b, i + 4) & 0xFA) == 0 ? "video/x-flv"
                                                                          : std::string_view();
    case 0x30:
      return has(b, i, "\x30\x26\xB2\x75\x8E\x66\xCF\x11"sv) ? "video/x-ms-asf"
                                                             : std::string_view();
    case 'O':
      return has(b, i, "OggS\0"sv) && n >= 6 && u8(b, i + 5) <= 7 ? "video/ogg"
                                                                  : std::string_view();
    case 'v': return has(b, i, "\x76\x2F\x31\x01"sv) ? "image/x-exr" : std::string_view();
    case 'i':
      return has(b, i, "icns") && n >= 8 && u8(b, i + 4) == 0 && be32(b, i + 4) >= 8
                 ? "image/x-icns"
                 : std::string_view();
    case '.': return has(b, i, ".RMF\0\0\0"sv) ? "video/vnd.rn-realvideo" : std::string_view();
    default: return {};
  }
}

// Which bytes can open a signature: the search skips every other byte with one table look-up.
constexpr std::array<bool, 256> kOpeners = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {0x00, 0xFF, 0x89, 0x8A, 0x1A, 0x30}) t[c] = true;
  for (unsigned char c : std::string_view("8BFGIMORiv.<")) t[c] = true;
  return t;
}();

}  // namespace

std::string_view signature_at(std::string_view b, size_t at) {
  if (at + 4 > b.size()) return {};
  switch (b[at]) {
    case 0: return at_zero(b, at);
    case 'R': return at_riff(b, at);
    case 'G': return at_g(b, at);
    case 'I':
    case 'M':
    case 'B': return at_tiff_or_bmp(b, at);
    case '<': return at_svg(b, at);
    default: return at_other(b, at);
  }
}

std::optional<SignatureMatch> find_signature(std::string_view bytes) {
  SvgSearch svg(bytes);
  for (size_t i = 0; i + 4 <= bytes.size(); ++i) {
    if (!kOpeners[static_cast<unsigned char>(bytes[i])]) continue;
    if (bytes[i] == '<') {
      if (svg.element_at(i)) return SignatureMatch{"image/svg+xml", i};
      continue;
    }
    if (auto kind = signature_at(bytes, i); !kind.empty()) return SignatureMatch{kind, i};
  }
  return std::nullopt;
}

std::optional<SignatureMatch> find_text_signature(std::string_view text) {
  SvgSearch svg(text);
  for (size_t i = text.find('<'); i != std::string_view::npos; i = text.find('<', i + 1)) {
    if (svg.element_at(i)) return SignatureMatch{"image/svg+xml", i};
  }
  for (size_t i = text.find("RIFF"); i != std::string_view::npos; i = text.find("RIFF", i + 1)) {
    if (auto kind = at_riff(text, i); !kind.empty()) return SignatureMatch{kind, i};
  }
  return std::nullopt;
}

}  // namespace coalition::media
