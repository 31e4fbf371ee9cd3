// Built here, from the published header layouts, so no image file is ever committed.
#include "unit/guard/media_samples.h"

#include <zlib.h>

#include <stdexcept>

namespace coalition::test {

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

std::string le32(uint32_t v) {
  return bytes({int(v & 0xFF), int((v >> 8) & 0xFF), int((v >> 16) & 0xFF), int(v >> 24)});
}

std::string mpeg_ts() {
  std::string out;
  for (int packet = 0; packet < 3; ++packet) {
    std::string p = bytes({0x47, 0x40, 0x00, 0x10 | packet});
    p += std::string(8, '\0');
    p.resize(188, '\xFF');
    out += p;
  }
  return out;
}

std::vector<MediaSample> build() {
  using std::string;
  const string f = filler(160);
  std::vector<MediaSample> s = {
      {"jpeg", bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10}) + "JFIF" + bytes({0, 1, 1, 0}),
       "image/jpeg"},
      {"png", string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0", 29),
       "image/png"},
      {"gif", string("GIF89a\x01\0\x01\0\x80\0\0", 13), "image/gif"},
      {"webp", "RIFF" + le32(200) + "WEBPVP8 " + le32(180), "image/webp"},
      {"avi", "RIFF" + le32(200) + "AVI LIST" + le32(180), "video/x-msvideo"},
      {"tiff_le", string("II*\0\x08\0\0\0\x0A\0", 10), "image/tiff"},
      {"tiff_be", string("MM\0*\0\0\0\x08\0\x0A", 10), "image/tiff"},
      {"bmp", "BM" + le32(230) + le32(0) + le32(54) + le32(40) + le32(1) + le32(1), "image/bmp"},
      {"psd", string("8BPS\0\x01\0\0\0\0\0\0\0\x03", 14), "image/vnd.adobe.photoshop"},
      {"jp2",
       string("\0\0\0\x0CjP  \r\n\x87\n\0\0\0\x14"
              "ftypjp2 ",
              24),
       "image/jp2"},
      {"j2k", bytes({0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x2F}), "image/jp2"},
      {"jxl_codestream", bytes({0xFF, 0x0A, 0xFA, 0x7F}), "image/jxl"},
      {"jxl_container", string("\0\0\0\x0CJXL \r\n\x87\n", 12), "image/jxl"},
      {"heic",
       string("\0\0\0\x18"
              "ftypheic\0\0\0\0mif1heic",
              24),
       "image/heic"},
      {"heif",
       string("\0\0\0\x18"
              "ftypmif1\0\0\0\0mif1heic",
              24),
       "image/heif"},
      {"avif",
       string("\0\0\0\x1C"
              "ftypavif\0\0\0\0avifmif1",
              24),
       "image/avif"},
      {"mp4",
       string("\0\0\0\x20"
              "ftypisom\0\0\x02\0isomiso2",
              24),
       "video/mp4"},
      {"mov",
       string("\0\0\0\x14"
              "ftypqt  \0\0\0\0qt  ",
              20),
       "video/quicktime"},
      {"three_gp",
       string("\0\0\0\x14"
              "ftyp3gp5\0\0\0\0"
              "3gp5",
              20),
       "video/3gpp"},
      {"mkv", string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x88matroska", 20),
       "video/x-matroska"},
      {"webm", string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm", 16), "video/webm"},
      {"flv", string("FLV\x01\x05\0\0\0\x09", 9), "video/x-flv"},
      {"mpeg_ps", bytes({0, 0, 1, 0xBA, 0x44, 0, 4, 0, 4, 1}), "video/mpeg"},
      {"mpeg_es", bytes({0, 0, 1, 0xB3, 0x14, 0x00, 0xF0, 0x13}), "video/mpeg"},
      {"mpeg_ts", mpeg_ts(), "video/mp2t"},
      {"asf", bytes({0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9}),
       "video/x-ms-asf"},
      {"ogg", string("OggS\0\x02\0\0\0\0\0\0\0\0", 14) + "\x80theora", "video/ogg"},
      {"ico", bytes({0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0}) + le32(1128) + le32(22),
       "image/x-icon"},
      {"cur", bytes({0, 0, 2, 0, 1, 0, 32, 32, 0, 0, 4, 0, 4, 0}) + le32(744) + le32(22),
       "image/x-icon"},
      {"h264", bytes({0, 0, 0, 1, 0x67, 0x42, 0x00, 0x1E}), "video/h264"},
      {"exr", bytes({0x76, 0x2F, 0x31, 0x01, 0x02, 0, 0, 0}), "image/x-exr"},
      {"icns", "icns" + bytes({0, 0, 1, 0}) + "ic07", "image/x-icns"},
      {"mng", string("\x8AMNG\r\n\x1A\n", 8), "video/x-mng"},
      {"realmedia", string(".RMF\0\0\0\x12\0\x01", 10), "video/vnd.rn-realvideo"},
  };
  for (auto& sample : s) sample.bytes += f;
  s.push_back({"svg",
               R"(<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>)",
               "image/svg+xml"});
  return s;
}

const char* const kAlphabet64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char* const kZ85 =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string deflate_with(const std::string& in, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

std::string filler(size_t n, uint32_t seed) {
  std::string out;
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    out.push_back(static_cast<char>(x >> 24));
  }
  return out;
}

