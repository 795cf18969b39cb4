// The "denial-of-remove" report (analysis/denial_report.cc) on fabricated
// result sets: it agrees when runs follow the model and flags each way they
// can break it.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "analysis/capture_model.h"
#include "analysis/report.h"

namespace fluence::analysis {
namespace {

struct Fake {
  uint64_t dishonest = 0;
  bool after = false;      // decrypted after revocation
  uint64_t holders = 0;    // revoked-fragment holders
  bool stale = false;      // the deleted row came back
  bool before = true;
};

RunResult fake_run(const Fake& f, std::optional<double> p, int seed) {
  RunResult run;
  run.folder = "/tmp/dor-run";
  run.summary = {{"kind", "denial-of-remove"},   {"scenario", "dor"},
                 {"seed", seed},                 {"members", 7},
                 {"threshold", 3},               {"read_signatures", 3},
                 {"dishonest_listed", p ? 0 : 1}, {"dishonest", f.dishonest},
                 {"before_decrypted", f.before ? 1 : 0},
                 {"revoked_fragment_holders", f.holders},
                 {"after_decrypted", f.after ? 1 : 0},
                 {"after_verified_cfrags", std::min<uint64_t>(f.holders, 3)},
                 {"deleted_row_keepers", f.dishonest},
                 {"stale_row_returned", f.stale ? 1 : 0}};
  if (p) run.summary["dishonest_probability"] = *p;
  return run;
}

// 100 runs at p whose dishonest counts follow Binomial(7, p) as closely as
// whole runs can, each behaving as the protocol should.
std::vector<RunResult> honest_protocol_runs(double p) {
  std::vector<RunResult> runs;
  int seed = 0;
  for (uint64_t d = 0; d <= 7; ++d) {
    double share = binomial_tail(7, p, d) - (d < 7 ? binomial_tail(7, p, d + 1) : 0);
    int count = static_cast<int>(std::lround(share * 100));
    for (int i = 0; i < count; ++i) {
      runs.push_back(fake_run({d, d >= 3, d, d >= 3 && i % 2 == 0, true}, p, ++seed));
    }
  }
  return runs;
}

const ReportRow* row(const RunReport& report, const std::string& starts) {
  for (const ReportRow& r : report.rows) {
    if (r.quantity.rfind(starts, 0) == 0) return &r;
  }
  return nullptr;
}

TEST(DenialReportTest, AgreesWhenRunsFollowTheModel) {
  for (double p : {0.1, 0.3, 0.5}) {
    Result<RunReport> report = report_denial(honest_protocol_runs(p));
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    EXPECT_FALSE(report->disagrees()) << render_table(*report);
    const ReportRow* decrypts = row(*report, "receiver decrypts after revocation");
    ASSERT_NE(decrypts, nullptr);
    EXPECT_NE(decrypts->model.find("P[Bin(7, " + format_fixed(p, 2) + ") >= 3] = " +
                                   format_fixed(binomial_tail(7, p, 3), 3)),
              std::string::npos)
        << decrypts->model;
  }
}

TEST(DenialReportTest, FlagsARevocationThatDoesNotHold) {
  // Every run decrypts after revocation, whatever its dishonest count: the
  // rate leaves the model's interval and the per-run rule breaks.
  std::vector<RunResult> runs = honest_protocol_runs(0.1);
  for (RunResult& run : runs) run.summary["after_decrypted"] = 1;
  Result<RunReport> report = report_denial(runs);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(row(*report, "receiver decrypts after revocation")->verdict, "DISAGREES");
  EXPECT_EQ(row(*report, "runs where 'decrypted' differs")->verdict, "DISAGREES");
}

TEST(DenialReportTest, FlagsAStaleReadBelowKAndHoldersThatDidNotForget) {
  std::vector<RunResult> runs = honest_protocol_runs(0.3);
  runs.push_back(fake_run({2, false, 2, true, true}, 0.3, 1000));   // 2 keepers < k, yet stale
  runs.push_back(fake_run({1, false, 4, false, true}, 0.3, 1001));  // honest members kept it
  runs.push_back(fake_run({0, false, 0, false, false}, 0.3, 1002));  // no decryption before revocation
  Result<RunReport> report = report_denial(runs);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(row(*report, "stale reads accepted with fewer than k")->verdict, "DISAGREES");
  EXPECT_EQ(row(*report, "stale reads accepted with fewer than k")->measured, "1");
  EXPECT_EQ(row(*report, "runs where revoked-fragment holders differ")->verdict, "DISAGREES");
  EXPECT_EQ(row(*report, "receiver decrypted before revocation")->verdict, "DISAGREES");
  EXPECT_EQ(row(*report, "runs where 'decrypted' differs")->verdict, "DISAGREES");  // 4 holders, no decryption
}

TEST(DenialReportTest, ListedMembersUseTheExactIndicatorAndRunsDispatch) {
  Result<RunReport> below = report_run(fake_run({2, false, 2, false, true}, std::nullopt, 1));
  ASSERT_TRUE(below.is_ok()) << below.status().to_string();
  EXPECT_FALSE(below->disagrees()) << render_table(*below);
  EXPECT_EQ(row(*below, "receiver decrypts after revocation")->model, "d >= m in 0 of 1 runs");
  Result<RunReport> wrong = report_run(fake_run({2, true, 2, false, true}, std::nullopt, 1));
  ASSERT_TRUE(wrong.is_ok());
  EXPECT_EQ(row(*wrong, "receiver decrypts after revocation")->verdict, "DISAGREES");
  Result<RunReport> at_m = report_run(fake_run({3, true, 3, true, true}, std::nullopt, 1));
  ASSERT_TRUE(at_m.is_ok());
  EXPECT_FALSE(at_m->disagrees()) << render_table(*at_m);
}

TEST(DenialReportTest, AMissingFieldIsAnErrorNamingIt) {
  RunResult run = fake_run({2, false, 2, false, true}, 0.3, 1);
  run.summary.erase("revoked_fragment_holders");
  Result<RunReport> report = report_denial({run});
  ASSERT_FALSE(report.is_ok());
  EXPECT_NE(report.status().message().find("revoked_fragment_holders"), std::string::npos);
  RunResult no_p = fake_run({2, false, 2, false, true}, 0.3, 1);
  no_p.summary.erase("dishonest_probability");
  EXPECT_FALSE(report_denial({no_p}).is_ok());
}

}  // namespace
}  // namespace fluence::analysis
