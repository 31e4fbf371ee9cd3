#include "runtime/crash_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace coalition {
namespace {

constexpr size_t kFileBytes = CrashJournal::kSlots * CrashJournal::kSlotBytes;
constexpr size_t kKindAt = 8;
constexpr size_t kFaultAt = 9;
constexpr size_t kAttemptAt = 12;
constexpr size_t kFrameAt = 16;
constexpr size_t kStepAt = 24;
constexpr uint8_t kWork = 1;
constexpr uint8_t kCall = 2;

// The slots the calling thread holds, for the fault handlers: plain data a signal handler may
// read. Work nests (a plugin call inside a handler is not, but a commit inside a handler is);
// past kHeld marks a thread's deeper work is still journalled, only not blamed by its faults.
constexpr int kHeld = 8;
thread_local char* t_held[kHeld] = {};
thread_local int t_count = 0;

void hold(char* slot) {
  if (t_count < kHeld) t_held[t_count] = slot;
  ++t_count;
}

void release(char* slot) {
  const int held = std::min(t_count, kHeld);
  for (int i = held - 1; i >= 0; --i) {
    if (t_held[i] != slot) continue;
    for (int j = i; j + 1 < held; ++j) t_held[j] = t_held[j + 1];
    break;
  }
  if (t_count > 0) --t_count;
}

// Async-signal-safe: stores one byte in each slot of this thread. The first fault is the cause;
// what follows it is its consequence (a sanitizer that reports a segfault, then aborts) and
// does not overwrite it.
void record_fault(int fault) {
  const int held = std::min(t_count, kHeld);
  for (int i = 0; i < held; ++i) {
    if (t_held[i][kFaultAt] == 0) t_held[i][kFaultAt] = static_cast<char>(fault);
  }
}

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};
struct sigaction g_previous[NSIG];

extern "C" void on_fatal_signal(int signal, siginfo_t* info, void* /*context*/) {
  const int code = info != nullptr ? info->si_code : SI_USER;
  // Only what this thread's own code did is its fault: a fault the kernel raised on it, or a
  // signal it sent itself (raise, abort). A signal sent from outside (kill -ABRT, a watchdog)
  // and a machine-check notice (BUS_MCEERR_AO) blame nobody.
  const bool kernel_fault = code > 0 && !(signal == SIGBUS && code == BUS_MCEERR_AO);
  const bool own = code == SI_TKILL && info != nullptr && info->si_pid == ::getpid();
  if (kernel_fault || own) record_fault(signal);
  // Hand the signal on to whoever had it before (the default action ends the process; a
  // sanitizer reports). A fault of an instruction comes back when the instruction runs again,
  // with its own address; anything else is sent again, to arrive once this handler returns.
  ::sigaction(signal, &g_previous[signal], nullptr);
  const bool refaults = kernel_fault && (signal == SIGSEGV || signal == SIGBUS ||
                                         signal == SIGILL || signal == SIGFPE);
  if (!refaults) ::raise(signal);
}

extern "C" void on_exit_called() {
  record_fault(CrashJournal::kExited);
}

// Each piece of work once, in slot order.
std::vector<CrashJournal::Interrupted> read_slots(const char* map) {
  std::vector<CrashJournal::Interrupted> found;
  for (size_t i = 0; i < CrashJournal::kSlots; ++i) {
    const char* slot = map + i * CrashJournal::kSlotBytes;
    uint64_t length = 0;
    std::memcpy(&length, slot, sizeof length);
    if (length == 0 || length > CrashJournal::kMaxIdBytes) continue;
    CrashJournal::Interrupted entry;
    entry.execution_id.assign(slot + CrashJournal::kHeaderBytes, length);
    entry.fault = static_cast<uint8_t>(slot[kFaultAt]);
    if (static_cast<uint8_t>(slot[kKindAt]) == kCall) {
      CrashJournal::PluginCall call;
      std::memcpy(&call.attempt, slot + kAttemptAt, sizeof call.attempt);
      std::memcpy(&call.frame, slot + kFrameAt, sizeof call.frame);
      std::memcpy(&call.step, slot + kStepAt, sizeof call.step);
      entry.call = call;
    }
    if (std::find(found.begin(), found.end(), entry) == found.end()) {
      found.push_back(std::move(entry));
    }
  }
  return found;
}

}  // namespace

// AddressSanitizer keeps SIGSEGV (and SIGBUS) to itself unless told that the program may install
// handlers of its own; the fault handlers below hand every fault back to it, so its reports stay
// as they were. Options in ASAN_OPTIONS still win.
#if defined(__SANITIZE_ADDRESS__)
#define COALITION_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COALITION_ASAN 1
#endif
#endif
#ifdef COALITION_ASAN
extern "C" const char* __asan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "allow_user_segv_handler=1";
}
#endif

