// The crash journal keeps what a process was working on when it died, however it died, and
// nothing of what it finished.
#include "runtime/crash_journal.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/temp_dir.h"

namespace coalition {
namespace {

std::vector<std::string> ids(const std::vector<CrashJournal::Interrupted>& left) {
  std::vector<std::string> out;
  for (const auto& w : left) out.push_back(w.execution_id);
  return out;
}

// Runs `work` in a child process that then dies by `signal` (0: a plain _exit, no cleanup).
void in_a_process_that_dies(const std::function<void()>& work, int signal) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    work();
    if (signal != 0) ::kill(::getpid(), signal);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
}

TEST(CrashJournal, WhatWasInProgressAtDeathIsFoundByTheNextProcess) {
  test::TempDir dir;
  const std::string path = (dir.path() / "store.db.journal").string();
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        if (!journal) ::_exit(2);
        { auto done = (*journal)->mark("ex-finished"); }  // finished: its slot is cleared
        static auto busy = (*journal)->mark("ex-busy");
        static auto again = (*journal)->mark("ex-busy");  // two pieces of work on one
        static auto other = (*journal)->mark("ex-other");
      },
      SIGKILL);
  auto next = CrashJournal::open(path);
  ASSERT_TRUE(next.ok()) << next.error().message();
  const auto left = (*next)->take_left_by_previous();
  EXPECT_EQ(ids(left), (std::vector<std::string>{"ex-busy", "ex-other"}));
  for (const auto& w : left) {
    EXPECT_EQ(w.fault, 0) << "SIGKILL is not seen coming";
    EXPECT_FALSE(w.call.has_value());
  }
  EXPECT_TRUE((*next)->take_left_by_previous().empty());  // counted once
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CrashJournal, AProcessThatEndsCleanlyLeavesNothing) {
  test::TempDir dir;
  const std::string path = (dir.path() / "j").string();
  {
    auto journal = CrashJournal::open(path);
    ASSERT_TRUE(journal.ok());
    auto a = (*journal)->mark("ex-1");
    auto b = (*journal)->mark("ex-2");
  }
  auto next = CrashJournal::open(path);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE((*next)->take_left_by_previous().empty());
  // A second death after a clean start blames only what the second process was doing.
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        static auto busy = (*journal)->mark("ex-3");
      },
      SIGABRT);
  auto third = CrashJournal::open(path);
  EXPECT_EQ(ids((*third)->take_left_by_previous()), std::vector<std::string>{"ex-3"});
}

TEST(CrashJournal, MoreWorkThanSlotsGoesUnmarkedAndSlotsComeBack) {
  test::TempDir dir;
  const std::string path = (dir.path() / "j").string();
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        static std::vector<CrashJournal::Mark> marks;
        for (size_t i = 0; i < CrashJournal::kSlots + 10; ++i) {
          marks.push_back((*journal)->mark("ex-" + std::to_string(i)));
        }
      },
      SIGKILL);
  auto full = CrashJournal::open(path);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)->take_left_by_previous().size(), CrashJournal::kSlots);
  full->reset();
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        {
          std::vector<CrashJournal::Mark> marks;
          for (size_t i = 0; i < CrashJournal::kSlots; ++i) {
            marks.push_back((*journal)->mark("ex-" + std::to_string(i)));
          }
        }  // all finished: every slot is free again
        static auto again = (*journal)->mark("ex-again");
      },
      SIGKILL);
  auto next = CrashJournal::open(path);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(ids((*next)->take_left_by_previous()), std::vector<std::string>{"ex-again"});
}

