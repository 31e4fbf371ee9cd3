#include "common/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>

namespace coalition {

namespace {

int64_t be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

// TZif (RFC 8536): a v1 block with 32-bit times, then for v2+ the same header and a block with
// 64-bit times, which is the one read here.
Result<TimeZone> TimeZone::load(const std::string& name, const std::filesystem::path& zoneinfo) {
  if (name == "UTC" || name == "Etc/UTC") return utc();
  if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') {
    return Error::configuration("'" + name + "' is not a time zone name such as Europe/London");
  }
  std::ifstream in(zoneinfo / name, std::ios::binary);
  if (!in)
    return Error::configuration("unknown time zone '" + name + "' (not in " + zoneinfo.string() +
                                "; is tzdata installed?)");
  const std::vector<unsigned char> data{std::istreambuf_iterator<char>(in), {}};
  auto bad = [&] { return Error::configuration("time zone file for '" + name + "' is damaged"); };
  struct Counts {
    int64_t isut, isstd, leap, time, type, chars;
  };
  auto counts_at = [&](size_t at) -> std::optional<Counts> {
    if (data.size() < at + 44 || std::string(data.begin() + at, data.begin() + at + 4) != "TZif")
      return std::nullopt;
    const unsigned char* p = data.data() + at + 20;
    return Counts{be(p, 4),      be(p + 4, 4),  be(p + 8, 4),
                  be(p + 12, 4), be(p + 16, 4), be(p + 20, 4)};
  };
  auto v1 = counts_at(0);
  if (!v1 || data[4] < '2') return bad();
  const size_t v1_size =
      v1->time * 5 + v1->type * 6 + v1->chars + v1->leap * 8 + v1->isstd + v1->isut;
  const size_t at = 44 + v1_size;
  auto c = counts_at(at);
  if (!c) return bad();
  const size_t times = at + 44;
  const size_t indexes = times + c->time * 8;
  const size_t types = indexes + c->time;
  if (data.size() < types + c->type * 6 || c->type == 0) return bad();
  TimeZone z;
  z.name_ = name;
  std::vector<int32_t> type_offsets;
  for (int64_t i = 0; i < c->type; ++i) {
    type_offsets.push_back(static_cast<int32_t>(be(&data[types + i * 6], 4)));
  }
  z.initial_offset_ = type_offsets[0];
  for (int64_t i = 0; i < c->time; ++i) {
    const unsigned idx = data[indexes + i];
    if (idx >= type_offsets.size()) return bad();
    z.transitions_.push_back(be(&data[times + i * 8], 8));
    z.offsets_.push_back(type_offsets[idx]);
  }
  return z;
}

int64_t TimeZone::offset_at(UtcMicros t) const {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

// Try the offset in force around the guess; a local time that exists maps back to itself.
UtcMicros TimeZone::from_local(int64_t local_seconds) const {
  using std::chrono::seconds;
  const auto guess = UtcMicros(seconds(local_seconds));
  const int64_t first = offset_at(guess);
  const auto candidate = guess - seconds(first);
  const int64_t second = offset_at(candidate);
  if (second == first) return candidate;
  const auto other = guess - seconds(second);
  if (offset_at(other) == second) return other;
  return std::max(candidate, other);  // in a gap: the instant after the clocks moved
}

}  // namespace coalition
