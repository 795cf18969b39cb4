// How long a lazy member survives (white paper, "Security Concerns"): what
// theory predicts for the "lazy-member" scenario.
//
// Each tick every arbiter challenges the member on c indices with its own
// salt; a member missing a fraction f of its entries passes one challenge
// with probability (1 - f)^c, independently of the other arbiters'. The
// tick's outcome is decided from every arbiter's verdict once all A are on
// chain (cluster/verdicts.h): proven only if more than half of them passed,
// so the tick fails with probability
//   q = P(Binomial(A, (1 - f)^c) <= floor(A / 2)).
// The arbiters replace the member after F failed ticks in a row. The number
// of ticks until the first such run is the absorption time of a Markov chain
// over the current run length 0..F-1 (run + 1 with probability q, back to 0
// otherwise); with Q its transient block, the expected time from 0 is the
// first row sum of the fundamental matrix (I - Q)^-1, solved with Eigen.
#pragma once

#include <cstdint>

namespace fluence::analysis {

// The probability that a tick's settled outcome is not "proven", with
// `arbiters` verdicts.
double tick_failure_probability(double forgotten_fraction, int chunks, int arbiters);

// Expected ticks until F consecutive failures, each tick failing with
// probability q (q > 0), by the absorbing chain; and the probability that it
// takes at most `ticks` ticks.
double expected_ticks_to_ejection(double q, int run_length);
double ejection_within(double q, int run_length, uint64_t ticks);
// E[min(T, limit)]: the mean a run that stops at `limit` ticks measures
// when it counts a member never ejected at the limit.
double expected_ticks_within(double q, int run_length, uint64_t limit);

}  // namespace fluence::analysis
