#include "support/power_cut_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace coalition::test {

namespace {

// A file of this VFS: SQLite allocates szOsFile bytes for it, this header and then the default
// VFS's own file right after it.
struct CutFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::string* path;  // null: not recorded (temporary files)
};

sqlite3_vfs* real_vfs() {
  static sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  return vfs;
}

sqlite3_file* real(sqlite3_file* f) {
  return reinterpret_cast<CutFile*>(f)->real;
}

int cut_close(sqlite3_file* f) {
  auto* file = reinterpret_cast<CutFile*>(f);
  const int rc = file->real->pMethods->xClose(file->real);
  delete file->path;
  file->path = nullptr;
  return rc;
}

int cut_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), data, amount, offset);
}

int cut_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  auto* file = reinterpret_cast<CutFile*>(f);
  if (file->path == nullptr) return file->real->pMethods->xWrite(file->real, data, amount, offset);
  auto& vfs = PowerCutVfs::instance();
  std::lock_guard<std::mutex> lock(vfs.mutex());
  const int rc = file->real->pMethods->xWrite(file->real, data, amount, offset);
  if (rc == SQLITE_OK) vfs.wrote(*file->path, offset, data, amount);
  return rc;
}

int cut_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* file = reinterpret_cast<CutFile*>(f);
  if (file->path == nullptr) return file->real->pMethods->xTruncate(file->real, size);
  auto& vfs = PowerCutVfs::instance();
  std::lock_guard<std::mutex> lock(vfs.mutex());
  const int rc = file->real->pMethods->xTruncate(file->real, size);
  if (rc == SQLITE_OK) vfs.truncated(*file->path, size);
  return rc;
}

int cut_sync(sqlite3_file* f, int flags) {
  auto* file = reinterpret_cast<CutFile*>(f);
  if (file->path == nullptr) return file->real->pMethods->xSync(file->real, flags);
  auto& vfs = PowerCutVfs::instance();
  if (!vfs.syncing(*file->path)) return SQLITE_IOERR_FSYNC;
  const uint64_t upto = vfs.last_change(*file->path);
  const int rc = file->real->pMethods->xSync(file->real, flags);
  if (rc == SQLITE_OK) vfs.synced(*file->path, upto);
  return rc;
}

int cut_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int cut_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
int cut_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
int cut_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int cut_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int cut_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int cut_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int cut_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int cut_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void cut_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int cut_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int cut_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int cut_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

// What the default VFS's files offer: the shared-memory and memory-map methods only where the
// real file has them (SQLite calls a method its iVersion promises).
const sqlite3_io_methods kMethods = {
    3,
    cut_close,
    cut_read,
    cut_write,
    cut_truncate,
    cut_sync,
    cut_file_size,
    cut_lock,
    cut_unlock,
    cut_check_reserved,
    cut_file_control,
    cut_sector_size,
    cut_device_characteristics,
    cut_shm_map,
    cut_shm_lock,
    cut_shm_barrier,
    cut_shm_unmap,
    cut_fetch,
    cut_unfetch,
};
// The same, to version 1: for files without shared memory or memory mapping.
sqlite3_io_methods plain(sqlite3_io_methods methods) {
  methods.iVersion = 1;
  methods.xShmMap = nullptr;
  methods.xShmLock = nullptr;
  methods.xShmBarrier = nullptr;
  methods.xShmUnmap = nullptr;
  methods.xFetch = nullptr;
  methods.xUnfetch = nullptr;
  return methods;
}
const sqlite3_io_methods kPlainMethods = plain(kMethods);

