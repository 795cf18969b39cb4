// Sweep reports: points pooled across seeds with intervals, unfinished runs
// left out and counted.
#include "analysis/sweep_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace fluence::analysis {
namespace {

namespace fs = std::filesystem;

TEST(MeanIntervalTest, MatchesAHandComputedCase) {
  // 2, 4, 6: mean 4, s = 2, t(2) = 4.303, half width 4.303 * 2 / sqrt(3) = 4.969.
  MeanInterval m = mean_interval({2, 4, 6});
  EXPECT_DOUBLE_EQ(m.mean, 4);
  EXPECT_NEAR(m.high - m.mean, 4.969, 1e-3);
  EXPECT_NEAR(m.mean - m.low, 4.969, 1e-3);
  MeanInterval one = mean_interval({7});
  EXPECT_EQ(one.low, 7);
  EXPECT_EQ(one.high, 7);
}

TEST(SweepReportTest, PoolsEachPointAndFlagsDisagreement) {
  fs::path dir = fs::temp_directory_path() / ("fluence-sweep-report-" + std::to_string(getpid()));
  fs::remove_all(dir);
  nlohmann::json index = nlohmann::json::array();
  auto add = [&](const std::string& id, int point, int nodes, double hops, bool complete) {
    index.push_back({{"id", id}, {"point", point}, {"seed", 1}, {"parameters", {{"nodes", nodes}}}});
    fs::create_directories(dir / "runs" / id);
    nlohmann::json summary = {{"kind", "kademlia-lookup"}, {"scenario", "s"}, {"seed", 1}, {"nodes", nodes},
                              {"lookups", 100}, {"lookup_success_rate", 1.0}, {"hops_mean", hops},
                              {"messages_per_lookup", 30.0}, {"bucket_size", 20}};
    std::ofstream(dir / "runs" / id / "summary.json") << summary.dump();
    if (complete) std::ofstream(dir / "runs" / id / "complete");
  };
  add("p000-seed1", 0, 256, 2.0, true);
  add("p000-seed2", 0, 256, 2.2, true);
  add("p000-seed3", 0, 256, 9.0, false);  // not finished: ignored
  add("p001-seed1", 1, 256, 9.5, true);   // beyond log2 256 = 8 on every seed
  add("p001-seed2", 1, 256, 9.7, true);
  std::ofstream(dir / "sweep.json") << index.dump();

  ASSERT_TRUE(is_sweep(dir));
  Result<SweepReport> sweep = report_sweep(dir);
  ASSERT_TRUE(sweep.is_ok()) << sweep.status().to_string();
  const std::vector<RunReport>& reports = sweep->points;
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_NE(reports[0].title.find("2 runs, 1 unfinished"), std::string::npos) << reports[0].title;
  EXPECT_FALSE(reports[0].disagrees());
  EXPECT_TRUE(reports[1].disagrees()) << render_table(reports[1]);
  EXPECT_NE(render_table(reports[0]).find("2.10 [95% CI"), std::string::npos) << render_table(reports[0]);
  // One numeric parameter varies: a series for the plot, one entry per point.
  ASSERT_TRUE(sweep->series.has_value());
  EXPECT_EQ(sweep->series->x_label, "nodes");
  ASSERT_EQ(sweep->series->measured.size(), 2u);
  EXPECT_DOUBLE_EQ(sweep->series->measured[0][1], 2.1);
  EXPECT_EQ(sweep->series->model.size(), 2u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fluence::analysis
