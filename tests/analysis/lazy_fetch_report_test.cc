#include <gtest/gtest.h>

#include "analysis/report.h"

namespace fluence::analysis {
namespace {

// A lazy-fetch summary: f = 0.2, c = 10, so 1 - 0.8^10 = 0.893 of challenges touch.
RunResult lazy_fetch_run(double deadline_ms, nlohmann::json ticks_to_ejection, double failed_ticks, double proven_ticks) {
  RunResult run;
  run.folder = "/tmp/run";
  run.summary = {{"kind", "lazy-member"}, {"scenario", "lazy-fetch-test"}, {"seed", 1},
                 {"forgotten_fraction", 0.2}, {"chunks", 10}, {"arbiters", 3}, {"eject_after_failed_ticks", 2}, {"eject_after_offline_ticks", 2},
                 {"ticks_limit", 12}, {"ejected", ticks_to_ejection.is_number() ? 1 : 0},
                 {"recovered", ticks_to_ejection.is_number() ? 1 : 0}, {"honest_failed_outcomes", 0},
                 {"honest_ejected", 0}, {"ticks_to_ejection", nlohmann::json::array({ticks_to_ejection})},
                 {"accomplice", 0}, {"max_response_ms", deadline_ms}, {"challenge_rtt_ms", 204}, {"fetch_rtt_ms", 204},
                 {"lazy_challenges", 36}, {"lazy_challenges_touched", 32}, {"lazy_fetches_answered", 32},
                 {"lazy_proven_ticks", proven_ticks}, {"lazy_failed_ticks", failed_ticks}, {"trace_hash", "abcdef"}};
  return run;
}

TEST(LazyFetchReportTest, ATightDeadlineCatchesTheFetch) {
  Result<RunReport> report = report_run(lazy_fetch_run(300, 2, 2, 0));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_FALSE(report->disagrees()) << render_table(*report);
  EXPECT_NE(render_table(*report).find("late, caught"), std::string::npos);
}

TEST(LazyFetchReportTest, ALooseDeadlineLetsItPassForever) {
  Result<RunReport> report = report_run(lazy_fetch_run(1000, nullptr, 0, 12));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_FALSE(report->disagrees()) << render_table(*report);
  EXPECT_NE(render_table(*report).find("in time, not caught"), std::string::npos);
}

TEST(LazyFetchReportTest, DisagreementsAreFlagged) {
  // In time by the model, yet replaced: the run contradicts it.
  Result<RunReport> ejected = report_run(lazy_fetch_run(1000, 3, 2, 1));
  ASSERT_TRUE(ejected.is_ok());
  EXPECT_TRUE(ejected->disagrees());
  // Far fewer touched challenges than 1 - (1 - f)^c predicts.
  RunResult few = lazy_fetch_run(300, 2, 2, 0);
  few.summary["lazy_challenges_touched"] = 5;
  few.summary["lazy_fetches_answered"] = 5;
  Result<RunReport> report = report_run(few);
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->disagrees());
  // Caught at 300 ms, yet never a failed tick in 12.
  Result<RunReport> lucky = report_run(lazy_fetch_run(300, nullptr, 0, 12));
  ASSERT_TRUE(lucky.is_ok());
  EXPECT_TRUE(lucky->disagrees());
}

TEST(LazyFetchReportTest, ASweepPointPoolsItsSeeds) {
  // Caught at 300 ms: q = P(Bin(3, 0.8^10) <= 1) = 0.968, two offline ticks eject.
  std::vector<RunResult> runs = {lazy_fetch_run(300, 2, 2, 0), lazy_fetch_run(300, 2, 2, 0), lazy_fetch_run(300, 3, 2, 1)};
  Result<LazyFetchPoint> point = report_lazy_fetch_point(runs);
  ASSERT_TRUE(point.is_ok()) << point.status().to_string();
  EXPECT_FALSE(point->report.disagrees()) << render_table(point->report);
  EXPECT_NEAR(point->share, 6.0 / 7, 1e-12);
  EXPECT_NEAR(point->q, 0.968, 1e-3);
  EXPECT_LT(point->low, point->q);
  EXPECT_GT(point->high, point->q);
  // Proven far more often than q allows.
  runs.push_back(lazy_fetch_run(300, nullptr, 1, 11));
  runs.push_back(lazy_fetch_run(300, nullptr, 1, 11));
  point = report_lazy_fetch_point(runs);
  ASSERT_TRUE(point.is_ok());
  EXPECT_TRUE(point->report.disagrees()) << render_table(point->report);
  // Below one round trip every tick is offline: ejected after exactly F = 2.
  Result<LazyFetchPoint> late = report_lazy_fetch_point({lazy_fetch_run(150, 2, 2, 0), lazy_fetch_run(150, 2, 2, 0)});
  ASSERT_TRUE(late.is_ok());
  EXPECT_FALSE(late->report.disagrees()) << render_table(late->report);
  EXPECT_EQ(late->q, 1);
  late = report_lazy_fetch_point({lazy_fetch_run(150, 2, 2, 0), lazy_fetch_run(150, 3, 2, 1)});
  ASSERT_TRUE(late.is_ok());
  EXPECT_TRUE(late->report.disagrees()) << "a proven tick where none can be";
  // In time, no tick may fail and nobody may be replaced.
  Result<LazyFetchPoint> loose =
      report_lazy_fetch_point({lazy_fetch_run(1000, nullptr, 0, 12), lazy_fetch_run(1000, nullptr, 0, 12)});
  ASSERT_TRUE(loose.is_ok());
  EXPECT_FALSE(loose->report.disagrees()) << render_table(loose->report);
  EXPECT_EQ(loose->q, 0);
  loose = report_lazy_fetch_point({lazy_fetch_run(1000, nullptr, 0, 12), lazy_fetch_run(1000, nullptr, 1, 11)});
  ASSERT_TRUE(loose.is_ok());
  EXPECT_TRUE(loose->report.disagrees());
}

TEST(LazyFetchReportTest, ARecruitTheRunEndedBeforeCheckingIsNotAFailure) {
  // Ejected in the last tick: the run ended before its recruit had a tick.
  RunResult late = lazy_fetch_run(300, 12, 2, 10);
  late.summary["recovered"] = 0;
  late.summary["recruits_checked"] = 0;
  Result<RunReport> report = report_run(late);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  std::string table = render_table(*report);
  EXPECT_NE(table.find("0 of 0 (1 ejected in the run's last tick, not checked)"), std::string::npos) << table;
  // Checked and not rebuilt is a failure.
  late.summary["recruits_checked"] = 1;
  report = report_run(late);
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->disagrees()) << render_table(*report);
  // A summary from before "recruits_checked" counts every recruit as checked.
  late.summary.erase("recruits_checked");
  report = report_run(late);
  ASSERT_TRUE(report.is_ok());
  EXPECT_TRUE(report->disagrees());
}

