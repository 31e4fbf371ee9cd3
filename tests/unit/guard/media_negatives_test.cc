// What the guard must let through: references (hashes, URLs, ids), ordinary records and text
// in many languages, and encodings of text. Each case is one false positive waiting to happen.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guard/media_scan.h"
#include "unit/guard/media_samples.h"

namespace coalition::test {
namespace {

using nlohmann::json;

struct Negative {
  std::string name;
  json doc;
};

void PrintTo(const Negative& n, std::ostream* os) {
  *os << n.name;
}

std::string repeat(const std::string& text, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
}

json hash_list(size_t n) {
  json list = json::array();
  for (size_t i = 0; i < n; ++i) list.push_back(hex(filler(32, static_cast<uint32_t>(i + 1))));
  return list;
}

std::vector<Negative> references() {
  return {
      {"sha256",
       json{{"sha256", "4f2a9c0e1b7d3a5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5"}}},
      {"sha256_prefixed", json{{"hash", "sha256:" + hex(filler(32, 3))}}},
      {"sha512", json{{"sha512", hex(filler(64, 4))}}},
      {"md5", json{{"md5", "d41d8cd98f00b204e9800998ecf8427e"}}},
      {"pdq", json{{"pdq", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"}}},
      {"hash_list_100", json{{"hashes", hash_list(100)}}},
      {"hash_list_one_string", json{{"hashes",
                                     [] {
                                       std::string s;
                                       for (const auto& h : hash_list(40))
                                         s += h.get<std::string>() + ",";
                                       return s;
                                     }()}}},
      {"upper_hex_hashes", json{{"sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"}}},
      {"base64_digest", json{{"digest", "sha256-" + base64(filler(32, 9))}}},
      {"ed25519_signature", json{{"signature", base64(filler(64, 11))}}},
      {"uuid_list",
       json{{"ids",
             {"5f0c2a4e-8d3b-4c1a-9e7f-2b6d8a0c4e1f", "0e9b7c5a-3d1f-4e2b-8a6c-9f0d1e2a3b4c"}}}},
      {"urls", json{{"urls",
                     {"https://example.org/listing/4471?ref=abc",
                      "https://hotline.example.net/report?case=SMR-EX-2026-000311&lang=en",
                      "https://example.org/a%20b/c%2Fd?q=%E2%82%AC%20100"}}}},
      {"ids",
       json{{"ids",
             {"AML-2026-0417", "SMR-EX-2026-000311", "TXN-EX-5531907", "northwind.bsa_officer"}}}},
      {"timestamps", json{{"at", "2026-03-14T09:26:53.589Z"},
                          {"due", "2026-03-17T17:00:00+10:00"},
                          {"span", "P3DT4H"}}},
      {"declared_document_types", json{{"content_type", "application/pdf"},
                                       {"type", "object"},
                                       {"format", "uri"},
                                       {"mimeType", "text/plain"}}},
      {"jwt", json{{"token", base64(R"({"alg":"EdDSA","typ":"JWT"})", true) + "." +
                                 base64(R"({"sub":"northwind.analyst","exp":1790000000})", true) +
                                 "." + base64(filler(64, 5), true)}}},
  };
}

std::vector<Negative> texts() {
  const std::string english =
      "Customer made 14 transfers under AUD 500 to three recipients in two weeks. The analyst "
      "reviewed the account history, the onboarding file and the merchant's listing, and found "
      "no legitimate business purpose. Recommend filing a suspicious matter report. ";
  return {
      {"english_short", json{{"text", english}}},
      {"english_long", json{{"text", repeat(english, 40)}}},
      {"english_no_punctuation",
       json{{"text", repeat("the quick brown fox jumps over the lazy dog ", 60)}}},
      {"mentions_formats", json{{"text",
                                 "The file header read GIF89a and the listing linked a PNG; "
                                 "no <svg> element, no data: scheme, only the MD5."}}},
      {"french", json{{"text", repeat("Le client a effectué quatorze virements de moins de 500 € "
                                      "à trois bénéficiaires différents en deux semaines. ",
                                      30)}}},
      {"german",
       json{{"text", repeat("Der Kunde hat innerhalb von zwei Wochen vierzehn Überweisungen "
                            "unter 500 Euro an drei Empfänger getätigt. Größere Beträge folgten. ",
                            30)}}},
      {"greek",
       json{
           {"text",
            repeat("Ο πελάτης έκανε δεκατέσσερις μεταφορές κάτω από 500 ευρώ σε τρεις παραλήπτες. ",
                   30)}}},
      {"russian",
       json{
           {"text",
            repeat(
                "Клиент совершил четырнадцать переводов на сумму менее 500 евро трём получателям. ",
                30)}}},
      {"chinese", json{{"text", repeat("客户在两周内向三名收款人进行了十四笔低于五百澳元的转账，分"
                                       "析员建议提交可疑事项报告。",
                                       40)}}},
      {"japanese", json{{"text", repeat("顧客は二週間で三人の受取人に五百ドル未満の送金を十四回行い"
                                        "ました。報告書の提出を推奨します。",
                                        40)}}},
      {"arabic",
       json{{"text",
             repeat(
                 "أجرى العميل أربعة عشر تحويلاً بأقل من 500 دولار إلى ثلاثة مستفيدين خلال أسبوعين. ",
                 30)}}},
      {"hindi",
       json{{"text",
             repeat("ग्राहक ने दो सप्ताह में तीन प्राप्तकर्ताओं को 500 डॉलर से कम के चौदह हस्तांतरण किए। ",
                    30)}}},
      {"korean",
       json{{"text",
             repeat("고객은 2주 동안 세 명의 수취인에게 500달러 미만을 열네 번 송금했습니다. ",
                    30)}}},
      {"emoji", json{{"text", repeat("Reviewed ✅ escalated 🚩 closed 🔒 ", 50)}}},
      {"base64_of_text", json{{"note", base64(repeat(english, 20))}}},
      {"hex_of_text", json{{"note", hex(repeat(english, 8))}}},
      {"gzip_of_text", json{{"note", base64(gzip(repeat(english, 30)))}}},
      {"quoted_printable_text", json{{"body",
                                      "Le client a effectu=C3=A9 des virements =E2=82=AC 500 =\r\n"
                                      "=C3=A0 trois b=C3=A9n=C3=A9ficiaires."}}},
      {"percent_encoded_text",
       json{{"q", "name%3DNorthwind%20Trading%26city%3DSydney%26since%3D2019"}}},
      {"markdown",
       json{{"text", "# Findings\n\n* 14 transfers\n* `TXN-EX-5531907`\n\n> quoted note\n"}}},
      {"code_snippet", json{{"text", "if (amount < 500) { flags.push_back(\"structuring\"); }"}}},
  };
}

std::vector<Negative> records() {
  json checklist{{"answers", json::object()}};
  for (int i = 0; i < 17; ++i) {
    checklist["answers"]["flag" + std::to_string(i)] = {
        {"status", "observed"}, {"evidence", "TXN-EX-55319" + std::to_string(i)}};
  }
  json small_numbers = json::array();
  for (int i = 0; i < 800; ++i) small_numbers.push_back(i % 31);
  json scores = json::array();
  for (int i = 0; i < 40; ++i) scores.push_back(i * 6 % 101);
  return {
      {"checklist", checklist},
      {"nested_record_text",
       json{{"payload", json{{"case", "AML-EX-1"}, {"amount", 480}, {"tags", {"a", "b"}}}.dump()}}},
      {"daily_counts", json{{"counts", small_numbers}}},
      {"scores", json{{"scores", scores}}},
      {"word_list", json{{"tags", {"structuring", "layering", "smurfing", "cuckoo", "mule"}}}},
      {"numbers_and_nulls",
       json{{"n", 42}, {"f", 0.5}, {"b", true}, {"z", nullptr}, {"e", json::array()}}},
      {"schema_like",
       json::parse(R"({"type":"object","properties":{"ref":{"type":"string","format":"uri"}}})")},
  };
}

std::vector<Negative> all_negatives() {
  std::vector<Negative> all;
  for (auto* make : {references, texts, records}) {
    for (auto& n : make()) all.push_back(std::move(n));
  }
  return all;
}

class MediaNegative : public ::testing::TestWithParam<Negative> {};

TEST_P(MediaNegative, PassesTheGuard) {
  auto found = find_media(GetParam().doc);
  EXPECT_FALSE(found.has_value()) << found->pointer << ": " << found->kind << " (" << found->how
                                  << ")";
}

INSTANTIATE_TEST_SUITE_P(Corpus, MediaNegative, ::testing::ValuesIn(all_negatives()),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace coalition::test
