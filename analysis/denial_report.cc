// The "denial-of-remove" report (white paper, "Denial of Remove";
// sim/share_run.h): does a revoked share stay revoked, and a deleted row
// stay deleted, against members that keep what they were told to forget?
//
// The models:
//   - Each of n members keeps its revoked fragment with probability p,
//     independently, and the receiver counts one verified CapsuleFrag per
//     holder, needing m (model/cluster/reencrypt.h). So it still decrypts
//     after revocation iff d >= m members kept theirs, and
//       P[decrypts after revocation] = P[Binomial(n, p) >= m].
//     With a listed set of dishonest members the model is that indicator.
//   - A read needing k signatures accepts a value only once k distinct
//     members signed it (model/cluster/read.h), so it returns a deleted row
//     only if at least k members keep it: never with fewer than k keepers.
//     With k or more keepers the honest answer may still arrive first, so
//     the report counts those runs without predicting them.
//   - Honest members forget at revocation, so the members still holding
//     the revoked fragment are exactly the dishonest ones.
#include <cmath>

#include "analysis/capture_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"
#include "analysis/sweep_report.h"

namespace fluence::analysis {

Result<RunReport> report_denial(const std::vector<RunResult>& runs) {
  FL_ASSERT(!runs.empty());
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(run.require({"members", "threshold", "read_signatures", "dishonest_listed", "dishonest",
                                    "before_decrypted", "revoked_fragment_holders", "after_decrypted",
                                    "after_verified_cfrags", "deleted_row_keepers", "stale_row_returned"}));
  }
  auto value = [](const RunResult& run, const char* name) { return static_cast<uint64_t>(std::llround(*run.metric(name))); };
  const RunResult& first = runs.front();
  const uint64_t n = value(first, "members");
  const uint64_t m = value(first, "threshold");
  const uint64_t k = value(first, "read_signatures");
  const bool listed = value(first, "dishonest_listed") != 0;
  Result<double> p = first.metric("dishonest_probability");
  if (!listed && !p) return p.status();
  uint64_t decrypted = 0, predicted = 0, off_rule = 0, holders_off = 0, before = 0;
  uint64_t stale = 0, stale_below_k = 0, runs_at_k = 0;
  std::vector<double> dishonest;
  for (const RunResult& run : runs) {
    if (value(run, "members") != n || value(run, "threshold") != m || value(run, "read_signatures") != k) {
      return Status::error(ErrorCode::kInvalidArgument,
                           (run.folder / "summary.json").string() + ": members, threshold or read_signatures differ");
    }
    const uint64_t d = value(run, "dishonest");
    const uint64_t holders = value(run, "revoked_fragment_holders");
    const bool after = value(run, "after_decrypted") != 0;
    dishonest.push_back(static_cast<double>(d));
    decrypted += after ? 1 : 0;
    predicted += d >= m ? 1 : 0;
    off_rule += after != (holders >= m) ? 1 : 0;
    holders_off += holders != d ? 1 : 0;
    before += value(run, "before_decrypted");
    const uint64_t keepers = value(run, "deleted_row_keepers");
    const bool stale_returned = value(run, "stale_row_returned") != 0;
    stale += stale_returned ? 1 : 0;
    stale_below_k += stale_returned && keepers < k ? 1 : 0;
    runs_at_k += keepers >= k ? 1 : 0;
  }
  const uint64_t total = runs.size();
  RunReport report;
  report.title = first.summary.value("scenario", std::string("denial-of-remove")) + " (" + std::to_string(total) +
                 (total == 1 ? " run, seed " + first.summary["seed"].dump() : " runs") + ", n = " + std::to_string(n) +
                 ", m = " + std::to_string(m) + ", k = " + std::to_string(k) +
                 (listed ? ", listed dishonest members" : ", each dishonest with p = " + format_fixed(*p, 2)) + ")";
  auto rate = [&](uint64_t count) {
    Interval interval = wilson_interval(count, total);
    return format_fixed(static_cast<double>(count) / static_cast<double>(total), 3) + " [99% CI " +
           format_fixed(interval.low, 3) + ", " + format_fixed(interval.high, 3) + "], " + std::to_string(count) +
           " of " + std::to_string(total);
  };
  Interval measured = wilson_interval(decrypted, total);
  if (listed) {
    // Every run has the same d: the model is exact.
    report.rows.push_back({"receiver decrypts after revocation", rate(decrypted),
                           "d >= m in " + std::to_string(predicted) + " of " + std::to_string(total) + " runs",
                           decrypted == predicted ? "ok" : "DISAGREES"});
  } else {
    double model = binomial_tail(n, *p, m);
    bool inside = total == 1 || (model >= measured.low && model <= measured.high);
    report.rows.push_back({"receiver decrypts after revocation", rate(decrypted),
                           "P[Bin(" + std::to_string(n) + ", " + format_fixed(*p, 2) + ") >= " + std::to_string(m) +
                               "] = " + format_fixed(model, 3),
                           inside ? "ok" : "DISAGREES"});
    MeanInterval d = mean_interval(dishonest, true);
    bool d_inside = total == 1 || (static_cast<double>(n) * *p >= d.low && static_cast<double>(n) * *p <= d.high);
    report.rows.push_back({"dishonest members per run (mean)",
                           format_fixed(d.mean, 2) + " [99% CI " + format_fixed(d.low, 2) + ", " + format_fixed(d.high, 2) +
                               "]",
                           "n p = " + format_fixed(static_cast<double>(n) * *p, 2), d_inside ? "ok" : "DISAGREES"});
  }
  report.rows.push_back({"runs where 'decrypted' differs from 'revoked-fragment holders >= m'", std::to_string(off_rule),
                         "0", off_rule == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"runs where revoked-fragment holders differ from the dishonest members",
                         std::to_string(holders_off), "0 (honest members forget)", holders_off == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"receiver decrypted before revocation", std::to_string(before) + " of " + std::to_string(total),
                         "all", before == total ? "ok" : "DISAGREES"});
  report.rows.push_back({"stale reads accepted with fewer than k = " + std::to_string(k) + " keepers",
                         std::to_string(stale_below_k), "0: a read needing k signatures returns a value only if >= k members sign it",
                         stale_below_k == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"stale reads accepted, all runs", rate(stale),
                         "at most the runs with >= k keepers: " + std::to_string(runs_at_k),
                         stale <= runs_at_k ? "ok" : "DISAGREES"});
  return report;
}

}  // namespace fluence::analysis
