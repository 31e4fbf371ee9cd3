// Histogram: counts of observations by upper bound, with their sum — what a Prometheus histogram
// exposes. Lock-free: any thread may observe while another reads a snapshot.
#ifndef COALITION_COMMON_HISTOGRAM_H_
#define COALITION_COMMON_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace coalition {

class Histogram {
 public:
  // `bounds`: the buckets' inclusive upper bounds, increasing; one more bucket takes the rest.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // observations <= bounds[i]; then the total (+Inf)
    double sum = 0;
    uint64_t count = 0;
  };
  // Counts read one by one: under concurrent observations a snapshot may be off by the few in
  // flight, never negative or decreasing.
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

}  // namespace coalition

#endif  // COALITION_COMMON_HISTOGRAM_H_
