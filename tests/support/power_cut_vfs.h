// PowerCutVfs: a SQLite VFS over the default one that keeps, for every file opened through it,
// what an fsync has made durable and the writes made since, so that a test can ask what a power
// cut at this instant would leave on disk. A disk may have written back some of what was never
// synced: a cut keeps the synced content plus the first `kept` of the later writes to each file,
// in the order they were made (SQLite must recover from every such prefix; what was acknowledged
// as durable must be in each of them). Real disks may also reorder and tear unsynced writes;
// this model does not. A sync counts only the writes made before it began. Directory entries
// count as durable at once; shared-memory files (the WAL index, rebuilt by recovery) are not
// part of the image.
#ifndef COALITION_TESTS_SUPPORT_POWER_CUT_VFS_H_
#define COALITION_TESTS_SUPPORT_POWER_CUT_VFS_H_

#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace coalition::test {

class PowerCutVfs {
 public:
  // The one instance, registered with SQLite (not as the default) on first use.
  static PowerCutVfs& instance();
  // The name to open a store with (SqliteOptions::vfs).
  const char* name() const { return "coalition-power-cut"; }

  // Writes the image a power cut now would leave of `database` and its write-ahead log to
  // `into` and `into`-wal: for each file, its synced content and then the first `kept` writes
  // made since its last sync (all of them when there are fewer). False when no file of that
  // name was opened through this VFS (an image of nothing would prove nothing).
  bool cut(const std::filesystem::path& database, const std::filesystem::path& into, size_t kept);
  // Writes since the last sync of `file` (for a test to choose prefixes from).
  size_t unsynced_writes(const std::filesystem::path& file);
  // How often `file` was written at offset 0 again after its first write there: for a log, how
  // often SQLite started it again from its beginning.
  size_t rewinds(const std::filesystem::path& file);
  // The next sync of `file` fails (SQLITE_IOERR_FSYNC) and leaves its writes unsynced.
  void fail_next_sync(const std::filesystem::path& file);

  // Called by the VFS's files (public for them; not for tests).
  struct Change {
    uint64_t seq = 0;  // in the order made, per file
    bool truncate = false;
    int64_t offset = 0;  // a write's offset, or the truncated size
    std::string bytes;
  };
  void opened(const std::string& path);
  void wrote(const std::string& path, int64_t offset, const void* data, int size);
  void truncated(const std::string& path, int64_t size);
  // The sequence number of the last change made to `path` so far.
  uint64_t last_change(const std::string& path);
  // A sync of `path` began after change `upto` and succeeded: that and every earlier change
  // are durable. False when the sync must fail instead (fail_next_sync).
  bool syncing(const std::string& path);
  void synced(const std::string& path, uint64_t upto);
  void deleted(const std::string& path);
  std::mutex& mutex() { return mutex_; }

 private:
  struct FileState {
    std::string durable;          // the content as of the last sync
    std::vector<Change> pending;  // made since, in order
    uint64_t next_seq = 1;
    size_t writes_at_start = 0;
    bool fail_sync = false;
  };
  PowerCutVfs() = default;
  static void apply(std::string& content, const Change& change);

  std::mutex mutex_;  // held around every write that is recorded, so the order is the file's
  std::map<std::string, FileState> files_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_POWER_CUT_VFS_H_
