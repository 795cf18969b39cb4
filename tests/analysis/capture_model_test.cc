// The hypergeometric capture model against cases worked by hand.
#include "analysis/capture_model.h"

#include <gtest/gtest.h>

namespace fluence::analysis {
namespace {

TEST(CaptureModelTest, HypergeometricMatchesHandComputedCases) {
  // 2 of 5 marked, draw 2: P(both marked) = 1/10, P(none) = 3/10.
  EXPECT_NEAR(hypergeometric_pmf(5, 2, 2, 2), 0.1, 1e-12);
  EXPECT_NEAR(hypergeometric_pmf(5, 2, 2, 0), 0.3, 1e-12);
  EXPECT_NEAR(hypergeometric_tail(5, 2, 2, 1), 0.7, 1e-12);
  EXPECT_DOUBLE_EQ(hypergeometric_pmf(5, 2, 2, 3), 0.0) << "more than were drawn";
  double total = 0;
  for (uint64_t k = 0; k <= 7; ++k) total += hypergeometric_pmf(10000, 3000, 7, k);
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST(CaptureModelTest, BinomialTailMatchesHandComputedCases) {
  // 3 arbiters, each corrupted with p = 0.3; a quorum of 2: 3 p^2 (1 - p) + p^3.
  EXPECT_NEAR(binomial_tail(3, 0.3, 2), 3 * 0.09 * 0.7 + 0.027, 1e-12);
  EXPECT_NEAR(binomial_tail(7, 0.5, 4), 0.5, 1e-12) << "symmetric at p = 1/2 for odd n";
  EXPECT_DOUBLE_EQ(binomial_tail(7, 0.4, 0), 1.0);
  EXPECT_DOUBLE_EQ(binomial_tail(7, 0.0, 1), 0.0);
  EXPECT_DOUBLE_EQ(binomial_tail(7, 1.0, 7), 1.0);
  EXPECT_GT(binomial_tail(15, 0.4, 8), 0.0);
  EXPECT_LT(binomial_tail(15, 0.4, 8), binomial_tail(7, 0.4, 4)) << "more arbiters, rarer corrupted quorum below 1/2";
}

TEST(CaptureModelTest, OddsBehaveAtTheEdges) {
  CaptureOdds none = capture_odds(10000, 0, 7, 31);
  EXPECT_DOUBLE_EQ(none.stall, 0.0);
  EXPECT_DOUBLE_EQ(none.undetected, 0.0);
  CaptureOdds all = capture_odds(10000, 10000, 7, 31);
  EXPECT_NEAR(all.capture, 1.0, 1e-9);
  EXPECT_NEAR(all.undetected, 1.0, 1e-9);
  // More arbiters make an arbiter majority rarer for a minority attacker.
  EXPECT_GT(capture_odds(10000, 3000, 7, 7).arbiter_majority, capture_odds(10000, 3000, 7, 31).arbiter_majority);
  CaptureOdds third = capture_odds(10000, 3000, 7, 31);
  EXPECT_LE(third.undetected, third.capture);
  EXPECT_LE(third.capture, third.stall);
}

}  // namespace
}  // namespace fluence::analysis
