// The life of a long-running engine process (`coalition worker`, `coalition serve`): the stop
// signals are blocked in every thread (before the engine starts any) and taken synchronously,
// so shutdown is ordinary code; the engine's changes are committed as they come; the signed
// audit checkpoint (audit.checkpoint_every) is written on its period and once more at the end.
#ifndef COALITION_CLI_REAL_TIME_LOOP_H_
#define COALITION_CLI_REAL_TIME_LOOP_H_

#include <signal.h>

#include <functional>
#include <ostream>
#include <string>

#include "app/installation.h"
#include "app/session.h"

namespace coalition::cli {

// Blocks SIGTERM and SIGINT in this thread and every thread it starts later; the set.
sigset_t block_stop_signals();

class RealTimeLoop {
 public:
  // `name` prefixes what it reports on `err` ("coalition worker").
  RealTimeLoop(app::Session& session, const app::Installation& installation, sigset_t stop,
               std::string name, std::ostream& err);

  // Reports what recovery found.
  void report_recovery();
  // Runs until SIGTERM or SIGINT (OK), `done()` turns true (OK), or the store fails (its error).
  Status run(const std::function<bool()>& done = {});
  // After the engine is idle: the last checkpoint (when configured).
  void finish();

 private:
  void checkpoint();

  app::Session& session_;
  const app::Installation& installation_;
  sigset_t stop_;
  std::string name_;
  std::ostream& err_;
};

}  // namespace coalition::cli

#endif  // COALITION_CLI_REAL_TIME_LOOP_H_
