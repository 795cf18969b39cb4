// What theory predicts for Kademlia lookups, to set beside the measurement.
//
// Maymounkov and Mazières (2002) bound a lookup by ceil(log2 N) hops. With
// k-buckets, the k contacts a node returns for a target share about log2(k)
// more prefix bits with it than the node itself does, so each hop gains
// about log2(k) bits and a lookup takes about log2(N) / log2(k) hops. We
// report both and check the measurement against the bound, with a
// confidence interval for the success rate.
#pragma once

#include <cstdint>

namespace fluence::analysis {

struct HopPrediction {
  double log2_n;    // the O(log N) bound
  double estimate;  // log2(N) / log2(k): the expected depth with k-buckets
};
HopPrediction predict_hops(uint64_t nodes, int bucket_size);

struct Interval {
  double low;
  double high;
};
// Wilson score interval for a binomial proportion at confidence z (2.576: 99%).
Interval wilson_interval(uint64_t successes, uint64_t trials, double z = 2.576);

}  // namespace fluence::analysis
