#include "analysis/capture_model.h"

#include <algorithm>
#include <cmath>

namespace fluence::analysis {

namespace {
double log_choose(uint64_t n, uint64_t k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(static_cast<double>(n - k) + 1.0);
}
}  // namespace

double hypergeometric_pmf(uint64_t population, uint64_t successes, uint64_t draws, uint64_t k) {
  if (k > draws || k > successes || draws - k > population - successes) return 0;
  return std::exp(log_choose(successes, k) + log_choose(population - successes, draws - k) - log_choose(population, draws));
}

double hypergeometric_tail(uint64_t population, uint64_t successes, uint64_t draws, uint64_t k) {
  double tail = 0;
  for (uint64_t x = k; x <= draws; ++x) tail += hypergeometric_pmf(population, successes, draws, x);
  return std::min(1.0, tail);
}

double binomial_tail(uint64_t n, double p, uint64_t k) {
  if (k == 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return k <= n ? 1 : 0;
  double tail = 0;
  for (uint64_t x = k; x <= n; ++x) {
    tail += std::exp(log_choose(n, x) + static_cast<double>(x) * std::log(p) + static_cast<double>(n - x) * std::log1p(-p));
  }
  return std::min(1.0, tail);
}

CaptureOdds capture_odds(uint64_t nodes, uint64_t malicious, uint64_t cluster_size, uint64_t arbiters) {
  uint64_t f = (cluster_size - 1) / 3;
  uint64_t quorum = arbiters / 2 + 1;
  CaptureOdds odds;
  odds.stall = hypergeometric_tail(nodes, malicious, cluster_size, f + 1);
  odds.capture = hypergeometric_tail(nodes, malicious, cluster_size, 2 * f + 1);
  for (uint64_t x = 0; x <= cluster_size && x <= malicious; ++x) {
    double cluster = hypergeometric_pmf(nodes, malicious, cluster_size, x);
    double held = hypergeometric_tail(nodes - cluster_size, malicious - x, arbiters, quorum);
    odds.arbiter_majority += cluster * held;
    if (x >= 2 * f + 1) odds.undetected += cluster * held;
  }
  return odds;
}

}  // namespace fluence::analysis
