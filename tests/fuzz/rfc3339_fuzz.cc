// libFuzzer target: any bytes as an RFC 3339 timestamp (--now, --to, `at` in a workflow, a
// plugin's instant). Never a crash; an accepted instant is within 0001-9999 and formats back to
// text that parses to the same instant (to the millisecond the format keeps).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/rfc3339.h"
#include "common/utc_time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = coalition::parse_rfc3339(text);
  if (!t) return 0;
  if (*t < coalition::earliest_rfc3339() || *t > coalition::latest_rfc3339()) __builtin_trap();
  auto again = coalition::parse_rfc3339(coalition::format_utc(*t));
  if (!again || *again != std::chrono::floor<std::chrono::milliseconds>(*t)) __builtin_trap();
  return 0;
}
