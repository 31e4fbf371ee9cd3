// CrashJournal: which executions a process was working on when it died, and — when the process
// saw its own death coming — which piece of work killed it, so that one execution whose
// processing takes the engine down (a crash, an abort, the kernel's out-of-memory killer) costs
// that execution a few tries, never the store.
//
// A small file mapped into memory holds one slot per piece of work in progress: the engine
// writes an execution's id into a slot before it works on it (a handler under the execution's
// lock, a plugin call with its step and attempt, the snapshot for a commit) and clears it after.
// Writes to a shared mapping are in the kernel's page cache at once, so they outlive the process
// however it ends (SIGKILL included) and cost a memcpy, not an fsync. Whatever the next process
// finds in the file was in progress at the moment of death. A machine that loses power loses
// the file, and nothing is blamed: such a crash is not the execution's doing.
//
// watch_faults() adds what the slot alone cannot say: a fatal signal raised by the code a thread
// runs (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS) or exit() called from it writes the
// cause into the slots that thread holds before the process goes. So the next process knows that
// the plugin call in slot 7 crashed it, and that the work in the other slots was merely there.
#ifndef COALITION_RUNTIME_CRASH_JOURNAL_H_
#define COALITION_RUNTIME_CRASH_JOURNAL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace coalition {

// A plugin call in progress: the execution's frame, the attempt number it runs, and which step
// (visit) it belongs to — CrashJournal::step_key() of the attempt's idempotency key — so that a
// call that outlived its attempt (abandoned at its time limit) is never taken for a later attempt
// of another step in the same frame. (At namespace scope: a nested struct with member
// initializers is not default-constructible for clang until its enclosing class is complete.)
struct JournalledCall {
  int64_t frame = 0;
  uint32_t attempt = 0;
  uint32_t step = 0;
  bool operator==(const JournalledCall&) const = default;
};

class CrashJournal {
 public:
  static constexpr size_t kSlots = 256;  // work in progress at once; more goes unmarked
  static constexpr size_t kMaxIdBytes = 256;
  // A slot: [id length: u64][kind: u8][fault: u8][2 spare][attempt: u32][frame: i64]
  // [step: u32][4 spare][id bytes].
  static constexpr size_t kHeaderBytes = 32;
  static constexpr size_t kSlotBytes = kHeaderBytes + kMaxIdBytes;
  // The fault recorded for work whose thread called exit() (the process ended without a signal).
  static constexpr int kExited = 255;

  // A plugin call in progress (see JournalledCall).
  using PluginCall = JournalledCall;
  static uint32_t step_key(std::string_view idempotency_key);
  // One piece of work the previous process left in progress.
  struct Interrupted {
    std::string execution_id;
    std::optional<PluginCall> call;  // set when the work was a plugin call
    // The signal that ended the process on this work's own thread, kExited for exit() called
    // there, 0 when nothing was seen (SIGKILL, the out-of-memory killer, or the death came from
    // another thread: this work was only there).
    int fault = 0;
    bool operator==(const Interrupted&) const = default;
  };

  // Opens (creating it 0600) the journal at `path` and reads what a process that died left in
  // it. Only one process may use a journal at a time: the store's acting-process lock. A file of
  // another layout (an older engine's) is read as empty.
  static Result<std::unique_ptr<CrashJournal>> open(const std::string& path);
  ~CrashJournal();
  CrashJournal(const CrashJournal&) = delete;
  CrashJournal& operator=(const CrashJournal&) = delete;

  // Installs, once per process, the handlers that record a thread's fatal signal or exit() in
  // the slots it holds; each then hands the signal on to the handler that was there before (the
  // default: the process ends as it would have). Threads that run plugin code should also call
  // use_alternate_signal_stack(), so that a stack overflow is recorded too.
  static void watch_faults();
  // Gives the calling thread a signal stack of its own for as long as it lives.
  static void use_alternate_signal_stack();

  // What the previous process left in progress, each piece once; the next call returns none
  // (they are counted once).
  std::vector<Interrupted> take_left_by_previous() { return std::move(previous_); }

  // Marks work on `execution_id` in progress for the mark's lifetime, on the calling thread.
  // Thread-safe; never fails (with every slot taken the work goes unmarked). A mark belongs to
  // the thread that made it: create and destroy it there.
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
  Mark mark_call(std::string_view execution_id, PluginCall call);

 private:
  CrashJournal(int fd, char* map, std::vector<Interrupted> previous);
  Mark take_slot(std::string_view execution_id, uint8_t kind, PluginCall call);
  void clear(size_t slot);

  int fd_;
  char* map_;
  std::vector<Interrupted> previous_;
  std::unique_ptr<std::atomic<bool>[]> taken_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_CRASH_JOURNAL_H_
