// TimeZone: UTC offsets of an IANA zone, read from the system's compiled tz database
// (/usr/share/zoneinfo, Debian's tzdata). g++ 12's libstdc++ has no std::chrono::tzdb, and
// business-day deadlines must land at the end of a local day, so the engine reads TZif itself.
#ifndef COALITION_COMMON_TIME_ZONE_H_
#define COALITION_COMMON_TIME_ZONE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/rfc3339.h"

namespace coalition {

class TimeZone {
 public:
  // "UTC", or an IANA name such as "Australia/Sydney" looked up under `zoneinfo`.
  static Result<TimeZone> load(const std::string& name,
                               const std::filesystem::path& zoneinfo = "/usr/share/zoneinfo");
  static TimeZone utc();

  const std::string& name() const { return name_; }
  // Offset from UTC in seconds at the UTC instant `t`. Past the last transition in the file
  // (2037 in Debian's "fat" files) the last offset holds.
  int64_t offset_at(UtcMicros t) const;
  // The UTC instant at which local wall-clock time reads `local_seconds` (seconds since the
  // epoch, as if local time were UTC). In a gap (clocks forward) the later offset is used.
  UtcMicros from_local(int64_t local_seconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int32_t> offsets_;      // offset in force from transitions_[i]
  int32_t initial_offset_ = 0;
};

}  // namespace coalition

#endif  // COALITION_COMMON_TIME_ZONE_H_