int cut_open(sqlite3_vfs* /*vfs*/, sqlite3_filename name, sqlite3_file* f, int flags,
             int* out_flags) {
  auto* file = reinterpret_cast<CutFile*>(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->path = nullptr;
  const int rc = real_vfs()->xOpen(real_vfs(), name, file->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (name != nullptr && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0) {
    file->path = new std::string(name);
    PowerCutVfs::instance().opened(*file->path);
  }
  const sqlite3_io_methods* methods = file->real->pMethods;
  file->base.pMethods =
      methods->iVersion >= 3 && methods->xShmMap != nullptr && methods->xFetch != nullptr
          ? &kMethods
          : &kPlainMethods;
  return SQLITE_OK;
}

int cut_delete(sqlite3_vfs* /*vfs*/, const char* name, int sync_dir) {
  const int rc = real_vfs()->xDelete(real_vfs(), name, sync_dir);
  if (rc == SQLITE_OK) PowerCutVfs::instance().deleted(name);
  return rc;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

PowerCutVfs& PowerCutVfs::instance() {
  static PowerCutVfs* vfs = [] {
    auto* cut = new PowerCutVfs();
    static sqlite3_vfs registered = *real_vfs();
    registered.iVersion = std::min(registered.iVersion, 2);
    registered.szOsFile = static_cast<int>(sizeof(CutFile)) + real_vfs()->szOsFile;
    registered.zName = cut->name();
    registered.pNext = nullptr;
    registered.xOpen = cut_open;
    registered.xDelete = cut_delete;
    if (sqlite3_vfs_register(&registered, 0) != SQLITE_OK) {
      throw std::runtime_error("cannot register the power-cut VFS");
    }
    return cut;
  }();
  return *vfs;
}

void PowerCutVfs::apply(std::string& content, const Change& change) {
  const auto offset = static_cast<size_t>(change.offset);
  if (change.truncate) {
    content.resize(offset);
    return;
  }
  if (content.size() < offset + change.bytes.size()) content.resize(offset + change.bytes.size());
  std::memcpy(content.data() + offset, change.bytes.data(), change.bytes.size());
}

void PowerCutVfs::opened(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (files_.count(path) == 0) files_[path].durable = read_whole(path);
}

void PowerCutVfs::wrote(const std::string& path, int64_t offset, const void* data, int size) {
  auto& file = files_[path];
  if (offset == 0) ++file.writes_at_start;
  file.pending.push_back({file.next_seq++, false, offset,
                          std::string(static_cast<const char*>(data), static_cast<size_t>(size))});
}

void PowerCutVfs::truncated(const std::string& path, int64_t size) {
  auto& file = files_[path];
  file.pending.push_back({file.next_seq++, true, size, {}});
}

uint64_t PowerCutVfs::last_change(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_[path].next_seq - 1;
}

bool PowerCutVfs::syncing(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& file = files_[path];
  const bool fail = file.fail_sync;
  file.fail_sync = false;
  return !fail;
}

void PowerCutVfs::fail_next_sync(const std::filesystem::path& file) {
  std::lock_guard<std::mutex> lock(mutex_);
  files_[file.string()].fail_sync = true;
}

size_t PowerCutVfs::rewinds(const std::filesystem::path& file) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = files_.find(file.string());
  return it == files_.end() || it->second.writes_at_start == 0 ? 0 : it->second.writes_at_start - 1;
}

// Called once the real fsync returned, with the last change made before it began: the changes
// it covers for certain. Changes made while it ran stay unsynced, the worst a disk may do (and
// another sync that ended meanwhile may have taken earlier ones already).
void PowerCutVfs::synced(const std::string& path, uint64_t upto) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& file = files_[path];
  size_t n = 0;
  while (n < file.pending.size() && file.pending[n].seq <= upto) {
    apply(file.durable, file.pending[n]);
    ++n;
  }
  file.pending.erase(file.pending.begin(), file.pending.begin() + static_cast<std::ptrdiff_t>(n));
}

void PowerCutVfs::deleted(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  files_.erase(path);
}

size_t PowerCutVfs::unsynced_writes(const std::filesystem::path& file) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = files_.find(file.string());
  return it == files_.end() ? 0 : it->second.pending.size();
}

bool PowerCutVfs::cut(const std::filesystem::path& database, const std::filesystem::path& into,
                      size_t kept) {
  std::map<std::string, std::string> image;  // suffix -> content, written after the lock
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (files_.count(database.string()) == 0) return false;
    for (const char* suffix : {"", "-wal"}) {
      const auto it = files_.find(database.string() + suffix);
      if (it == files_.end()) continue;
      std::string content = it->second.durable;
      const size_t n = std::min(kept, it->second.pending.size());
      for (size_t i = 0; i < n; ++i) apply(content, it->second.pending[i]);
      image[suffix] = std::move(content);
    }
  }
  for (const auto& [suffix, content] : image) {
    std::ofstream out(into.string() + suffix, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  return true;
}

}  // namespace coalition::test
