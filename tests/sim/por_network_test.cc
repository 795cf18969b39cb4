// A network under hourly proofs of retrievability (scenarios/
// por-network-small.json: 2,000 nodes, 48 ticks): lazy replicas are caught at
// the binomial rate and ejected as the absorbing chain predicts, honest ones
// never fail, and the run is a function of (scenario, seed) whatever the
// signature scheme.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "analysis/kademlia_model.h"
#include "analysis/report.h"
#include "tests/sim/sim_process.h"

namespace fluence::sim {
namespace {

using testing::run_sim;

std::string scenario(const char* name) { return std::string(FLUENCE_SCENARIOS_DIR) + "/" + name; }

TEST(PorNetworkTest, LazyReplicasAreCaughtAtTheModelsRateAndHonestOnesNever) {
  testing::SimRun run = run_sim(scenario("por-network-small.json"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json& s = run.summary;
  EXPECT_EQ(s["nodes"], 2000);
  EXPECT_EQ(s["datasets"], 2000 / 7);
  EXPECT_EQ(s["replicas"], 7 * (2000 / 7));
  EXPECT_EQ(s["lazy_nodes"], 100);
  EXPECT_EQ(s["honest_failed"], 0);
  EXPECT_GT(s["honest_challenged"].get<uint64_t>(), 48u * 1800);
  uint64_t trials = s["lazy_challenged"], failed = s["lazy_failed"];
  ASSERT_GT(trials, 300u);
  double q = 1 - std::pow(1 - s["forgotten_entries"].get<double>() / s["entries"].get<double>(), s["chunks"].get<int>());
  analysis::Interval interval = analysis::wilson_interval(failed, trials);
  EXPECT_LE(interval.low, q);
  EXPECT_GE(interval.high, q);
  // Every lazy replica is ejected (P(T <= 48) = 1 - 2e-9 at q = 0.64), and
  // ejected ones are no longer challenged: fewer than 48 challenges each.
  size_t lazy_replicas = s["ticks_to_ejection"].size();
  EXPECT_EQ(s["lazy_ejected"], lazy_replicas);
  EXPECT_LT(trials, 48 * lazy_replicas);
  for (const auto& t : s["ticks_to_ejection"]) EXPECT_GE(t.get<int>(), 3) << "three failed ticks in a row at least";

  analysis::RunResult result{std::filesystem::path("por-network-small"), s};
  Result<analysis::RunReport> report = analysis::report_run(result);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_FALSE(report->disagrees()) << analysis::render_table(*report);
}

TEST(PorNetworkTest, SameSeedSameTraceAndBothSignatureSchemesAgreeOnPlacement) {
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() / ("por-network-tiny-" + std::to_string(getpid()) + ".json");
  auto write = [&](const char* signatures) {
    std::ofstream(file) << R"({"question": "q", "kind": "por-network", "nodes": 300, "signatures": ")" << signatures
                        << R"(", "por_network": {"ticks": 4, "lazy_fraction": 0.1, "forgotten_fraction": 0.2,
                              "tick_s": 60, "round_spread_s": 10}})";
  };
  write("cost-model");
  testing::SimRun first = run_sim(file.string()), again = run_sim(file.string()),
                  other_seed = run_sim(file.string(), "--seed 2");
  write("ed25519");
  testing::SimRun real = run_sim(file.string());
  fs::remove(file);
  for (const testing::SimRun* r : {&first, &again, &other_seed, &real}) {
    ASSERT_EQ(r->exit_code, 0) << r->output;
    EXPECT_EQ(r->summary["honest_failed"], 0);
  }
  EXPECT_EQ(first.summary["trace_hash"], again.summary["trace_hash"]);
  EXPECT_NE(first.summary["trace_hash"], other_seed.summary["trace_hash"]);
  // Keys and ids come from the seed alone, so placement and the lazy nodes
  // are the same; the salts differ (they are signatures), so outcomes may.
  EXPECT_EQ(first.summary["ticks_to_ejection"].size(), real.summary["ticks_to_ejection"].size());
  EXPECT_EQ(first.summary["lazy_nodes"], real.summary["lazy_nodes"]);
  EXPECT_EQ(first.summary["signatures"], "cost-model");
  EXPECT_EQ(real.summary["signatures"], "ed25519");
  EXPECT_GT(real.summary["lazy_failed"].get<int>(), 0);
}

}  // namespace
}  // namespace fluence::sim
