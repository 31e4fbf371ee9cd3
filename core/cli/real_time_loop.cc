#include "cli/real_time_loop.h"

#include <chrono>

#include "cli/audit_commands.h"

namespace coalition::cli {

sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

RealTimeLoop::RealTimeLoop(app::Session& session, const app::Installation& installation,
                           sigset_t stop, std::string name, std::ostream& err)
    : session_(session),
      installation_(installation),
      stop_(stop),
      name_(std::move(name)),
      err_(err) {}

void RealTimeLoop::report_recovery() {
  const auto& r = session_.recovery();
  err_ << name_ << ": recovered " << r.recovered << " execution(s); " << r.parked
       << " wait for people, signals or timers";
  if (!r.failed.empty()) err_ << ", " << r.failed.size() << " could not be restored";
  err_ << std::endl;
}

// A signed checkpoint on the configured period and once more on the way out, so a rewrite of
// the store is caught against a recent head. A failure is reported, not fatal: the work goes on
// and `audit verify` says what is wrong.
void RealTimeLoop::checkpoint() {
  if (auto sync = session_.engine().sync(); !sync) {
    err_ << name_ << ": audit checkpoint failed: " << sync.error().to_string() << std::endl;
    return;
  }
  auto c = write_configured_checkpoint(session_.store(), installation_, session_.clock().now());
  if (c) {
    err_ << name_ << ": audit checkpoint, " << c->entries << " entries" << std::endl;
  } else {
    err_ << name_ << ": audit checkpoint failed: " << c.error().to_string() << std::endl;
  }
}

Status RealTimeLoop::run(const std::function<bool()>& done) {
  const auto every = installation_.config.audit_checkpoint_every;
  auto next_checkpoint = std::chrono::steady_clock::now() + every.value_or(std::chrono::hours(0));
  // Workflows registered through other nodes sharing the store (PostgreSQL) are listed here too
  // within this period; a start or a load that needs one reads them at once.
  constexpr auto kCatalogPeriod = std::chrono::seconds(5);
  auto next_catalog = std::chrono::steady_clock::now() + kCatalogPeriod;
  const timespec poll{0, 100 * 1000 * 1000};
  for (;;) {
    siginfo_t info;
    if (sigtimedwait(&stop_, &info, &poll) > 0) {
      err_ << name_ << ": " << (info.si_signo == SIGTERM ? "SIGTERM" : "SIGINT")
           << ", shutting down" << std::endl;
      return ok_status();
    }
    if (auto sync = session_.engine().sync(); !sync) return sync;
    if (auto runs = session_.run_schedules(); !runs) return runs;
    if (auto sent = session_.deliver_notifications(); !sent) return sent;
    if (std::chrono::steady_clock::now() >= next_catalog) {
      if (auto added = session_.refresh_catalog(); !added) {
        err_ << name_ << ": workflows could not be read again: " << added.error().to_string()
             << std::endl;
      }
      next_catalog = std::chrono::steady_clock::now() + kCatalogPeriod;
    }
    if (every && std::chrono::steady_clock::now() >= next_checkpoint && session_.has_duties()) {
      checkpoint();
      next_checkpoint = std::chrono::steady_clock::now() + *every;
    }
    if (done && done()) return ok_status();
  }
}

void RealTimeLoop::finish() {
  if (installation_.config.audit_checkpoint_every && session_.has_duties()) checkpoint();
}

}  // namespace coalition::cli
