// The media scan's own rules: signatures, the binary limit and declared references, the decode
// budget and depth, and a walk that survives any nesting. The evasion corpus and the negatives
// are in media_evasion_test.cc and media_negatives_test.cc.
#include "guard/media_scan.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/guard/media_samples.h"

namespace coalition {
namespace {

using nlohmann::json;
using test::base64;
using test::filler;
using test::media_samples;
using test::sample;

TEST(MediaScan, SniffsEverySignatureAtTheStart) {
  for (const auto& s : media_samples()) EXPECT_EQ(sniff_media(s.bytes), s.kind) << s.name;
  EXPECT_EQ(sniff_media("BM but not a bitmap"), "");
  EXPECT_EQ(sniff_media("GIF89a is a format"), "");
  EXPECT_EQ(sniff_media("plain text"), "");
}

TEST(MediaScan, FindsSignaturesAfterAPrefixInRawCodePoints) {
  for (const auto& s : media_samples()) {
    if (std::string(s.name) == "jxl_codestream") continue;  // two bytes: at the start only
    auto found = find_media(json{{"blob", test::code_points("evidence: " + s.bytes)}});
    ASSERT_TRUE(found.has_value()) << s.name;
    EXPECT_EQ(found->kind, s.kind) << s.name;
    EXPECT_EQ(found->pointer, "/blob");
  }
}

// A value nested far deeper than any parser allows (runtime-built) must not reach the call
// stack: the scan is iterative. Built and torn down without recursion as well.
json nested(size_t depth, json leaf, bool arrays) {
  json value = std::move(leaf);
  for (size_t i = 0; i < depth; ++i) {
    json wrapper = arrays ? json::array() : json::object();
    if (arrays) {
      wrapper.push_back(std::move(value));
    } else {
      wrapper["a"] = std::move(value);
    }
    value = std::move(wrapper);
  }
  return value;
}

TEST(MediaScan, WalksAValueNested100000DeepWithoutRecursion) {
  const json objects = nested(100000, "TXN-EX-1", false);
  EXPECT_FALSE(find_media(objects).has_value());
  const json arrays = nested(100000, base64(sample("png").bytes), true);
  auto found = find_media(arrays);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, "image/png");
  EXPECT_EQ(found->pointer.size(), 200000u);  // "/0" a hundred thousand times
}

TEST(MediaScan, RefusesUndeclaredBinaryBeyondTheLimit) {
  const std::string blob = base64(filler(kMediaBinaryLimit * 2));
  auto found = find_media(json{{"evidence", {"TXN-EX-1", blob}}});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->pointer, "/evidence/1");
  EXPECT_EQ(found->kind, "application/octet-stream");
  EXPECT_EQ(found->how, "binary data (base64)");
  // Below the limit (a signature, a key) is a reference's size, not a file's.
  EXPECT_FALSE(find_media(json{{"key", base64(filler(kMediaBinaryLimit / 2))}}).has_value());
  MediaScanOptions strict;
  strict.binary_limit = 64;
  EXPECT_TRUE(find_media(json{{"key", base64(filler(kMediaBinaryLimit / 2))}}, strict));
}

TEST(MediaScan, WaivesTheBinaryLimitForDeclaredReferencesOnly) {
  const std::string blob = base64(filler(4096));
  MediaScanOptions options;
  std::vector<std::string> asked;
  options.is_reference = [&](const std::string& pointer) {
    asked.push_back(pointer);
    return pointer == "/evidence/1";
  };
  EXPECT_FALSE(find_media(json{{"evidence", {"TXN-EX-1", blob}}}, options).has_value());
  EXPECT_EQ(asked, std::vector<std::string>{"/evidence/1"});
  // Elsewhere the limit holds, and in a declared field an image is still an image.
  EXPECT_TRUE(find_media(json{{"other", blob}}, options).has_value());
  auto image = find_media(json{{"evidence", {"x", base64(sample("jpeg").bytes + blob)}}}, options);
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->kind, "image/jpeg");
  auto uri = find_media(json{{"evidence", {"x", "data:image/png;base64," + blob}}}, options);
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->how, "data URI");
}

