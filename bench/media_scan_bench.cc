// What the engine's no-media check costs per payload: a typical task completion (an intake with
// ten evidence references and a red-flag checklist), and a large reference-only document.
// Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "guard/media_scan.h"

namespace {

using nlohmann::json;

double ns_per_scan(const json& doc, int rounds) {
  size_t found = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) found += coalition::find_media(doc).has_value() ? 1 : 0;
  const auto ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
  if (found != 0) std::fprintf(stderr, "unexpected media\n");
  return ns.count() / rounds;
}

}  // namespace

int main() {
  json intake{{"subject_type", "merchant"},
              {"subject_ref", "MER-EX-88213"},
              {"trigger", "cross_member_signal"},
              {"trigger_ref", "SIG-EX-2026-0091"},
              {"evidence", json::array()}};
  for (int i = 0; i < 10; ++i) {
    intake["evidence"].push_back(
        "sha256:4f2a9c0e1b7d3a5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4" +
        std::to_string(10 + i));
  }
  json checklist{{"answers", json::object()}};
  for (int i = 0; i < 17; ++i) {
    checklist["answers"]["flag" + std::to_string(i)] = {
        {"status", "observed"}, {"evidence", "TXN-EX-55319" + std::to_string(i)}};
  }
  json large = json::array();  // ~1 MB of references
  for (int i = 0; i < 10000; ++i) {
    large.push_back({{"url", "https://example.org/listing/" + std::to_string(i)},
                     {"hash", "d41d8cd98f00b204e9800998ecf8427e"},
                     {"note", "Customer made transfers under AUD 500 to recipients abroad"}});
  }
  const double intake_ns = ns_per_scan(intake, 200000);
  const double checklist_ns = ns_per_scan(checklist, 200000);
  const double large_ns = ns_per_scan(large, 50);
  const double large_bytes = static_cast<double>(large.dump().size());
  std::printf(
      "{\"bench\":\"media_scan\",\"intake_ns\":%.0f,\"checklist_ns\":%.0f,"
      "\"large_doc_bytes\":%.0f,\"large_doc_us\":%.0f,\"mb_per_s\":%.0f}\n",
      intake_ns, checklist_ns, large_bytes, large_ns / 1000, large_bytes / (large_ns / 1e9) / 1e6);
  return 0;
}