TEST(LazyFetchReportTest, TooFewEjectionsByTheLimitDisagree) {
  // q = 0.968 and two offline ticks in a row eject: P(T <= 12) is almost 1,
  // so 2 of 8 members ejected is far outside the interval, though every
  // run's tick counts are plausible on their own.
  std::vector<RunResult> runs;
  for (int i = 0; i < 6; ++i) runs.push_back(lazy_fetch_run(300, nullptr, 11, 1));
  runs.push_back(lazy_fetch_run(300, 2, 2, 0));
  runs.push_back(lazy_fetch_run(300, 2, 2, 0));
  Result<LazyFetchPoint> point = report_lazy_fetch_point(runs);
  ASSERT_TRUE(point.is_ok()) << point.status().to_string();
  std::string table = render_table(point->report);
  size_t row = table.find("lazy members ejected within 12 ticks");
  ASSERT_NE(row, std::string::npos) << table;
  std::string line = table.substr(row, table.find('\n', row) - row);
  EXPECT_NE(line.find("DISAGREES"), std::string::npos) << table;
}

TEST(LazyFetchReportTest, MissingFieldIsNamed) {
  RunResult run = lazy_fetch_run(300, 2, 2, 0);
  run.summary.erase("fetch_rtt_ms");
  Result<RunReport> report = report_run(run);
  ASSERT_FALSE(report.is_ok());
  EXPECT_NE(report.status().message().find("fetch_rtt_ms"), std::string::npos);
}

}  // namespace
}  // namespace fluence::analysis
