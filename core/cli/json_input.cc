#include "cli/json_input.h"

#include <sys/stat.h>

#include <istream>

#include "common/json_text.h"

namespace coalition::cli {

Error prefixed(const std::string& prefix, const Error& error) {
  return Error(error.code(), prefix + error.message()).with_pointer(error.pointer());
}

Result<nlohmann::json> read_json_input(const std::string& option, const std::string& path,
                                       std::istream& in) {
  const size_t max_bytes = json_limits().max_document_bytes;
  Result<std::string> text =
      path == "-" ? read_stream(in, "standard input", max_bytes) : read_text_file(path, max_bytes);
  if (!text) {
    struct stat st {};
    // A missing file is "no input" (66), as sysexits has it; the rest keep their code.
    if (path != "-" && ::stat(path.c_str(), &st) != 0) {
      return prefixed(option + ": ", Error::not_found(text.error().message()));
    }
    return prefixed(option + ": ", text.error());
  }
  auto doc = parse_json(*text);
  if (!doc) return prefixed(option + ": " + (path == "-" ? "" : path + ": "), doc.error());
  return doc;
}

}  // namespace coalition::cli
