// How long a lazy member survives (white paper, "Security Concerns"): what
// theory predicts for the "lazy-member" scenario.
//
// Each tick every arbiter challenges the member on c indices with its own
// salt; a member missing a fraction f of its entries passes one challenge
// with probability (1 - f)^c. The tick's outcome settles from the first
// quorum of arbiters' verdicts (cluster/verdicts.h): proven only if more
// than half of them passed, so the tick fails with probability
//   q = P(Binomial(quorum, (1 - f)^c) <= quorum / 2).
// The arbiters replace the member after F failed ticks in a row. The number
// of ticks until the first such run is the absorption time of a Markov chain
// over the current run length 0..F-1 (run + 1 with probability q, back to 0
// otherwise); with Q its transient block, the expected time from 0 is the
// first row sum of the fundamental matrix (I - Q)^-1, solved with Eigen.
#pragma once

#include <cstdint>

namespace fluence::analysis {

// The probability that a tick's settled outcome is "failed".
double tick_failure_probability(double forgotten_fraction, int chunks, int quorum);

// Expected ticks until F consecutive failures, each tick failing with
// probability q (q > 0), by the absorbing chain; and the probability that it
// takes at most `ticks` ticks.
double expected_ticks_to_ejection(double q, int run_length);
double ejection_within(double q, int run_length, uint64_t ticks);

}  // namespace fluence::analysis
