// What theory predicts for Kademlia lookups, to set beside the measurement.
//
// Maymounkov and Mazières (2002) bound a lookup by ceil(log2 N) hops; with
// k-buckets each hop typically gains about log2(k) bits of prefix once the
// lookup is near the target, so the expected hop count sits well below the
// bound. We report the bound and check the measurement against it, plus a
// confidence interval for the success rate.
#pragma once

#include <cstdint>

namespace fluence::analysis {

struct HopPrediction {
  double log2_n;          // the O(log N) bound
  double log2_n_over_k;   // the usual estimate of a k-bucket lookup's depth
};
HopPrediction predict_hops(uint64_t nodes, int bucket_size);

struct Interval {
  double low;
  double high;
};
// Wilson score interval for a binomial proportion at confidence z (2.576: 99%).
Interval wilson_interval(uint64_t successes, uint64_t trials, double z = 2.576);

}  // namespace fluence::analysis
