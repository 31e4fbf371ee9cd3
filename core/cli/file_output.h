// Writing a file the CLI produces for others to read (a plugin manifest, a signature, a lock
// file): complete or not at all, mode as the umask allows.
#ifndef COALITION_CLI_FILE_OUTPUT_H_
#define COALITION_CLI_FILE_OUTPUT_H_

#include <filesystem>
#include <string>

#include "common/result.h"

namespace coalition::cli {

// Writes `text` to a temporary file beside `path`, then renames it over `path`: a reader sees
// the old file or the new one, never half of one. kIo naming the path on failure, with nothing
// left behind.
Status write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace coalition::cli

#endif  // COALITION_CLI_FILE_OUTPUT_H_
