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

TEST(EjectionModelTest, TickFailsUnlessMostArbitersPassed) {
  // 2 arbiters: proven only if both passed.
  double pass = std::pow(0.95, 10);
  EXPECT_NEAR(tick_failure_probability(0.05, 10, 2), 1 - pass * pass, 1e-12);
  // 3 arbiters: proven with 2 or 3 passes.
  double proven3 = pass * pass * pass + 3 * pass * pass * (1 - pass);
  EXPECT_NEAR(tick_failure_probability(0.05, 10, 3), 1 - proven3, 1e-12);
  // 5 arbiters: proven with 3 or more.
  double proven5 = 0;
  for (int k = 3; k <= 5; ++k) {
    double ways = k == 3 ? 10 : k == 4 ? 5 : 1;
    proven5 += ways * std::pow(pass, k) * std::pow(1 - pass, 5 - k);
  }
  EXPECT_NEAR(tick_failure_probability(0.05, 10, 5), 1 - proven5, 1e-12);
  EXPECT_DOUBLE_EQ(tick_failure_probability(0, 10, 2), 0.0) << "an honest member never fails";
}

TEST(EjectionModelTest, TheMeanWithinALimitCountsSurvivorsAtTheLimit) {
  // Far beyond the mean, the limit changes nothing.
  EXPECT_NEAR(expected_ticks_within(0.7, 3, 2000), expected_ticks_to_ejection(0.7, 3), 1e-9);
  // Every tick fails: T = 3, so min(T, 2) = 2.
  EXPECT_DOUBLE_EQ(expected_ticks_within(1.0, 3, 2), 2.0);
  EXPECT_DOUBLE_EQ(expected_ticks_within(1.0, 3, 10), 3.0);
  // E[min(T, L)] = sum over t < L of P(T > t).
  double sum = 0;
  for (uint64_t t = 0; t < 50; ++t) sum += 1 - ejection_within(0.3, 3, t);
  EXPECT_NEAR(expected_ticks_within(0.3, 3, 50), sum, 1e-9);
  EXPECT_LT(expected_ticks_within(0.3, 3, 50), expected_ticks_to_ejection(0.3, 3));
}

}  // namespace
}  // namespace fluence::analysis
