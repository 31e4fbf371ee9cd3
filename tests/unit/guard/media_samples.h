// Test material for the media guard: the first bytes of every image and video format it knows
// (headers only, padded with pseudo-random filler; never real images) and the encodings a
// sender could wrap them in.
#ifndef COALITION_TESTS_UNIT_GUARD_MEDIA_SAMPLES_H_
#define COALITION_TESTS_UNIT_GUARD_MEDIA_SAMPLES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace coalition::test {

struct MediaSample {
  const char* name;  // test name part: "png", "heic", ...
  std::string bytes;
  const char* kind;  // what the guard must report
};

// `n` deterministic pseudo-random bytes (binary, like compressed image data).
std::string filler(size_t n, uint32_t seed = 7);

// A small header of each format, followed by 160 bytes of filler.
const std::vector<MediaSample>& media_samples();
const MediaSample& sample(const std::string& name);

std::string base64(const std::string& bytes, bool url_safe = false);
std::string base32(const std::string& bytes);
std::string hex(const std::string& bytes, bool upper = false);
std::string percent(const std::string& bytes);           // every byte %XX
std::string quoted_printable(const std::string& bytes);  // non-printable bytes =XX, soft breaks
std::string ascii85(const std::string& bytes);           // <~ ... ~>
std::string z85(const std::string& bytes);               // padded with zeros to 4 bytes
std::string uuencode(const std::string& bytes);          // begin 644 ... end
std::string utf16(const std::string& ascii, bool big_endian, bool bom);
std::string gzip(const std::string& bytes);
std::string zlib(const std::string& bytes);
std::string code_points(const std::string& bytes);  // each byte as U+00XX, in UTF-8
std::string code_units(const std::string& bytes);   // each byte pair as one BMP character
std::string wrap(const std::string& text, size_t width, const char* eol = "\r\n");

}  // namespace coalition::test

#endif  // COALITION_TESTS_UNIT_GUARD_MEDIA_SAMPLES_H_
