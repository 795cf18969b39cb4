// Reports: each measured outcome beside what the model predicts, with a
// verdict, as a terminal table and as Markdown.
#pragma once

#include <string>
#include <vector>

#include "analysis/results.h"

namespace fluence::analysis {

struct ReportRow {
  std::string quantity;
  std::string measured;
  std::string model;    // empty when no model speaks to it
  std::string verdict;  // "ok", "DISAGREES", or empty
};

struct RunReport {
  std::string title;
  std::vector<ReportRow> rows;
  bool disagrees() const;
};

// Builds the report for one run; fails if the summary lacks a field the
// scenario kind must have.
Result<RunReport> report_run(const RunResult& run);

// The model of a "lazy-member" run (ejection_model.h) from its summary.
struct LazyMemberModel {
  double q = 0;  // a tick's settled outcome fails
  int run_length = 3;
  double expected_ticks = 0;
  // E[min(T, ticks_limit)]: what a run that stops at its limit measures.
  double expected_ticks_within_limit = 0;
};
LazyMemberModel lazy_member_model(const RunResult& run);
// A "lazy-member" run whose lazy member fetches from an accomplice
// (`cluster.accomplice`; lazy_fetch_report.cc), and a sweep point's runs of
// it pooled.
Result<RunReport> report_lazy_fetch(const RunResult& run);
struct LazyFetchPoint {
  RunReport report;
  // The pooled share of the lazy member's ticks not proven, its 99%
  // interval, and the model's q.
  double share = 0, low = 0, high = 0, q = 0;
};
Result<LazyFetchPoint> report_lazy_fetch_point(const std::vector<RunResult>& runs);

// The "sybil-grinding" and "committee-capture" reports (sybil_report.cc,
// capture_report.cc).
Result<RunReport> report_sybil(const RunResult& run);
Result<RunReport> report_capture(const RunResult& run);
// The "colluding-cluster" report over one run or a sweep point's runs
// (collusion_report.cc).
Result<RunReport> report_collusion(const std::vector<RunResult>& runs);
// The "flaky-members" report over one run or a sweep point's runs
// (flaky_report.cc).
Result<RunReport> report_flaky(const std::vector<RunResult>& runs);
// The "denial-of-remove" report over one run or a sweep point's runs
// (denial_report.cc).
Result<RunReport> report_denial(const std::vector<RunResult>& runs);

// The "por-network" report (network_por_report.cc).
Result<RunReport> report_por_network(const RunResult& run);

// The recruits of cluster runs, summed over runs: the run watches each one
// for a tick after its member's ejection, so one ejected in the run's last
// tick is counted apart, not as a recruit that failed to rebuild. Summaries
// written before "recruits_checked" existed count every recruit as checked.
struct RecruitTally {
  double ejected = 0, checked = 0, recovered = 0;
  Status add(const RunResult& run);
  // "recruits rebuilt and joined": every checked recruit, against "all".
  ReportRow row() const;
};

// A number with a fixed count of decimals, as every report prints them.
std::string format_fixed(double value, int decimals);

std::string render_table(const RunReport& report);
std::string render_markdown(const std::vector<RunReport>& reports);

}  // namespace fluence::analysis
