#include "runtime/crash_journal.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>

namespace coalition {
namespace {

constexpr size_t kFileBytes = CrashJournal::kSlots * CrashJournal::kSlotBytes;
constexpr size_t kIdBytes = CrashJournal::kSlotBytes - sizeof(uint64_t);

// The ids in a mapping, each once: a slot is [length: u64][id bytes]; length 0 is free.
std::vector<std::string> read_slots(const char* map) {
  std::set<std::string> seen;
  std::vector<std::string> ids;
  for (size_t i = 0; i < CrashJournal::kSlots; ++i) {
    const char* slot = map + i * CrashJournal::kSlotBytes;
    uint64_t length = 0;
    std::memcpy(&length, slot, sizeof length);
    if (length == 0 || length > kIdBytes) continue;
    std::string id(slot + sizeof length, length);
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace

Result<std::unique_ptr<CrashJournal>> CrashJournal::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (static_cast<size_t>(st.st_size) != kFileBytes &&
       ::ftruncate(fd, static_cast<off_t>(kFileBytes)) != 0)) {
    ::close(fd);
    return Error::io("cannot prepare " + path + ": " + std::strerror(errno));
  }
  void* map = ::mmap(nullptr, kFileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    return Error::io("cannot map " + path + ": " + std::strerror(errno));
  }
  char* bytes = static_cast<char*>(map);
  std::vector<std::string> previous = read_slots(bytes);
  std::memset(bytes, 0, kFileBytes);  // this process starts with nothing in progress
  return std::unique_ptr<CrashJournal>(new CrashJournal(fd, bytes, std::move(previous)));
}

CrashJournal::CrashJournal(int fd, char* map, std::vector<std::string> previous)
    : fd_(fd),
      map_(map),
      previous_(std::move(previous)),
      taken_(std::make_unique<std::atomic<bool>[]>(kSlots)) {}

CrashJournal::~CrashJournal() {
  ::munmap(map_, kFileBytes);
  ::close(fd_);
}

CrashJournal::Mark CrashJournal::mark(std::string_view execution_id) {
  const uint64_t length = std::min(execution_id.size(), kIdBytes);
  if (length == 0) return {};
  for (size_t i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!taken_[i].compare_exchange_strong(expected, true, std::memory_order_acquire)) continue;
    char* slot = map_ + i * kSlotBytes;
    std::memcpy(slot + sizeof length, execution_id.data(), length);
    std::memcpy(slot, &length, sizeof length);  // the length last: a torn slot reads as free
    return Mark(this, i);
  }
  return {};
}

void CrashJournal::clear(size_t slot) {
  const uint64_t zero = 0;
  std::memcpy(map_ + slot * kSlotBytes, &zero, sizeof zero);
  taken_[slot].store(false, std::memory_order_release);
}

CrashJournal::Mark::~Mark() {
  if (journal_ != nullptr) journal_->clear(slot_);
}

}  // namespace coalition
