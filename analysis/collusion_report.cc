// The "colluding-cluster" report: does a cluster whose members all cover for
// each other stay sealed, and is it exactly when its corrupted arbiters make
// an arbiter quorum by themselves (model/adversary/collusion.h)?
//
// The model: honest arbiters stop signing once the chain has left their
// verdicts out for `inclusion_ticks` ticks, so the chain stays sealed iff
// the corrupted arbiters c reach the quorum q. Each arbiter is corrupted
// with probability m, so P(sealed to the end) = P[Binomial(A, m) >= q]. The
// first verdicts are of tick 1, so a chain that stops is last sealed in
// tick inclusion_ticks; its colluders never get a failed outcome on chain.
#include <cmath>

#include "analysis/capture_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"

namespace fluence::analysis {

Result<RunReport> report_collusion(const std::vector<RunResult>& runs) {
  FL_ASSERT(!runs.empty());
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(run.require({"arbiters", "corrupted_arbiters", "corrupted_arbiter_fraction", "arbiter_quorum",
                                    "inclusion_ticks", "sealed_tick", "sealed_to_end", "colluders_proven",
                                    "colluders_failed"}));
  }
  const RunResult& first = runs.front();
  auto value = [](const RunResult& run, const char* name) { return static_cast<uint64_t>(std::llround(*run.metric(name))); };
  uint64_t arbiters = value(first, "arbiters");
  uint64_t quorum = value(first, "arbiter_quorum");
  uint64_t inclusion = value(first, "inclusion_ticks");
  double fraction = *first.metric("corrupted_arbiter_fraction");
  uint64_t alive = 0, off_rule = 0, stopped = 0, stopped_at_bound = 0, failed = 0, proven_alive = 0;
  for (const RunResult& run : runs) {
    bool sealed = value(run, "sealed_to_end") != 0;
    bool quorum_held = value(run, "corrupted_arbiters") >= quorum;
    alive += sealed ? 1 : 0;
    off_rule += sealed != quorum_held ? 1 : 0;
    failed += value(run, "colluders_failed");
    if (sealed) {
      proven_alive += value(run, "colluders_proven");
    } else {
      ++stopped;
      stopped_at_bound += value(run, "sealed_tick") == inclusion ? 1 : 0;
    }
  }
  RunReport report;
  report.title = first.summary.value("scenario", std::string("colluding-cluster")) + " (" + std::to_string(runs.size()) +
                 (runs.size() == 1 ? " run, seed " + first.summary["seed"].dump() : " runs") + ", " +
                 std::to_string(arbiters) + " arbiters, each corrupted with p = " + format_fixed(fraction, 2) + ")";
  double model = binomial_tail(arbiters, fraction, quorum);
  Interval interval = wilson_interval(alive, runs.size());
  bool inside = runs.size() == 1 || (model >= interval.low && model <= interval.high);
  report.rows.push_back({"cheating chain sealed to the end (survives)",
                         format_fixed(static_cast<double>(alive) / static_cast<double>(runs.size()), 3) + " [99% CI " +
                             format_fixed(interval.low, 3) + ", " + format_fixed(interval.high, 3) + "], " +
                             std::to_string(alive) + " of " + std::to_string(runs.size()),
                         "P[Bin(" + std::to_string(arbiters) + ", " + format_fixed(fraction, 2) + ") >= " +
                             std::to_string(quorum) + "] = " + format_fixed(model, 3),
                         inside ? "ok" : "DISAGREES"});
  report.rows.push_back({"runs where survival differs from 'corrupted >= quorum'", std::to_string(off_rule), "0",
                         off_rule == 0 ? "ok" : "DISAGREES"});
  if (stopped > 0) {
    report.rows.push_back({"stopped chains last sealed in tick " + std::to_string(inclusion) + " (inclusion bound)",
                           std::to_string(stopped_at_bound) + " of " + std::to_string(stopped), "all",
                           stopped_at_bound == stopped ? "ok" : "DISAGREES"});
  }
  report.rows.push_back({"colluders' failed outcomes on chain", std::to_string(failed), "0 (honest verdicts kept out)",
                         failed == 0 ? "ok" : "DISAGREES"});
  if (alive > 0) {
    report.rows.push_back({"colluders' proven outcomes in surviving runs (paid for data they lost)",
                           std::to_string(proven_alive), "", ""});
  }
  return report;
}

}  // namespace fluence::analysis