const std::vector<MediaSample>& media_samples() {
  static const std::vector<MediaSample> samples = build();
  return samples;
}

const MediaSample& sample(const std::string& name) {
  for (const auto& s : media_samples()) {
    if (name == s.name) return s;
  }
  throw std::runtime_error("no sample " + name);
}

std::string base64(const std::string& b, bool url_safe) {
  std::string out;
  size_t i = 0;
  auto put = [&](uint32_t v) {
    char c = kAlphabet64[v & 63];
    if (url_safe && c == '+') c = '-';
    if (url_safe && c == '/') c = '_';
    out.push_back(c);
  };
  for (; i + 2 < b.size(); i += 3) {
    const uint32_t n = (uint8_t(b[i]) << 16) | (uint8_t(b[i + 1]) << 8) | uint8_t(b[i + 2]);
    for (int s = 18; s >= 0; s -= 6) put(n >> s);
  }
  if (i < b.size()) {
    uint32_t n = uint8_t(b[i]) << 16;
    if (i + 1 < b.size()) n |= uint8_t(b[i + 1]) << 8;
    put(n >> 18);
    put(n >> 12);
    if (i + 1 < b.size()) {
      put(n >> 6);
    } else {
      out.push_back('=');
    }
    out.push_back('=');
  }
  return out;
}

std::string base32(const std::string& b) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : b) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(k[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(k[(buffer << (5 - bits)) & 31]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

std::string hex(const std::string& b, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string percent(const std::string& b) {
  std::string out;
  for (unsigned char c : b) out += "%" + hex(std::string(1, static_cast<char>(c)), true);
  return out;
}

std::string quoted_printable(const std::string& b) {
  std::string out;
  size_t line = 0;
  for (unsigned char c : b) {
    const std::string piece = (c >= 33 && c <= 126 && c != '=')
                                  ? std::string(1, static_cast<char>(c))
                                  : "=" + hex(std::string(1, static_cast<char>(c)), true);
    if (line + piece.size() > 75) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  }
  return out;
}

std::string ascii85(const std::string& b) {
  std::string out = "<~";
  for (size_t i = 0; i < b.size(); i += 4) {
    uint32_t v = 0;
    const size_t n = std::min<size_t>(4, b.size() - i);
    for (size_t k = 0; k < 4; ++k) v = (v << 8) | (k < n ? uint8_t(b[i + k]) : 0);
    if (v == 0 && n == 4) {
      out.push_back('z');
      continue;
    }
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = static_cast<char>('!' + v % 85);
      v /= 85;
    }
    out.append(group, n + 1);
  }
  return out + "~>";
}

std::string z85(const std::string& in) {
  std::string b = in;
  while (b.size() % 4 != 0) b.push_back('\0');
  std::string out;
  for (size_t i = 0; i < b.size(); i += 4) {
    uint32_t v = (uint8_t(b[i]) << 24) | (uint8_t(b[i + 1]) << 16) | (uint8_t(b[i + 2]) << 8) |
                 uint8_t(b[i + 3]);
    char group[5];
    for (int k = 4; k >= 0; --k) {
      group[k] = kZ85[v % 85];
      v /= 85;
    }
    out.append(group, 5);
  }
  return out;
}

std::string uuencode(const std::string& b) {
  auto enc = [](uint32_t v) { return static_cast<char>(v == 0 ? '`' : v + 32); };
  std::string out = "begin 644 evidence.bin\n";
  for (size_t i = 0; i < b.size(); i += 45) {
    const size_t n = std::min<size_t>(45, b.size() - i);
    out.push_back(enc(static_cast<uint32_t>(n)));
    for (size_t k = 0; k < n; k += 3) {
      uint32_t v = 0;
      for (size_t j = 0; j < 3; ++j) v = (v << 8) | (k + j < n ? uint8_t(b[i + k + j]) : 0);
      for (int s = 18; s >= 0; s -= 6) out.push_back(enc((v >> s) & 63));
    }
    out.push_back('\n');
  }
  return out + "`\nend\n";
}

std::string utf16(const std::string& ascii, bool big_endian, bool bom) {
  std::string out;
  if (bom) out += big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (char c : ascii) {
    if (big_endian) out.push_back('\0');
    out.push_back(c);
    if (!big_endian) out.push_back('\0');
  }
  return out;
}

std::string gzip(const std::string& b) {
  return deflate_with(b, 15 + 16);
}
std::string zlib(const std::string& b) {
  return deflate_with(b, 15);
}

std::string code_points(const std::string& b) {
  std::string out;
  for (unsigned char c : b) append_utf8(out, c);
  return out;
}

std::string code_units(const std::string& b) {
  std::string out;
  for (size_t i = 0; i + 1 < b.size(); i += 2) {
    uint32_t unit = (uint8_t(b[i]) << 8) | uint8_t(b[i + 1]);
    if (unit >= 0xD800 && unit < 0xE000) unit = 0x4E00;  // no lone surrogates in JSON text
    append_utf8(out, unit);
  }
  return out;
}

std::string wrap(const std::string& text, size_t width, const char* eol) {
  std::string out;
  for (size_t i = 0; i < text.size(); i += width) {
    if (i > 0) out += eol;
    out += text.substr(i, width);
  }
  return out;
}

}  // namespace coalition::test
