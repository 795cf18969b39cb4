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
//
// Replacement (model/cluster/capture.h), when there are more arbiters A than
// members n: the honest arbiters certify the cluster captured iff they make a
// quorum, A - c >= q; the certificate recruits n arbiters ranked by hash,
// blind to corruption, so the corrupted recruits x (who never join) are
// Hypergeometric(A, c, n). The new cluster seals blocks iff at most f of them
// are and the honest arbiters left over, A - n - (c - x), make the majority
// quorum q' of the A - n left (the corrupted ones stay with the captors and
// sign nothing new). Over runs: P(certified) = P[Bin(A, 1 - m) >= q], and
//   P(running again) = sum over c, x of P[Bin(A, m) = c] 1[A - c >= q]
//                      P[Hyp(A, c, n) = x] 1[x <= f] 1[A - n - c + x >= q'].
#include <algorithm>
#include <cmath>

#include "analysis/capture_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"

namespace fluence::analysis {

namespace {

uint64_t value(const RunResult& run, const char* name) { return static_cast<uint64_t>(std::llround(*run.metric(name))); }

std::string share_with_interval(uint64_t hits, uint64_t runs) {
  Interval interval = wilson_interval(hits, runs);
  return format_fixed(static_cast<double>(hits) / static_cast<double>(runs), 3) + " [99% CI " + format_fixed(interval.low, 3) +
         ", " + format_fixed(interval.high, 3) + "], " + std::to_string(hits) + " of " + std::to_string(runs);
}

bool agrees(double model, uint64_t hits, uint64_t runs) {
  Interval interval = wilson_interval(hits, runs);
  return runs == 1 || (model >= interval.low - 1e-12 && model <= interval.high + 1e-12);
}

// The replacement rows, for runs that measured it ("captured" in the summary).
Status add_replacement_rows(const std::vector<RunResult>& runs, RunReport& report) {
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(run.require({"members", "replaceable", "captured", "corrupted_recruits", "recruits_joined", "replaced"}));
  }
  const RunResult& first = runs.front();
  uint64_t arbiters = value(first, "arbiters"), members = value(first, "members"), quorum = value(first, "arbiter_quorum");
  uint64_t faults = (members - 1) / 3;
  // The arbiters left after the recruits, and their majority quorum.
  uint64_t left = arbiters > members ? arbiters - members : 0;
  uint64_t left_quorum = left / 2 + 1;
  auto runs_again = [&](uint64_t corrupted, uint64_t corrupted_recruits) {
    return corrupted_recruits <= faults && left + corrupted_recruits >= corrupted + left_quorum;
  };
  double m = *first.metric("corrupted_arbiter_fraction");
  bool replaceable = value(first, "replaceable") != 0;
  uint64_t certified = 0, certified_off_rule = 0, running = 0, running_off_rule = 0;
  std::vector<double> ticks;
  for (const RunResult& run : runs) {
    uint64_t corrupted = value(run, "corrupted_arbiters");
    bool is_certified = value(run, "captured") != 0, is_running = value(run, "replaced") != 0;
    certified += is_certified ? 1 : 0;
    running += is_running ? 1 : 0;
    certified_off_rule += is_certified != (replaceable && arbiters - corrupted >= quorum) ? 1 : 0;
    if (is_certified) running_off_rule += is_running != runs_again(corrupted, value(run, "corrupted_recruits")) ? 1 : 0;
    Result<double> replaced_tick = run.metric("replaced_tick"), sealed_tick = run.metric("sealed_tick");
    if (is_running && replaced_tick && sealed_tick) ticks.push_back(*replaced_tick - *sealed_tick);
  }
  double p_certified = replaceable ? binomial_tail(arbiters, 1 - m, quorum) : 0;
  double p_running = 0;
  if (replaceable) {
    for (uint64_t c = 0; c + quorum <= arbiters; ++c) {
      double p_c = binomial_tail(arbiters, m, c) - binomial_tail(arbiters, m, c + 1);
      for (uint64_t x = 0; x <= std::min(c, members); ++x) {
        if (runs_again(c, x)) p_running += p_c * hypergeometric_pmf(arbiters, c, members, x);
      }
    }
  }
  size_t n = runs.size();
  report.rows.push_back({"captured chains certified by the honest arbiters (outside the chain)", share_with_interval(certified, n),
                         replaceable ? "P[Bin(" + std::to_string(arbiters) + ", " + format_fixed(1 - m, 2) + ") >= " +
                                           std::to_string(quorum) + "] = " + format_fixed(p_certified, 3)
                                     : "0 (no more arbiters than members)",
                         agrees(p_certified, certified, n) ? "ok" : "DISAGREES"});
  report.rows.push_back({"runs where certification differs from 'honest >= quorum'", std::to_string(certified_off_rule), "0",
                         certified_off_rule == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"replaced clusters sealing blocks again (recruits rebuilt the data)", share_with_interval(running, n),
                         replaceable ? "P[honest >= " + std::to_string(quorum) + ", corrupted recruits <= " +
                                           std::to_string(faults) + ", honest left >= " + std::to_string(left_quorum) +
                                           " of " + std::to_string(left) + "] = " + format_fixed(p_running, 3)
                                     : "0 (no more arbiters than members)",
                         agrees(p_running, running, n) ? "ok" : "DISAGREES"});
  if (certified > 0) {
    report.rows.push_back({"certified runs where running again differs from 'corrupted recruits <= f, honest left >= quorum'",
                           std::to_string(running_off_rule) + " of " + std::to_string(certified), "0",
                           running_off_rule == 0 ? "ok" : "DISAGREES"});
  }
  if (!ticks.empty()) {
    double sum = 0;
    for (double t : ticks) sum += t;
    report.rows.push_back({"ticks from the last sealed tick to the new chain's first seal (mean)",
                           format_fixed(sum / static_cast<double>(ticks.size()), 2) + " over " + std::to_string(ticks.size()) + " runs",
                           "", ""});
  }
  return Status::ok();
}

}  // namespace

Result<RunReport> report_collusion(const std::vector<RunResult>& runs) {
  FL_ASSERT(!runs.empty());
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(run.require({"arbiters", "corrupted_arbiters", "corrupted_arbiter_fraction", "arbiter_quorum",
                                    "inclusion_ticks", "sealed_tick", "sealed_to_end", "colluders_proven",
                                    "colluders_failed"}));
  }
  const RunResult& first = runs.front();
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
  report.rows.push_back({"cheating chain sealed to the end (survives)", share_with_interval(alive, runs.size()),
                         "P[Bin(" + std::to_string(arbiters) + ", " + format_fixed(fraction, 2) + ") >= " +
                             std::to_string(quorum) + "] = " + format_fixed(model, 3),
                         agrees(model, alive, runs.size()) ? "ok" : "DISAGREES"});
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
  if (first.summary.contains("captured")) FL_RETURN_IF_ERROR(add_replacement_rows(runs, report));
  return report;
}

}  // namespace fluence::analysis
