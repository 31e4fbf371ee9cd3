// The C JSON helper a plain-C plugin uses: reads members of the object the engine hands a step,
// decoding escapes exactly; builds output that nlohmann::json (the engine's parser) reads back
// to the same values; refuses what is malformed rather than guess.
#include <coalition/plugin_json.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;

std::string get_string(const std::string& doc, const char* key, int* status, size_t size = 64) {
  std::string out(size, 'x');
  *status = coalition_json_get_string(doc.c_str(), key, out.data(), out.size());
  return std::string(out.c_str());
}

TEST(PluginJson, ReadsTopLevelMembersByNameAndSkipsEverythingElse) {
  const std::string doc = R"( { "nested": {"case_ref": "no", "list": [1, {"a": [true, null]}, "x"]},
      "count": -42, "big": 9223372036854775807, "flag": true, "off": false,
      "case_ref": "HL-2026-0042", "ratio": 0.5, "exp": 1e3 } )";
  int status = -1;
  EXPECT_EQ(get_string(doc, "case_ref", &status), "HL-2026-0042");  // not the nested one
  EXPECT_EQ(status, COALITION_JSON_OK);
  int64_t n = 0;
  EXPECT_EQ(coalition_json_get_int64(doc.c_str(), "count", &n), COALITION_JSON_OK);
  EXPECT_EQ(n, -42);
  EXPECT_EQ(coalition_json_get_int64(doc.c_str(), "big", &n), COALITION_JSON_OK);
  EXPECT_EQ(n, INT64_MAX);
  int b = -1;
  EXPECT_EQ(coalition_json_get_bool(doc.c_str(), "flag", &b), COALITION_JSON_OK);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(coalition_json_get_bool(doc.c_str(), "off", &b), COALITION_JSON_OK);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(coalition_json_get_int64(doc.c_str(), "ratio", &n), COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(coalition_json_get_int64(doc.c_str(), "exp", &n), COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(coalition_json_get_int64(doc.c_str(), "case_ref", &n), COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(coalition_json_get_bool(doc.c_str(), "count", &b), COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(get_string(doc, "count", &status), "");
  EXPECT_EQ(status, COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(get_string(doc, "absent", &status), "");
  EXPECT_EQ(status, COALITION_JSON_MISSING);
  EXPECT_EQ(get_string("{}", "absent", &status), "");
  EXPECT_EQ(status, COALITION_JSON_MISSING);
}

TEST(PluginJson, DecodesEscapesAndSurrogatePairsToUtf8) {
  // What the engine's own serializer writes for a string with every kind of escape.
  const std::string value = "quote \" backslash \\ tab \t nl \n ctl \x01 é € 😀 / end";
  const std::string doc = json{{"s", value}}.dump(-1, ' ', true);  // ensure_ascii: \uXXXX
  int status = -1;
  EXPECT_EQ(get_string(doc, "s", &status, 128), value);
  EXPECT_EQ(status, COALITION_JSON_OK);
  EXPECT_EQ(get_string(R"({"s": "a\/b\u00e9\ud83d\ude00"})", "s", &status), "a/bé😀");
  // A key is matched on its decoded text.
  EXPECT_EQ(get_string(R"({"c\u0061se": "yes"})", "case", &status), "yes");
}

TEST(PluginJson, ATooSmallBufferIsSaidAndLeftEmpty) {
  int status = -1;
  EXPECT_EQ(get_string(R"({"s": "0123456789"})", "s", &status, 10), "");
  EXPECT_EQ(status, COALITION_JSON_TOO_LONG);
  EXPECT_EQ(get_string(R"({"s": "012345678"})", "s", &status, 10), "012345678");
  EXPECT_EQ(status, COALITION_JSON_OK);
  int64_t n = 0;
  EXPECT_EQ(coalition_json_get_int64(R"({"n": 9223372036854775808})", "n", &n),
            COALITION_JSON_WRONG_TYPE);
  EXPECT_EQ(coalition_json_get_int64(R"({"n": -9223372036854775808})", "n", &n), COALITION_JSON_OK);
  EXPECT_EQ(n, INT64_MIN);
}

TEST(PluginJson, MalformedDocumentsAreRefusedNotGuessed) {
  for (const char* bad :
       {"", "[]", "\"s\"", R"({"s": "unterminated)", R"({"s" "no colon"})", R"({"a": 1 "s": "x"})",
        R"({"a": tru, "s": "x"})", R"({"a": "\ud83d", "s": "x"})", R"({"a": "\q", "s": "x"})",
        "{\"a\": \"raw\nnewline\", \"s\": \"x\"}", R"({"a": [1, 2, "s": "x"})",
        R"({"a": 01, "s": "x"})"}) {
    int status = -1;
    EXPECT_EQ(get_string(bad, "s", &status), "") << bad;
    EXPECT_EQ(status, COALITION_JSON_MALFORMED) << bad;
  }
  // Nesting deeper than the skipper goes is refused, never a stack overflow.
  std::string deep = "{\"a\": ";
  for (int i = 0; i < 100000; ++i) deep += "[";
  int status = -1;
  EXPECT_EQ(get_string(deep, "s", &status), "");
  EXPECT_EQ(status, COALITION_JSON_MALFORMED);
}

TEST(PluginJson, TheWriterEscapesSoTheEngineReadsBackTheSameValues) {
  coalition_json_writer_t w;
  coalition_json_begin(&w);
  const std::string tricky = "a \"quoted\" \\ path\nwith\ttabs \x1f and é";
  coalition_json_add_string(&w, "text", tricky.c_str());
  coalition_json_add_string(&w, "key \"odd\"", "v");
  coalition_json_add_int64(&w, "min", INT64_MIN);
  coalition_json_add_int64(&w, "max", INT64_MAX);
  coalition_json_add_bool(&w, "yes", 1);
  coalition_json_add_bool(&w, "no", 0);
  coalition_json_add_raw(&w, "list", "[1,2]");
  for (int i = 0; i < 200; ++i)
    coalition_json_add_string(&w, ("k" + std::to_string(i)).c_str(), "grow");
  char* text = coalition_json_end(&w);
  ASSERT_NE(text, nullptr);
  const json doc = json::parse(text);
  std::free(text);
  EXPECT_EQ(doc["text"], tricky);
  EXPECT_EQ(doc["key \"odd\""], "v");
  EXPECT_EQ(doc["min"].get<int64_t>(), INT64_MIN);
  EXPECT_EQ(doc["max"].get<int64_t>(), INT64_MAX);
  EXPECT_EQ(doc["yes"], true);
  EXPECT_EQ(doc["no"], false);
  EXPECT_EQ(doc["list"], json::array({1, 2}));
  EXPECT_EQ(doc["k199"], "grow");

  coalition_json_begin(&w);
  char* empty = coalition_json_end(&w);
  EXPECT_STREQ(empty, "{}");
  std::free(empty);
}

}  // namespace
