// TimePoint: an instant as the engine holds it. A leaf every layer may name without pulling in a
// clock, a timer library or a thread.
#ifndef COALITION_COMMON_TIME_POINT_H_
#define COALITION_COMMON_TIME_POINT_H_

#include "common/rfc3339.h"

namespace coalition {

// Instants to the microsecond: every year from 0001 to 9999 fits (the library's nanosecond
// clock ends in 2262), so a timestamp anyone may write can be held and compared.
using TimePoint = UtcMicros;

}  // namespace coalition

#endif  // COALITION_COMMON_TIME_POINT_H_
