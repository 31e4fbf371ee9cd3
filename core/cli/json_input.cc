#include "cli/json_input.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
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

Result<nlohmann::json> read_data(const std::string& data) {
  if (data.empty()) return nlohmann::json::object();
  const auto first = data.find_first_not_of(" \t\r\n");
  std::error_code ec;
  if (first == std::string::npos ||
      (data[first] != '{' && data[first] != '[' && data[first] != '"')) {
    if (std::filesystem::exists(data, ec)) return read_json_input("--data", data, std::cin);
    if (auto scalar = parse_json(data); scalar) return scalar;  // true, 42, null
    return Error::not_found("--data: neither JSON text nor an existing file");
  }
  auto doc = parse_json(data);
  if (!doc) return prefixed("--data: ", doc.error());
  return doc;
}

}  // namespace coalition::cli
