// A plugin's secret key: from an environment variable, else a file of at least 16 bytes, else
// 32 random bytes written to a new file with mode 0600 (fsync'd, then linked into place whole,
// so that processes starting together use one key), so the same key is used after a restart.
// Throws std::runtime_error when no key can be had.
#ifndef COALITION_PLUGINS_SHARED_SECRET_FILE_H_
#define COALITION_PLUGINS_SHARED_SECRET_FILE_H_

#include <filesystem>
#include <string>

namespace coalition::plugins {

std::string load_or_create_secret(const std::filesystem::path& file, const char* env_name);

}  // namespace coalition::plugins

#endif  // COALITION_PLUGINS_SHARED_SECRET_FILE_H_
