// The crash journal keeps what a process was working on when it died, however it died, and
// nothing of what it finished.
#include "runtime/crash_journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "support/temp_dir.h"

namespace coalition {
namespace {

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
  EXPECT_EQ((*next)->take_left_by_previous(), (std::vector<std::string>{"ex-busy", "ex-other"}));
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
  EXPECT_EQ((*third)->take_left_by_previous(), std::vector<std::string>{"ex-3"});
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
  EXPECT_EQ((*next)->take_left_by_previous(), std::vector<std::string>{"ex-again"});
}

}  // namespace
}  // namespace coalition
