// The CPU time this process has used so far, for benchmarks that split a phase's cost between
// the engine and the load they put on it, or report it per unit of work.
#ifndef COALITION_BENCH_OWN_CPU_TIME_H_
#define COALITION_BENCH_OWN_CPU_TIME_H_

#include <sys/resource.h>
#include <sys/time.h>

namespace coalition::bench {

// User and system seconds (getrusage), every thread of the process counted.
inline double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace coalition::bench

#endif  // COALITION_BENCH_OWN_CPU_TIME_H_
