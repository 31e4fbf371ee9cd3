// JSON documents the command line reads: an option's file, or standard input for "-".
#ifndef COALITION_CLI_JSON_INPUT_H_
#define COALITION_CLI_JSON_INPUT_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace coalition::cli {

// Reads `path` ("-": `in`) as one JSON document under the limits in force: only regular files
// (a device or FIFO is refused at once), at most limits.document_bytes. Errors start with
// `option` ("--input: ...") and keep their code: kNotFound for a missing file (exit 66),
// kInvalidData for malformed JSON or a limit (65), kIo for anything else.
Result<nlohmann::json> read_json_input(const std::string& option, const std::string& path,
                                       std::istream& in);

// --data: JSON text when it looks like JSON (an object, an array, a string, or a scalar), else
// the name of a file holding it; {} when empty.
Result<nlohmann::json> read_data(const std::string& data);

// `error` with "<prefix>" before its message; code and pointer kept.
Error prefixed(const std::string& prefix, const Error& error);

}  // namespace coalition::cli

#endif  // COALITION_CLI_JSON_INPUT_H_
