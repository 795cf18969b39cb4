#include "analysis/report.h"

#include <gtest/gtest.h>

#include "analysis/kademlia_model.h"

namespace fluence::analysis {
namespace {

TEST(WilsonIntervalTest, MatchesAHandComputedCase) {
  // 95 of 100 at z = 1.96: the textbook Wilson interval is [0.8882, 0.9785].
  Interval i = wilson_interval(95, 100, 1.96);
  EXPECT_NEAR(i.low, 0.8882, 5e-4);
  EXPECT_NEAR(i.high, 0.9785, 5e-4);
  Interval all = wilson_interval(1000, 1000);
  EXPECT_DOUBLE_EQ(all.high, 1.0);
  EXPECT_LT(all.low, 1.0);
  EXPECT_GT(all.low, 0.99);
}

TEST(HopPredictionTest, GrowsWithLogN) {
  EXPECT_NEAR(predict_hops(1024, 20).log2_n, 10.0, 1e-9);
  EXPECT_NEAR(predict_hops(1 << 16, 16).estimate, 4.0, 1e-9);  // 16 bits at 4 bits per hop
  EXPECT_DOUBLE_EQ(predict_hops(4, 20).estimate, 1.0);
}

RunResult kademlia_run(double success, double hops_mean) {
  RunResult run;
  run.folder = "/tmp/run";
  run.summary = {{"kind", "kademlia-lookup"}, {"scenario", "test"}, {"seed", 1},
                 {"nodes", 1000}, {"lookups", 2000}, {"lookup_success_rate", success},
                 {"hops_mean", hops_mean}, {"hops_p99", 5}, {"messages_per_lookup", 40.0},
                 {"trace_hash", "abcdef"}};
  return run;
}

TEST(ReportTest, AgreesWhenMeasurementsFitTheModel) {
  Result<RunReport> report = report_run(kademlia_run(0.999, 3.1));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_FALSE(report->disagrees());
  EXPECT_NE(render_table(*report).find("lookup success rate"), std::string::npos);
  EXPECT_NE(render_markdown({*report}).find("| hops (mean) | 3.10 |"), std::string::npos);
}

TEST(ReportTest, FlagsALowSuccessRateAndTooManyHops) {
  Result<RunReport> low = report_run(kademlia_run(0.95, 3.1));
  ASSERT_TRUE(low.is_ok());
  EXPECT_TRUE(low->disagrees());
  Result<RunReport> deep = report_run(kademlia_run(1.0, 12.0));  // log2(1000) ~ 9.97
  ASSERT_TRUE(deep.is_ok());
  EXPECT_TRUE(deep->disagrees());
}

TEST(ReportTest, MissingFieldIsNamed) {
  RunResult run = kademlia_run(1.0, 3.0);
  run.summary.erase("hops_p99");
  Result<RunReport> report = report_run(run);
  ASSERT_FALSE(report.is_ok());
  EXPECT_NE(report.status().message().find("hops_p99"), std::string::npos);
}

TEST(ReportTest, UnknownKindIsAnError) {
  RunResult run = kademlia_run(1.0, 3.0);
  run.summary["kind"] = "mystery";
  EXPECT_FALSE(report_run(run).is_ok());
}

RunResult colluding_run(int corrupted, bool sealed_to_end, int sealed_tick) {
  RunResult run;
  run.folder = "/tmp/run";
  run.summary = {{"kind", "colluding-cluster"}, {"scenario", "test"}, {"seed", 1}, {"arbiters", 7},
                 {"corrupted_arbiters", corrupted}, {"corrupted_arbiter_fraction", 0.4}, {"arbiter_quorum", 4},
                 {"inclusion_ticks", 2}, {"sealed_tick", sealed_tick}, {"sealed_to_end", sealed_to_end ? 1 : 0},
                 {"colluders_proven", sealed_to_end ? 42 : 0}, {"colluders_failed", 0}};
  return run;
}

TEST(ReportTest, ACollusionRunMustFollowTheQuorumRule) {
  Result<RunReport> stopped = report_run(colluding_run(3, false, 2));
  ASSERT_TRUE(stopped.is_ok()) << stopped.status().to_string();
  EXPECT_FALSE(stopped->disagrees());
  Result<RunReport> survived = report_run(colluding_run(4, true, 6));
  ASSERT_TRUE(survived.is_ok());
  EXPECT_FALSE(survived->disagrees());
  // Sealed to the end without a corrupted quorum, or stopped late: the
  // mechanism did not work as the model says.
  EXPECT_TRUE(report_run(colluding_run(3, true, 6))->disagrees());
  EXPECT_TRUE(report_run(colluding_run(2, false, 4))->disagrees());
  // Pooled: 20 runs all stopped, where the binomial model says 29% survive.
  std::vector<RunResult> runs(20, colluding_run(2, false, 2));
  Result<RunReport> pooled = report_collusion(runs);
  ASSERT_TRUE(pooled.is_ok());
  EXPECT_TRUE(pooled->disagrees()) << "0 of 20 is outside the interval around 0.29";
}

// 15 arbiters (quorum 8) for 7 members (f = 2): certified iff at most 7 are
// corrupted, running again iff at most 2 recruits are.
RunResult replacing_run(int corrupted, bool captured, int corrupted_recruits, bool replaced) {
  RunResult run = colluding_run(corrupted, corrupted >= 8, corrupted >= 8 ? 8 : 2);
  run.summary.update({{"arbiters", 15}, {"arbiter_quorum", 8}, {"members", 7}, {"replaceable", 1},
                      {"captured", captured ? 1 : 0}, {"corrupted_recruits", corrupted_recruits},
                      {"recruits_joined", 7 - corrupted_recruits}, {"replaced", replaced ? 1 : 0},
                      {"replaced_tick", replaced ? nlohmann::json(3) : nlohmann::json(nullptr)}});
  return run;
}

TEST(ReportTest, AReplacementMustFollowTheCertificateAndRecruitRules) {
  Result<RunReport> replaced = report_run(replacing_run(4, true, 1, true));
  ASSERT_TRUE(replaced.is_ok()) << replaced.status().to_string();
  EXPECT_FALSE(replaced->disagrees()) << render_table(*replaced);
  EXPECT_NE(render_table(*replaced).find("certified by the honest arbiters"), std::string::npos);
  EXPECT_FALSE(report_run(replacing_run(6, true, 3, false))->disagrees()) << "three corrupted recruits stall it";
  EXPECT_FALSE(report_run(replacing_run(9, false, 0, false))->disagrees()) << "a corrupted quorum: no certificate";
  EXPECT_TRUE(report_run(replacing_run(4, false, 0, false))->disagrees()) << "honest quorum, yet not certified";
  EXPECT_TRUE(report_run(replacing_run(6, true, 3, true))->disagrees()) << "running with more than f absent";
  EXPECT_TRUE(report_run(replacing_run(4, true, 1, false))->disagrees()) << "stalled with at most f absent";
  // A summary from before replacement has no such rows, and still reports.
  Result<RunReport> older = report_run(colluding_run(3, false, 2));
  ASSERT_TRUE(older.is_ok());
  EXPECT_EQ(render_table(*older).find("certified"), std::string::npos);
}

// 3 of 7 banned for good at tick 2: the cluster halts; 11 arbiters replace
// it by tick 2 + halt_ticks + 1 = 5 if they outnumber it.
RunResult halted_run(bool replaced, int replaced_tick, int arbiters) {
  RunResult run;
  run.folder = "/tmp/run";
  run.summary = {{"kind", "region-ban"}, {"scenario", "test"}, {"seed", 1}, {"members", 7}, {"banned_members", 3},
                 {"eject_after_offline_ticks", 3}, {"ticks_limit", 12}, {"ejected", 0}, {"recovered", 0},
                 {"honest_failed_outcomes", 0}, {"honest_ejected", 0},
                 {"ticks_to_ejection", nlohmann::json::array({nullptr, nullptr, nullptr})},
                 {"writes", nlohmann::json::parse(R"({"before": {"tried": 10, "committed": 10}, "during": {"tried": 50, "committed": 0}, "after": {"tried": 0, "committed": 0}})")},
                 {"replaceable", arbiters > 7 ? 1 : 0}, {"captured", replaced ? 1 : 0}, {"replaced", replaced ? 1 : 0},
                 {"replaced_tick", replaced ? nlohmann::json(replaced_tick) : nlohmann::json(nullptr)},
                 {"recruits_joined", replaced ? 7 : 0}, {"halt_ticks", 2}, {"ban_tick", 2}, {"trace_hash", "ab"}};
  return run;
}

TEST(ReportTest, AHaltedClusterIsReplacedByTheCertificateInTime) {
  Result<RunReport> in_time = report_run(halted_run(true, 4, 11));
  ASSERT_TRUE(in_time.is_ok()) << in_time.status().to_string();
  EXPECT_FALSE(in_time->disagrees()) << render_table(*in_time);
  EXPECT_TRUE(report_run(halted_run(true, 7, 11))->disagrees()) << "later than the halt bound";
  EXPECT_TRUE(report_run(halted_run(false, 0, 11))->disagrees()) << "never replaced, though the arbiters outnumber it";
  EXPECT_FALSE(report_run(halted_run(false, 0, 4))->disagrees()) << "4 arbiters cannot replace 7 members";
  EXPECT_TRUE(report_run(halted_run(true, 4, 4))->disagrees());
  // A summary missing a window of writes is an error naming it, not a crash.
  RunResult cut = halted_run(true, 4, 11);
  cut.summary["writes"].erase("after");
  Result<RunReport> bad = report_run(cut);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("writes.after"), std::string::npos);
}

}  // namespace
}  // namespace fluence::analysis
