// The "committee-capture" report: sampled capture rates against the
// hypergeometric model (capture_model.h), each with a 99% Wilson interval.
#include "analysis/capture_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"

namespace fluence::analysis {

Result<RunReport> report_capture(const RunResult& run) {
  FL_RETURN_IF_ERROR(run.require({"network_nodes", "malicious_nodes", "malicious_fraction", "cluster_size", "arbiters",
                                  "datasets", "clusters_stalled", "clusters_captured", "arbiter_majorities",
                                  "undetected_captures"}));
  auto count = [&](const char* name) { return static_cast<uint64_t>(*run.metric(name)); };
  RunReport report;
  report.title = run.summary.value("scenario", std::string("committee-capture")) + " (seed " + run.summary["seed"].dump() +
                 ", " + format_fixed(100 * *run.metric("malicious_fraction"), 0) + "% malicious, " +
                 std::to_string(count("arbiters")) + " arbiters)";
  CaptureOdds odds = capture_odds(count("network_nodes"), count("malicious_nodes"), count("cluster_size"), count("arbiters"));
  uint64_t datasets = count("datasets");
  uint64_t f = (count("cluster_size") - 1) / 3;
  auto row = [&](const std::string& what, uint64_t hits, double model) {
    Interval interval = wilson_interval(hits, datasets);
    bool inside = model >= interval.low && model <= interval.high;
    report.rows.push_back({what,
                           format_fixed(static_cast<double>(hits) / static_cast<double>(datasets), 4) + " [99% CI " +
                               format_fixed(interval.low, 4) + ", " + format_fixed(interval.high, 4) + "]",
                           format_fixed(model, 4), inside ? "ok" : "DISAGREES"});
  };
  row("clusters with >= f + 1 = " + std::to_string(f + 1) + " malicious (stalled)", count("clusters_stalled"), odds.stall);
  row("clusters with >= 2f + 1 = " + std::to_string(2 * f + 1) + " malicious (captured)", count("clusters_captured"),
      odds.capture);
  row("arbiter committees with a malicious quorum", count("arbiter_majorities"), odds.arbiter_majority);
  row("captured and unchecked (both)", count("undetected_captures"), odds.undetected);
  report.rows.push_back({"datasets sampled", std::to_string(datasets), "", ""});
  return report;
}

}  // namespace fluence::analysis
