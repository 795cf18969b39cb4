// The detection law, in simulation: for several (f, c), a replica
// that silently deleted a fraction f of its entries is challenged 1,000 times
// through the real protocol, and the measured detection rate's 99% interval
// must contain 1 - (1 - f)^c. Honest replicas must never fail.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "analysis/kademlia_model.h"

namespace {

TEST(PorDetectionTest, DetectionRateMatchesTheBinomialLaw) {
  std::filesystem::path out = std::filesystem::temp_directory_path() / ("por-detection-" + std::to_string(getpid()));
  std::string command = std::string(FLUENCE_SIM_BINARY) + " " + FLUENCE_SCENARIOS_DIR +
                        "/por-detection.json --quiet --out " + out.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  nlohmann::json summary;
  std::ifstream(out / "summary.json") >> summary;
  std::filesystem::remove_all(out);
  ASSERT_GE(summary["cases"].size(), 3u);
  for (const auto& c : summary["cases"]) {
    uint64_t rounds = c["rounds"], detected = c["detected"];
    ASSERT_GE(rounds, 1000u);
    double f = c["forgotten_entries"].get<double>() / c["entries"].get<double>();
    double predicted = 1 - std::pow(1 - f, c["chunks"].get<int>());
    fluence::analysis::Interval interval = fluence::analysis::wilson_interval(detected, rounds);
    EXPECT_GE(predicted, interval.low) << c.dump();
    EXPECT_LE(predicted, interval.high) << c.dump();
    EXPECT_EQ(c["honest_failures"], 0) << c.dump();
  }
}

}  // namespace
