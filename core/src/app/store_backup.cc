#include "app/store_backup.h"

#include <unistd.h>

#include <filesystem>

#include "app/session.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace coalition::app {

namespace {

Status refuse_postgres(const std::string& location, const char* what) {
  return Error::invalid_argument(
      std::string(what) + " works on the embedded SQLite store; " +
      redacted_postgres_url(location) +
      " is a PostgreSQL database: use pg_dump and pg_restore, or continuous archiving with "
      "point-in-time recovery (README, PostgreSQL)");
}

}  // namespace

Status backup_store(const EngineConfig& config, const std::string& store_option,
                    const std::string& to) {
  const std::string path = store_location(config, store_option);
  if (is_postgres_url(path)) return refuse_postgres(path, "backup");
  if (!std::filesystem::exists(path)) return Error::not_found("store " + path + " does not exist");
  return SqliteStore::backup(path, to);
}

// The lock first, so the store cannot be taken, nor the backup checked against another moment,
// between the checks and the copy.
Status restore_store(const EngineConfig& config, const std::string& store_option,
                     const std::string& from, bool replace) {
  const std::string path = store_location(config, store_option);
  if (is_postgres_url(path)) return refuse_postgres(path, "restore");
  if (path == ":memory:") return Error::invalid_argument("restore needs a store file");
  std::error_code ec;
  if (std::filesystem::equivalent(from, path, ec)) {
    return Error::invalid_argument("restore: " + from + " is the store itself");
  }
  auto fd = lock_store_file(path);  // creates an empty store file where there was none
  if (!fd) return std::move(fd).error();
  Status restored = [&]() -> Status {
    const bool holds_data = std::filesystem::file_size(path, ec) > 0 && !ec;
    if (holds_data && !replace) {
      return Error::conflict("store " + path +
                             " exists; give --replace to replace it with the backup");
    }
    if (auto checked = SqliteStore::check_backup(from); !checked) return checked;
    return SqliteStore::restore(from, path);
  }();
  if (restored) {
    // What a process that died working on the replaced store left: not about this one.
    ::unlink((path + ".journal").c_str());
  }
  ::close(*fd);
  return restored;
}

}  // namespace coalition::app
