// libFuzzer target: any bytes as a JSON document from outside (a run input, an answer, signal
// data) under small limits, and as a name or reason typed on the command line. Never a crash, a
// hang or an exception; and what is accepted must keep the promises the engine relies on.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "common/json_limits.h"
#include "common/json_text.h"
#include "common/text_field.h"
#include "guard/report_disclosure.h"

namespace {

// Small limits reach every refusal path within the fuzzer's input sizes.
const coalition::JsonLimits kLimits{.max_document_bytes = 8192,
                                    .max_depth = 12,
                                    .max_string_bytes = 256,
                                    .max_array_items = 64,
                                    .max_object_members = 32};

void require(bool holds) {
  if (!holds) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = coalition::parse_json(text, kLimits);
  if (doc.ok()) {
    // Accepted while parsing means within the limits when checked in memory, and the engine's
    // own serialisation reads back as the same value.
    require(coalition::check_json_limits(*doc, kLimits).ok());
    // The engine's text of it may be longer than what was read ("1e9" prints as 1000000000.0),
    // so only the document size is relaxed for the second reading.
    coalition::JsonLimits reread = kLimits;
    reread.max_document_bytes = std::numeric_limits<size_t>::max();
    auto again = coalition::parse_json(coalition::to_text(*doc), reread);
    require(again.ok() && *again == *doc);
    // The disclosure screen reads any document declared outbound as a whole; what it finds is
    // named by a pointer into that document.
    static const coalition::SchemaFields kAll =
        coalition::outbound_fields(nlohmann::json{{"x-coalition-outbound", true}});
    if (auto found = coalition::find_report_disclosure(*doc, kAll)) {
      require(doc->contains(nlohmann::json::json_pointer(found->pointer)));
    }
  } else {
    require(!doc.error().message().empty());
  }
  // Whatever bytes a name holds, printing it gives one line of valid text.
  const std::string shown = coalition::printable(text);
  require(coalition::check_text_field("shown", shown, std::numeric_limits<size_t>::max()).ok());
  (void)coalition::check_text_field("name", text);
  (void)coalition::find_report_fact(text);
  return 0;
}
