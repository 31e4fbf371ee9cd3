// PeopleSeen: the server's memory of the people who signed in with an identity provider (OIDC),
// written to the store (Store::people) when a person is first seen or seen with another
// organisation or other roles. Identity providers tell the server who someone is only while they
// call; handing a task to a person needs to know they may take it, so the last roles their
// provider gave them are kept. Thread-safe.
#ifndef COALITION_APP_PEOPLE_SEEN_H_
#define COALITION_APP_PEOPLE_SEEN_H_

#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/principal.h"
#include "common/clock.h"
#include "store/store.h"

namespace coalition::app {

class PeopleSeen {
 public:
  // Records `p` (OIDC principals only; others are ignored) unless it was recorded as it is now.
  // A call for an unchanged person costs one lookup under a lock.
  Status note(Store& store, const Principal& p, TimePoint now);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> recorded_;  // credential -> what was written
  static constexpr size_t kMaxRemembered = 100000;         // then forgotten, written again
};

}  // namespace coalition::app

#endif  // COALITION_APP_PEOPLE_SEEN_H_
