// Legal hold: a named person suspends the purge of an execution's records (a law-enforcement
// "keep open" request, litigation). Placing and releasing are audited; the reason is a
// reference ("LE request LE-2026-0042"), never a narrative, and like every text that enters
// the engine it may not carry an image or video.
#ifndef COALITION_RETENTION_LEGAL_HOLD_H_
#define COALITION_RETENTION_LEGAL_HOLD_H_

#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "common/utc_time.h"
#include "store/store.h"

namespace coalition {

struct HoldRequest {
  std::string execution_id;
  std::string actor;
  std::string role;
  std::string reason;
  TimePoint now;
  std::string organisation = {};  // the actor's
  std::string identity = {};  // how the actor was identified (asserted, token:<id>); empty: unsaid
};

// True when placed; false when a hold is already in force (nothing changes: placing is
// idempotent). kNotFound: no such execution; kInvalidArgument: no actor or reason;
// kInvalidData: the reason carries media (refused and audited).
Result<bool> place_legal_hold(Store& store, const HoldRequest& request);
// kNotFound: no such execution, or no hold in force on it.
Status release_legal_hold(Store& store, const HoldRequest& request);

}  // namespace coalition

#endif  // COALITION_RETENTION_LEGAL_HOLD_H_
