// NotificationDispatcher: delivers what the engine owes the people of tasks (store.h
// NotificationRecord) through a step type — the notify plugin by default — addressed to the
// task's organisation and roles, never to an address: the plugin finds the people in its
// contact directory and sends through their channel. The message carries references only
// (task, execution, workflow, step, title, due, level).
//
// At least once: a notification is marked sent only after the step type succeeded, so a crash
// between the send and the mark sends it again (with the same idempotency key: the
// notification's id). A retryable failure is tried again after `retry_after`, doubled each
// time, until `max_attempts`; a permanent one, or a step type that is not installed, fails it.
// Every outcome is written to the store; nothing is retried in memory.
#ifndef COALITION_APP_NOTIFICATION_DISPATCHER_H_
#define COALITION_APP_NOTIFICATION_DISPATCHER_H_

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "config/engine_config.h"
#include "plugin_host/plugin_registry.h"
#include "store/store.h"

namespace coalition::app {

class NotificationDispatcher {
 public:
  // `store`, `registry` and `clock` must outlive the dispatcher.
  NotificationDispatcher(Store& store, const PluginRegistry& registry, const Clock& clock,
                         NotificationsConfig config);

  // Delivers the notifications due at `now`, at most `limit`, the earliest first; how many it
  // tried. A delivery's outcome is stamped with the clock's time once it is over (a retry waits
  // from then, not from when the pass began). Only a store that fails ends it early.
  Result<size_t> deliver_due(TimePoint now, size_t limit = 50);

 private:
  Store& store_;
  const PluginRegistry& registry_;
  const Clock& clock_;
  NotificationsConfig config_;
};

// The step type's parameters for `n`: {"to": {"people": {organisation?, roles}, "channel"},
// "message": "task.<kind>", "payload": {...references}, "allow": [...]}.
nlohmann::json notification_parameters(const NotificationRecord& n, const nlohmann::json& channel);

}  // namespace coalition::app

#endif  // COALITION_APP_NOTIFICATION_DISPATCHER_H_