TEST(MediaScan, CompressedTextIsNoBinaryButCompressedNoiseIs) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "Fourteen transfers under AUD 500 to three recipients. ";
  EXPECT_FALSE(find_media(json{{"x", base64(test::gzip(text))}}).has_value());
  auto noise = find_media(json{{"x", base64(test::gzip(filler(4000)))}});
  ASSERT_TRUE(noise.has_value());
  EXPECT_EQ(noise->kind, "application/octet-stream");
  EXPECT_EQ(noise->how, "binary data (base64+gzip)");
}

TEST(MediaScan, AZipBombCostsNoMoreThanTheInflateCap) {
  const std::string bomb = test::gzip(std::string(size_t{64} << 20, '\0'));  // 64 MiB of zeros
  ASSERT_LT(bomb.size(), 100000u);
  auto found = find_media(json{{"x", base64(bomb)}});
  ASSERT_TRUE(found.has_value());  // what is past the cap is not known to be text
  EXPECT_EQ(found->kind, "application/octet-stream");
}

TEST(MediaScan, RefusesWhatExceedsTheDecodeBudget) {
  MediaScanOptions tight;
  tight.decode_budget = 256;
  auto found = find_media(json{{"a", base64(filler(120))}, {"b", base64(filler(120, 2))}}, tight);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, "undetermined");
  EXPECT_EQ(found->how, "decode budget exhausted");
  EXPECT_FALSE(find_media(json{{"a", "TXN-EX-1"}}, tight).has_value());
}

TEST(MediaScan, RefusesEncodingsNestedBeyondTheDepthLimit) {
  std::string onion = base64(sample("png").bytes);
  for (int i = 0; i < kMediaMaxDecodeDepth + 2; ++i) onion = base64(onion);
  auto found = find_media(json{{"x", onion}});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, "undetermined");
  EXPECT_EQ(found->how.rfind("decode depth exceeded", 0), 0u) << found->how;
  std::string shallow = base64(sample("png").bytes);
  for (int i = 0; i < kMediaMaxDecodeDepth - 2; ++i) shallow = base64(shallow);
  auto caught = find_media(json{{"x", shallow}});
  ASSERT_TRUE(caught.has_value());
  EXPECT_EQ(caught->kind, "image/png");
}

// Patterns that would make a naive scan quadratic (every opening tag scanning to the end, every
// "data:" looking for its comma, every 'G' for its transport-stream packet): megabytes of them
// are scanned in one pass each. A quadratic scan would take minutes here.
TEST(MediaScan, RepeatedOpenersCostOnePassEach) {
  auto repeat = [](const std::string& unit, size_t bytes) {
    std::string out;
    while (out.size() < bytes) out += unit;
    return out;
  };
  EXPECT_FALSE(find_media(json{{"x", repeat("<svg ", 2 << 20)}}).has_value());
  EXPECT_FALSE(find_media(json{{"x", repeat("data:", 2 << 20)}}).has_value());
  EXPECT_FALSE(find_media(json{{"x", repeat("data:text/plain;x=", 2 << 20)}}).has_value());
  EXPECT_FALSE(find_media(json{{"x", repeat("G ", 2 << 20)}}).has_value());
  auto g = find_media(json{{"x", std::string(2 << 20, 'G')}});  // base32 of binary, in fact
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->kind, "application/octet-stream");
  auto svg = find_media(json{{"x", repeat("<svg ", 1 << 20) + "</svg>"}});
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->kind, "image/svg+xml");
}

TEST(MediaScan, NamesNeitherTheBytesNorAnEchoOfThem) {
  auto found = find_media(json{{"x", "data:image/" + std::string(5000, 'a') + ";base64,AAAA"}});
  ASSERT_TRUE(found.has_value());
  EXPECT_LE(found->kind.size(), 64u);
}

}  // namespace
}  // namespace coalition
