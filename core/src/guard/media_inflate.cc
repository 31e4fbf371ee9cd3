// Inflation is the one decoder whose output can dwarf its input (a "zip bomb"), so it writes
// into a buffer of the cap and stops there; what lies beyond is reported as unknown rather than
// decoded.
#include "guard/media_inflate.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace coalition::media {

bool looks_compressed(std::string_view b) {
  if (b.size() < 10) return false;
  const auto b0 = static_cast<unsigned char>(b[0]);
  const auto b1 = static_cast<unsigned char>(b[1]);
  if (b0 == 0x1F && b1 == 0x8B && b[2] == 8) return true;  // gzip, deflate
  return (b0 & 0x0F) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0 && (b1 & 0x20) == 0;
}

std::optional<Inflated> inflate_prefix(std::string_view bytes, size_t cap) {
  constexpr size_t kChunk = 16 * 1024;  // grown as it fills: a broken stream allocates little
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return std::nullopt;  // +32: gzip or zlib header
  Inflated out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(bytes.size(), UINT32_MAX));
  int rc = Z_OK;
  size_t produced = 0;
  while (rc == Z_OK && produced < cap && z.avail_in > 0) {
    out.bytes.resize(std::min(cap, produced + kChunk));
    z.next_out = reinterpret_cast<Bytef*>(out.bytes.data() + produced);
    z.avail_out = static_cast<uInt>(out.bytes.size() - produced);
    rc = inflate(&z, Z_NO_FLUSH);
    produced = out.bytes.size() - z.avail_out;
  }
  inflateEnd(&z);
  if ((rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) || produced == 0) {
    return std::nullopt;
  }
  out.bytes.resize(produced);
  out.complete = rc == Z_STREAM_END;
  return out;
}

}  // namespace coalition::media