// With the fault handlers installed, a thread that crashes names itself: its plugin call is
// recorded with the signal, the work of the other threads without one (it was only there).
class CrashJournalFaults : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashJournalFaults, TheCrashingThreadsCallIsBlamedAndTheOthersAreNot) {
  test::TempDir dir;
  const std::string path = (dir.path() / "j").string();
  const std::string how = GetParam();
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        if (!journal) ::_exit(2);
        CrashJournal::watch_faults();
        // The main thread's work, on its stack: exit() runs static destructors, not this one's.
        auto beside = (*journal)->mark("ex-beside");
        std::thread([&] {
          CrashJournal::use_alternate_signal_stack();
          auto handler = (*journal)->mark("ex-bad");
          auto call = (*journal)->mark_call("ex-bad", {3, 2});
          if (how == "segv") {
            // A fault the kernel raises (not a raise()), on a page nothing may touch: no
            // sanitizer sees it coming, as none would in a partner's library.
            void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            *static_cast<volatile int*>(page) = 1;
          }
          if (how == "raise") std::raise(SIGSEGV);
          if (how == "abort") std::abort();
          if (how == "exit") std::exit(3);
          if (how == "kill") std::raise(SIGKILL);
        }).join();
      },
      0);
  auto next = CrashJournal::open(path);
  ASSERT_TRUE(next.ok());
  const auto left = (*next)->take_left_by_previous();
  ASSERT_EQ(left.size(), 3u);
  const int expected = how == "abort"  ? SIGABRT
                       : how == "exit" ? CrashJournal::kExited
                       : how == "kill" ? 0
                                       : SIGSEGV;
  for (const auto& w : left) {
    if (w.execution_id == "ex-beside") {
      EXPECT_EQ(w.fault, 0) << "another thread's work is not to blame";
      EXPECT_FALSE(w.call.has_value());
    } else if (w.call) {
      EXPECT_EQ(w.execution_id, "ex-bad");
      EXPECT_EQ(*w.call, (CrashJournal::PluginCall{3, 2}));
      EXPECT_EQ(w.fault, expected);
    } else {
      EXPECT_EQ(w.execution_id, "ex-bad");
      EXPECT_EQ(w.fault, expected) << "every mark of the thread carries its fault";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ways, CrashJournalFaults,
                         ::testing::Values("segv", "raise", "abort", "exit", "kill"));

TEST(CrashJournal, AStackOverflowOnAThreadWithItsOwnSignalStackIsRecorded) {
  test::TempDir dir;
  const std::string path = (dir.path() / "j").string();
  in_a_process_that_dies(
      [&] {
        auto journal = CrashJournal::open(path);
        if (!journal) ::_exit(2);
        CrashJournal::watch_faults();
        std::thread([&] {
          CrashJournal::use_alternate_signal_stack();
          auto call = (*journal)->mark_call("ex-deep", {0, 1});
          struct Descend {
            static int go(volatile char* previous, int depth, int limit) {
              volatile char frame[4096];
              frame[0] = static_cast<char>(depth);
              frame[4095] = previous != nullptr ? previous[0] : 0;
              if (depth == limit) return frame[0];
              return go(frame, depth + 1, limit) + frame[4095];
            }
          };
          (void)Descend::go(nullptr, 0, 1 << 30);
        }).join();
      },
      0);
  auto next = CrashJournal::open(path);
  ASSERT_TRUE(next.ok());
  const auto left = (*next)->take_left_by_previous();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].fault, SIGSEGV);
  EXPECT_TRUE(left[0].call.has_value());
}

TEST(CrashJournal, AJournalOfAnotherLayoutIsReadAsEmpty) {
  test::TempDir dir;
  const std::string path = (dir.path() / "j").string();
  {
    std::ofstream old(path, std::ios::binary);
    std::string slot(264, '\0');
    slot[0] = 5;  // an older layout: [length][id]
    slot.replace(8, 5, "ex-12");
    old << slot << std::string(264 * 255, '\0');
  }
  auto journal = CrashJournal::open(path);
  ASSERT_TRUE(journal.ok()) << journal.error().message();
  EXPECT_TRUE((*journal)->take_left_by_previous().empty());
  EXPECT_EQ(std::filesystem::file_size(path), CrashJournal::kSlots * CrashJournal::kSlotBytes);
}

}  // namespace
}  // namespace coalition
