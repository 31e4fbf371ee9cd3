// CrashJournal: which executions a process was working on when it died, so that one execution
// whose processing takes the engine down (a crash, an abort, the kernel's out-of-memory killer)
// is set aside after a few tries instead of taking the store down with it on every restart.
//
// A small file mapped into memory holds one slot per piece of work in progress: the engine
// writes an execution's id into a slot before it works on it (a handler under the execution's
// lock, a plugin call, the snapshot for a commit) and clears it after. Writes to a shared
// mapping are in the kernel's page cache at once, so they outlive the process however it ends
// (SIGKILL included) and cost a memcpy, not an fsync. Whatever the next process finds in the
// file was in progress at the moment of death. A machine that loses power loses the file, and
// nothing is blamed: such a crash is not the execution's doing.
#ifndef COALITION_RUNTIME_CRASH_JOURNAL_H_
#define COALITION_RUNTIME_CRASH_JOURNAL_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace coalition {

class CrashJournal {
 public:
  static constexpr size_t kSlots = 256;      // work in progress at once; more goes unmarked
  static constexpr size_t kSlotBytes = 264;  // 8-byte length + an id of up to 256 bytes

  // Opens (creating it 0600) the journal at `path` and reads what a process that died left in
  // it. Only one process may use a journal at a time: the store's acting-process lock.
  static Result<std::unique_ptr<CrashJournal>> open(const std::string& path);
  ~CrashJournal();
  CrashJournal(const CrashJournal&) = delete;
  CrashJournal& operator=(const CrashJournal&) = delete;

  // Executions in progress when the previous process died, each once; the next call returns
  // none (they are counted once).
  std::vector<std::string> take_left_by_previous() { return std::move(previous_); }

  // Marks `execution_id` as in progress for the mark's lifetime. Thread-safe; never fails (with
  // every slot taken the work goes unmarked).
  class Mark {
   public:
    Mark() = default;
    Mark(Mark&& other) noexcept : journal_(other.journal_), slot_(other.slot_) {
      other.journal_ = nullptr;
    }
    Mark& operator=(Mark&&) = delete;
    ~Mark();

   private:
    friend class CrashJournal;
    Mark(CrashJournal* journal, size_t slot) : journal_(journal), slot_(slot) {}
    CrashJournal* journal_ = nullptr;
    size_t slot_ = 0;
  };
  Mark mark(std::string_view execution_id);

 private:
  CrashJournal(int fd, char* map, std::vector<std::string> previous);
  void clear(size_t slot);

  int fd_;
  char* map_;
  std::vector<std::string> previous_;
  std::unique_ptr<std::atomic<bool>[]> taken_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_CRASH_JOURNAL_H_
