// The lazy-member model: the absorbing chain against the closed form for
// runs of consecutive failures, and the tick failure probability.
#include "analysis/ejection_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fluence::analysis {
namespace {

TEST(EjectionModelTest, AbsorptionTimeMatchesTheClosedFormForRuns) {
  // Expected trials until F successes in a row: (1 - q^F) / ((1 - q) q^F).
  for (double q : {0.1, 0.5, 0.642, 0.9}) {
    for (int f : {1, 2, 3, 5}) {
      double closed = (1 - std::pow(q, f)) / ((1 - q) * std::pow(q, f));
      EXPECT_NEAR(expected_ticks_to_ejection(q, f), closed, 1e-9 * closed) << "q " << q << ", F " << f;
    }
  }
  EXPECT_DOUBLE_EQ(expected_ticks_to_ejection(1.0, 3), 3.0) << "every tick fails: exactly F ticks";
}

TEST(EjectionModelTest, DistributionIsACumulativeProbability) {
  EXPECT_DOUBLE_EQ(ejection_within(0.5, 3, 2), 0.0) << "three failures need three ticks";
  EXPECT_NEAR(ejection_within(0.5, 3, 3), 0.125, 1e-12);
  double previous = 0;
  for (uint64_t t = 1; t < 200; ++t) {
    double p = ejection_within(0.5, 3, t);
    EXPECT_GE(p, previous);
    previous = p;
  }
  EXPECT_GT(previous, 0.999);
}

TEST(EjectionModelTest, TickFailsUnlessMostOfTheQuorumPassed) {
  // Quorum 2: proven only if both passed.
  double pass = std::pow(0.95, 10);
  EXPECT_NEAR(tick_failure_probability(0.05, 10, 2), 1 - pass * pass, 1e-12);
  // Quorum 3: proven with 2 or 3 passes.
  double proven3 = pass * pass * pass + 3 * pass * pass * (1 - pass);
  EXPECT_NEAR(tick_failure_probability(0.05, 10, 3), 1 - proven3, 1e-12);
  EXPECT_DOUBLE_EQ(tick_failure_probability(0, 10, 2), 0.0) << "an honest member never fails";
}

}  // namespace
}  // namespace fluence::analysis
