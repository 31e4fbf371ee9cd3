// The media scan: every signature it knows, in every encoding it decodes, and the references
// it must let through (hashes, ids, URLs, base64 of text).
#include "guard/media_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace coalition {
namespace {

using nlohmann::json;

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(k[(n >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(k[(n >> 18) & 63]);
    out.push_back(k[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? k[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string latin1(const std::string& bytes) {  // as a JSON string would carry \u00XX escapes
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

struct Signature {
  std::string bytes;
  const char* kind;
};

const Signature kSignatures[] = {
    {std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01", 12), "image/jpeg"},
    {std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16), "image/png"},
    {"GIF89a\x01\x00\x01\x00\x80\x00", "image/gif"},
    {std::string("RIFF\x24\x00\x00\x00WEBPVP8 ", 16), "image/webp"},
    {std::string("RIFF\x24\x00\x00\x00"
                 "AVI LIST",
                 16),
     "video/x-msvideo"},
    {std::string("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00", 12), "image/tiff"},
    {std::string("BM\x36\x00\x0C\x00\x00\x00\x00\x00\x36\x00", 12), "image/bmp"},
    {std::string("\x00\x00\x00\x18"
                 "ftypmp42\x00\x00\x00\x00",
                 16),
     "video/mp4"},
    {std::string("\x00\x00\x00\x14"
                 "ftypqt  \x00\x00\x00\x00",
                 16),
     "video/quicktime"},
    {std::string("\x00\x00\x00\x18"
                 "ftypheic\x00\x00\x00\x00",
                 16),
     "image/heic"},
    {std::string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81", 12), "video/webm"},
    {std::string("\x00\x00\x01\xBA\x44\x00\x04\x00\x04\x01\x01\x89", 12), "video/mpeg"},
    {std::string("FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00", 12), "video/x-flv"},
};

TEST(MediaScan, SniffsEverySignature) {
  for (const auto& s : kSignatures) EXPECT_EQ(sniff_media(s.bytes), s.kind) << s.kind;
  EXPECT_EQ(sniff_media("BM but not a bitmap"), "");
  EXPECT_EQ(sniff_media("plain text"), "");
}

TEST(MediaScan, FindsSignaturesInBase64AndInCodePointsAtTheirPointer) {
  for (const auto& s : kSignatures) {
    const json doc{{"case", "AML-EX-1"}, {"evidence", {"TXN-EX-1", base64(s.bytes + "padding!")}}};
    auto found = find_media(doc);
    ASSERT_TRUE(found.has_value()) << s.kind;
    EXPECT_EQ(found->kind, s.kind);
    EXPECT_EQ(found->pointer, "/evidence/1");
    EXPECT_EQ(found->how, "magic bytes (base64)");
    auto raw = find_media(json{{"blob", latin1(s.bytes)}});
    ASSERT_TRUE(raw.has_value()) << s.kind;
    EXPECT_EQ(raw->kind, s.kind);
  }
}

TEST(MediaScan, FindsDeclaredTypesAndDataUris) {
  auto declared = find_media(json::parse(R"({"files": [{"name": "a", "mimeType": "Video/MP4"}]})"));
  ASSERT_TRUE(declared.has_value());
  EXPECT_EQ(declared->pointer, "/files/0/mimeType");
  EXPECT_EQ(declared->how, "declared MIME type");
  auto uri = find_media(json{{"a/b", "data:image/svg+xml;base64,PHN2Zz4="}});
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->pointer, "/a~1b");  // JSON Pointer escaping
  EXPECT_EQ(uri->kind, "image/svg+xml");
  // A data URI that lies about its type is still decoded.
  auto disguised =
      find_media(json{{"x", "data:text/plain;base64," + base64(kSignatures[0].bytes)}});
  ASSERT_TRUE(disguised.has_value());
  EXPECT_EQ(disguised->kind, "image/jpeg");
}

TEST(MediaScan, LetsReferencesThrough) {
  const json references = json::parse(R"({
    "sha256": "4f2a9c0e1b7d3a5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5",
    "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "pdq": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
    "url": "https://example.org/listing/4471?ref=abc",
    "ids": ["AML-2026-0417", "SMR-EX-2026-000311", "TXN-EX-5531907", "northwind.bsa_officer"],
    "text": "Customer made 14 transfers under AUD 500 to three recipients",
    "base64_text": "VGhpcyBpcyBqdXN0IGEgbm90ZSBhYm91dCBhIGNhc2U=",
    "content_type": "application/json",
    "n": 42, "flag": true, "nothing": null
  })");
  EXPECT_FALSE(find_media(references).has_value());
}

}  // namespace
}  // namespace coalition
