#include "analysis/kademlia_model.h"

#include <algorithm>
#include <cmath>

#include "model/base/check.h"

namespace fluence::analysis {

HopPrediction predict_hops(uint64_t nodes, int bucket_size) {
  FL_ASSERT(nodes > 0 && bucket_size > 0);
  double n = static_cast<double>(nodes);
  double bits_per_hop = std::max(1.0, std::log2(static_cast<double>(bucket_size)));
  return {std::log2(n), std::max(1.0, std::log2(n) / bits_per_hop)};
}

Interval wilson_interval(uint64_t successes, uint64_t trials, double z) {
  FL_ASSERT(successes <= trials);
  if (trials == 0) return {0.0, 1.0};
  double n = static_cast<double>(trials);
  double p = static_cast<double>(successes) / n;
  double z2 = z * z;
  double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

}  // namespace fluence::analysis
