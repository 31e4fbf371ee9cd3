// The evasion corpus: every way a probe has smuggled an image or video past the guard (and the
// ones next to them). Each case must be refused with the right pointer and format, and say how
// it was found. Negatives live in media_negatives_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guard/media_scan.h"
#include "unit/guard/media_samples.h"

namespace coalition::test {
namespace {

using nlohmann::json;

struct Evasion {
  std::string name;
  json doc;
  std::string pointer;
  std::string kind;
  std::string how;  // a part of the finding's `how`
};

void PrintTo(const Evasion& e, std::ostream* os) {
  *os << e.name;
}

std::string png() {
  return sample("png").bytes;
}
std::string jpeg() {
  return sample("jpeg").bytes;
}
// Compressible (a header and zeros), so a compressor does not store the header verbatim.
std::string squeezable(const std::string& header) {
  return header.substr(0, 24) + std::string(4000, '\0');
}

json at_evidence(json value) {
  return json{{"case", "AML-EX-1"}, {"evidence", {"TXN-EX-1", std::move(value)}}};
}

std::vector<Evasion> format_cases() {
  std::vector<Evasion> cases;
  for (const auto& s : media_samples()) {
    cases.push_back({std::string("format_") + s.name + "_base64", at_evidence(base64(s.bytes)),
                     "/evidence/1", s.kind, "base64"});
  }
  return cases;
}

std::vector<Evasion> encoding_cases() {
  const std::string b64 = base64(png());
  const std::string uri = "data:image/png;base64," + b64;
  return {
      {"plain_base64", at_evidence(b64), "/evidence/1", "image/png", "magic bytes (base64)"},
      {"leading_space", at_evidence("   \t" + b64), "/evidence/1", "image/png", "base64"},
      {"bom_prefix", at_evidence("\xEF\xBB\xBF" + b64), "/evidence/1", "image/png", "base64"},
      {"zero_width_inside", at_evidence(b64.substr(0, 10) + "\xE2\x80\x8B" + b64.substr(10)),
       "/evidence/1", "image/png", "base64"},
      {"labelled_prefix", at_evidence("base64:" + b64), "/evidence/1", "image/png", "base64"},
      {"glued_prefix", at_evidence("xy" + b64), "/evidence/1", "image/png", "base64"},
      {"glued_prefix_3", at_evidence("abc" + b64), "/evidence/1", "image/png", "base64"},
      {"url_safe_base64", at_evidence(base64(jpeg(), true)), "/evidence/1", "image/jpeg", "base64"},
      {"mime_line_breaks", at_evidence(wrap(b64, 76)), "/evidence/1", "image/png", "base64"},
      {"spaced_groups", at_evidence(wrap(b64, 4, " ")), "/evidence/1", "image/png", "base64"},
      {"signature_at_offset", at_evidence(base64("EXHIBIT 4 follows:" + png())), "/evidence/1",
       "image/png", "base64"},
      {"hex", at_evidence(hex(png())), "/evidence/1", "image/png", "magic bytes (hex)"},
      {"hex_upper_0x", at_evidence("0x" + hex(jpeg(), true)), "/evidence/1", "image/jpeg", "hex"},
      {"hex_odd_digit_prefix", at_evidence("7" + hex(png())), "/evidence/1", "image/png", "hex"},
      {"hex_glued_prefix", at_evidence("evidencefile" + hex(png())), "/evidence/1", "image/png",
       "hex"},
      {"hex_spaced_bytes", at_evidence("89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52"),
       "/evidence/1", "image/png", "hex"},
      {"hex_c_escapes", at_evidence("\\x89\\x50\\x4e\\x47\\x0d\\x0a\\x1a\\x0a\\x00\\x00\\x00\\x0d"),
       "/evidence/1", "image/png", "hex"},
      {"hex_0x_list", at_evidence("0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00"),
       "/evidence/1", "image/png", "hex"},
      {"percent_encoding", at_evidence(percent(png())), "/evidence/1", "image/png",
       "percent-encoding"},
      {"percent_encoded_data_uri", at_evidence("data%3Aimage%2Fpng%3Bbase64%2CAAAA"), "/evidence/1",
       "image/png", "data URI (percent-encoding)"},
      {"quoted_printable", at_evidence(quoted_printable(png())), "/evidence/1", "image/png",
       "quoted-printable"},
      {"base32", at_evidence(base32(png())), "/evidence/1", "image/png", "base32"},
      {"base32_lower",
       at_evidence(json(std::string("b32:") +
                        [] {
                          std::string s = base32(jpeg());
                          for (char& c : s) c = static_cast<char>(std::tolower(c));
                          return s;
                        }())),
       "/evidence/1", "image/jpeg", "base32"},
      {"ascii85", at_evidence(ascii85(png())), "/evidence/1", "image/png", "ascii85"},
      {"z85", at_evidence(z85(png())), "/evidence/1", "image/png", "Z85"},
      {"uuencode", at_evidence(uuencode(png())), "/evidence/1", "image/png", "uuencode"},
      {"utf16le_bom_base64", at_evidence(base64(utf16(uri, false, true))), "/evidence/1",
       "image/png", "data URI (base64+UTF-16)"},
      {"utf16be_base64", at_evidence(base64(utf16(b64, true, false))), "/evidence/1", "image/png",
       "base64+UTF-16+base64"},
      {"utf16_code_units", at_evidence(code_units(png())), "/evidence/1", "image/png",
       "UTF-16BE code units"},
      {"code_points", at_evidence(code_points(png())), "/evidence/1", "image/png", "code points"},
      {"gzip_base64", at_evidence(base64(gzip(squeezable(png())))), "/evidence/1", "image/png",
       "magic bytes (base64+gzip)"},
      {"zlib_base64", at_evidence(base64(zlib(squeezable(jpeg())))), "/evidence/1", "image/jpeg",
       "base64+zlib"},
      {"gzip_hex", at_evidence(hex(gzip(squeezable(png())))), "/evidence/1", "image/png",
       "hex+gzip"},
      {"base64_of_base64", at_evidence(base64(b64)), "/evidence/1", "image/png", "base64+base64"},
      {"base64_gzip_base64", at_evidence(base64(gzip(b64))), "/evidence/1", "image/png",
       "base64+gzip+base64"},
  };
}

std::vector<Evasion> structure_cases() {
  const std::string b64 = base64(png());
  const std::string uri = "data:image/png;base64," + b64;
  // As JSON text may write it: the ':' escaped, so only a JSON parser sees the data URI.
  const std::string hidden_uri = "data\\u003aimage/png;base64,AAAA";
  std::vector<int> byte_values;
  for (unsigned char c : png()) byte_values.push_back(c);
  json chunks = json::array();
  for (size_t i = 0; i < b64.size(); i += 8) chunks.push_back(b64.substr(i, 8));
  json fields = json::object();
  for (size_t i = 0, n = 0; i < b64.size(); i += 10, ++n) {
    fields["part" + std::string(1, static_cast<char>('a' + n / 26)) +
           std::string(1, static_cast<char>('a' + n % 26))] = b64.substr(i, 10);
  }
  json hex_chunks = json::array();
  const std::string h = hex(jpeg());
  for (size_t i = 0; i < h.size(); i += 6) hex_chunks.push_back(h.substr(i, 6));
  return {
      {"data_uri", at_evidence(uri), "/evidence/1", "image/png", "data URI"},
      {"data_uri_mixed_case", at_evidence("Data:Image/PNG;Base64," + b64), "/evidence/1",
       "image/png", "data URI"},
      {"data_uri_upper", at_evidence("DATA:VIDEO/MP4;BASE64,AAAA"), "/evidence/1", "video/mp4",
       "data URI"},
      {"data_uri_in_html", at_evidence("<p>see <img src=\"" + uri + "\"></p>"), "/evidence/1",
       "image/png", "data URI"},
      {"data_uri_disguised", at_evidence("data:text/plain;base64," + base64(jpeg())), "/evidence/1",
       "image/jpeg", "magic bytes (data URI)"},
      {"data_uri_svg", json{{"a/b", "data:image/svg+xml;base64,PHN2Zz4="}}, "/a~1b",
       "image/svg+xml", "data URI"},
      {"nested_json_data_uri", at_evidence(R"({"note": "x", "img": ")" + hidden_uri + "\"}"),
       "/evidence/1", "image/png", "data URI (nested JSON)"},
      {"nested_json_base64", at_evidence(json::array({"a", b64}).dump()), "/evidence/1",
       "image/png", "nested JSON+base64"},
      {"nested_json_twice", at_evidence(json(json{{"inner", json{{"img", b64}}.dump()}}.dump())),
       "/evidence/1", "image/png", "nested JSON+nested JSON+base64"},
      {"json_string_literal", at_evidence("\"" + hidden_uri + "\""), "/evidence/1", "image/png",
       "data URI (nested JSON)"},
      {"base64_of_json", at_evidence(base64(R"({"img": ")" + hidden_uri + "\"}")), "/evidence/1",
       "image/png", "base64+nested JSON"},
      {"object_key_data_uri", json{{"evidence", {{uri, true}}}}, "/evidence", "image/png",
       "data URI (object key)"},
      {"object_key_base64", json{{"evidence", {{b64, 1}}}}, "/evidence", "image/png",
       "object key+base64"},
      {"mime_content_type", json{{"file", {{"Content-Type", "image/png"}}}}, "/file/Content-Type",
       "image/png", "declared MIME type"},
      {"mime_type_key", json{{"file", {{"type", "image/jpeg"}, {"sha256", "ab"}}}}, "/file/type",
       "image/jpeg", "declared MIME type"},
      {"mime_format_key", json{{"format", "video/mp4"}}, "/format", "video/mp4",
       "declared MIME type"},
      {"mime_padded_value", json{{"MimeType", "\xEF\xBB\xBF Image/PNG ; q=1"}}, "/MimeType",
       "image/png", "declared MIME type"},
      {"mime_camel", json{{"files", {{{"mimeType", "Video/MP4"}}}}}, "/files/0/mimeType",
       "video/mp4", "declared MIME type"},
      {"byte_array", json{{"blob", byte_values}}, "/blob", "image/png", "magic bytes (byte array)"},
      {"array_chunks", json{{"parts", chunks}}, "/parts", "image/png", "joined array elements"},
      {"field_chunks", json{{"upload", fields}}, "/upload", "image/png", "joined fields"},
      {"hex_array_chunks", json{{"parts", hex_chunks}}, "/parts", "image/jpeg",
       "joined array elements"},
      {"svg_text", json{{"note", sample("svg").bytes}}, "/note", "image/svg+xml", "magic bytes"},
      {"svg_after_prose", json{{"note", "Drawing follows <SVG width='1'><rect/></SVG>"}}, "/note",
       "image/svg+xml", "magic bytes"},
      {"root_string", json(uri), "", "image/png", "data URI"},
      {"deep_pointer", json{{"a", {{"b", json::array({0, 1, {{"c~d", b64}}})}}}}, "/a/b/2/c~0d",
       "image/png", "base64"},
  };
}

std::vector<Evasion> all_cases() {
  std::vector<Evasion> all;
  for (auto* make : {format_cases, encoding_cases, structure_cases}) {
    for (auto& c : make()) all.push_back(std::move(c));
  }
  return all;
}

class MediaEvasion : public ::testing::TestWithParam<Evasion> {};

TEST_P(MediaEvasion, IsRefusedWithPointerKindAndMethod) {
  const Evasion& e = GetParam();
  auto found = find_media(e.doc);
  ASSERT_TRUE(found.has_value()) << e.name << " was not refused";
  EXPECT_EQ(found->pointer, e.pointer);
  EXPECT_EQ(found->kind, e.kind);
  EXPECT_NE(found->how.find(e.how), std::string::npos) << "how: " << found->how;
  EXPECT_LT(found->how.size(), 120u);     // a description, never the bytes
  EXPECT_LT(found->pointer.size(), 64u);  // a place, never the bytes (not even in a key)
}

INSTANTIATE_TEST_SUITE_P(Corpus, MediaEvasion, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(MediaEvasionCorpus, IsLargeEnough) {
  EXPECT_GE(all_cases().size(), 90u);
}

}  // namespace
}  // namespace coalition::test