uint32_t CrashJournal::step_key(std::string_view idempotency_key) {
  uint32_t hash = 2166136261u;  // FNV-1a: stable across processes and builds
  for (const unsigned char c : idempotency_key) hash = (hash ^ c) * 16777619u;
  return hash;
}

void CrashJournal::watch_faults() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int signal : kFatalSignals) {
      struct sigaction action {};
      action.sa_sigaction = on_fatal_signal;
      action.sa_flags = SA_SIGINFO | SA_ONSTACK;
      sigemptyset(&action.sa_mask);
      ::sigaction(signal, &action, &g_previous[signal]);
    }
    std::atexit(on_exit_called);
    std::at_quick_exit(on_exit_called);
  });
}

void CrashJournal::use_alternate_signal_stack() {
  // Freed when the thread ends, after the kernel is told to stop using it.
  struct AlternateStack {
    std::unique_ptr<char[]> bytes;
    AlternateStack() {
      stack_t current{};
      if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) {
        return;  // the thread has one already (a sanitizer gives every thread one)
      }
      constexpr size_t kBytes = 64 * 1024;
      bytes = std::make_unique<char[]>(kBytes);
      stack_t stack{};
      stack.ss_sp = bytes.get();
      stack.ss_size = kBytes;
      if (::sigaltstack(&stack, nullptr) != 0) bytes.reset();
    }
    ~AlternateStack() {
      if (!bytes) return;
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      ::sigaltstack(&off, nullptr);
    }
    AlternateStack(const AlternateStack&) = delete;
    AlternateStack& operator=(const AlternateStack&) = delete;
  };
  thread_local AlternateStack stack;
}

Result<std::unique_ptr<CrashJournal>> CrashJournal::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  // Another size is another layout: start from zeros rather than misread it.
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (static_cast<size_t>(st.st_size) != kFileBytes &&
       (::ftruncate(fd, 0) != 0 || ::ftruncate(fd, static_cast<off_t>(kFileBytes)) != 0))) {
    ::close(fd);
    return Error::io("cannot prepare " + path + ": " + std::strerror(errno));
  }
  void* map = ::mmap(nullptr, kFileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    return Error::io("cannot map " + path + ": " + std::strerror(errno));
  }
  char* bytes = static_cast<char*>(map);
  std::vector<Interrupted> previous = read_slots(bytes);
  std::memset(bytes, 0, kFileBytes);  // this process starts with nothing in progress
  return std::unique_ptr<CrashJournal>(new CrashJournal(fd, bytes, std::move(previous)));
}

CrashJournal::CrashJournal(int fd, char* map, std::vector<Interrupted> previous)
    : fd_(fd),
      map_(map),
      previous_(std::move(previous)),
      taken_(std::make_unique<std::atomic<bool>[]>(kSlots)) {}

CrashJournal::~CrashJournal() {
  ::munmap(map_, kFileBytes);
  ::close(fd_);
}

CrashJournal::Mark CrashJournal::mark(std::string_view execution_id) {
  return take_slot(execution_id, kWork, {});
}

CrashJournal::Mark CrashJournal::mark_call(std::string_view execution_id, PluginCall call) {
  return take_slot(execution_id, kCall, call);
}

CrashJournal::Mark CrashJournal::take_slot(std::string_view execution_id, uint8_t kind,
                                           PluginCall call) {
  const uint64_t length = std::min(execution_id.size(), kMaxIdBytes);
  if (length == 0) return {};
  for (size_t i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!taken_[i].compare_exchange_strong(expected, true, std::memory_order_acquire)) continue;
    char* slot = map_ + i * kSlotBytes;
    slot[kKindAt] = static_cast<char>(kind);
    slot[kFaultAt] = 0;
    std::memcpy(slot + kAttemptAt, &call.attempt, sizeof call.attempt);
    std::memcpy(slot + kFrameAt, &call.frame, sizeof call.frame);
    std::memcpy(slot + kStepAt, &call.step, sizeof call.step);
    std::memcpy(slot + kHeaderBytes, execution_id.data(), length);
    // The length last, after everything else reached the mapping: a torn slot reads as free.
    std::atomic_signal_fence(std::memory_order_release);
    std::memcpy(slot, &length, sizeof length);
    hold(slot);
    return Mark(this, i);
  }
  return {};
}

void CrashJournal::clear(size_t slot) {
  char* bytes = map_ + slot * kSlotBytes;
  release(bytes);
  const uint64_t zero = 0;
  std::memcpy(bytes, &zero, sizeof zero);
  bytes[kFaultAt] = 0;
  taken_[slot].store(false, std::memory_order_release);
}

CrashJournal::Mark::~Mark() {
  if (journal_ != nullptr) journal_->clear(slot_);
}

}  // namespace coalition
