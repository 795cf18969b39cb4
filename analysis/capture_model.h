// What an attacker holding M of N nodes can expect to hold of a committee
// (white paper, "Security Concerns"): placement puts a dataset's cluster at
// the n ids closest to the dataset id, and ids are hashes, so a cluster is a
// uniform draw of n of the N nodes without replacement: the number of the
// attacker's in it is hypergeometric. The arbiters are m more nodes drawn
// from the N - n outside the cluster, so given x of the attacker's in the
// cluster, the number among the arbiters is hypergeometric over (N - n,
// M - x, m). With n = 3f + 1: f + 1 of the attacker's stall the cluster,
// 2f + 1 commit anything, and a cheating cluster goes unseen only if the
// attacker also holds an arbiter quorum.
#pragma once

#include <cstdint>

namespace fluence::analysis {

// P(X = k) for X ~ Hypergeometric(population, successes, draws).
double hypergeometric_pmf(uint64_t population, uint64_t successes, uint64_t draws, uint64_t k);
// P(X >= k).
double hypergeometric_tail(uint64_t population, uint64_t successes, uint64_t draws, uint64_t k);
// P(Y >= k) for Y ~ Binomial(n, p): draws with replacement, as when each of
// n arbiters is corrupted independently with probability p.
double binomial_tail(uint64_t n, double p, uint64_t k);

struct CaptureOdds {
  double stall = 0;              // P(cluster holds >= f + 1)
  double capture = 0;            // P(cluster holds >= 2f + 1)
  double arbiter_majority = 0;   // P(arbiters hold a quorum)
  double undetected = 0;         // P(both the cluster's 2f + 1 and an arbiter quorum)
};
CaptureOdds capture_odds(uint64_t nodes, uint64_t malicious, uint64_t cluster_size, uint64_t arbiters);

}  // namespace fluence::analysis
