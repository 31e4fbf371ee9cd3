// Writing a file that holds data people must not read by accident (exports, keys): created 0600,
// complete or not at all, never through a symbolic link.
#ifndef COALITION_COMMON_PRIVATE_FILE_H_
#define COALITION_COMMON_PRIVATE_FILE_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

// Writes `content` to a new file beside `path` (mode 0600), flushes it to disk, then renames it
// to `path`. A symbolic link at `path` is refused (kInvalidArgument), and so is an existing
// file unless `replace` (kConflict). On any failure nothing is left behind: no partial file,
// no 0-byte file (a full disk is kIo naming the path).
Status write_private_file(const std::string& path, std::string_view content, bool replace);

// Creates the folders of `dir` that are missing, each 0700; existing ones are left as they are.
Status create_private_directories(const std::string& dir);

}  // namespace coalition

#endif  // COALITION_COMMON_PRIVATE_FILE_H_
