// The "por-network" report: a whole network under hourly proofs of
// retrievability (sim/network_por_run.h).
//
// The model: a lazy replica missing F of its E entries fails a challenge of
// c indices, drawn with replacement, with probability q = 1 - (1 - F/E)^c,
// independently each tick (each tick's salt is new). One arbiter judges each
// tick, so a tick fails exactly when its challenge does, and the replica is
// ejected after R failed ticks in a row: the absorbing chain of
// ejection_model.h with that q. Honest replicas never fail.
//
// Measured against it: the failure rate over every lazy replica-tick (Wilson
// interval), the mean of min(ticks to ejection, the run's ticks) over the
// lazy replicas (Student t interval) against E[min(T, ticks)], and the share
// ejected within the run (Wilson) against P(T <= ticks). The run's size and
// cost are listed beside them, with how its signatures were computed.
#include <cmath>

#include "analysis/ejection_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"
#include "analysis/sweep_report.h"

namespace fluence::analysis {

namespace {

std::string rate_with_interval(uint64_t hits, uint64_t trials, const Interval& interval) {
  return format_fixed(trials ? static_cast<double>(hits) / static_cast<double>(trials) : 0, 3) + " (" +
         std::to_string(hits) + " of " + std::to_string(trials) + ") [99% CI " + format_fixed(interval.low, 3) +
         ", " + format_fixed(interval.high, 3) + "]";
}

bool inside(double value, const Interval& interval) { return value >= interval.low && value <= interval.high; }

}  // namespace

Result<RunReport> report_por_network(const RunResult& run) {
  FL_RETURN_IF_ERROR(run.require({"nodes", "datasets", "replicas", "lazy_nodes", "entries", "forgotten_entries", "chunks",
                                  "ticks", "eject_after_failed_ticks", "lazy_challenged", "lazy_failed",
                                  "honest_challenged", "honest_failed", "lazy_ejected"}));
  auto ticks_to_ejection = run.summary.find("ticks_to_ejection");
  if (ticks_to_ejection == run.summary.end() || !ticks_to_ejection->is_array()) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'ticks_to_ejection' list");
  }
  auto count = [&](const char* name) { return static_cast<uint64_t>(*run.metric(name)); };
  RunReport report;
  report.title = run.summary.value("scenario", std::string("por-network")) + " (seed " + run.summary["seed"].dump() + ")";

  double entries = std::max(1.0, *run.metric("entries"));
  double f = *run.metric("forgotten_entries") / entries;
  int chunks = static_cast<int>(count("chunks"));
  int run_length = static_cast<int>(count("eject_after_failed_ticks"));
  uint64_t ticks = count("ticks");
  double q = 1 - std::pow(1 - f, chunks);

  report.rows.push_back({"network", std::to_string(count("nodes")) + " nodes, " + std::to_string(count("datasets")) +
                                        " datasets, " + std::to_string(count("replicas")) + " replicas, " +
                                        std::to_string(ticks) + " ticks",
                         "", ""});
  std::string signatures = run.summary.value("signatures", std::string("ed25519"));
  report.rows.push_back({"signatures", signatures == "cost-model" ? "cost model (BLAKE2b, charged at Ed25519's cost)"
                                                                  : "Ed25519",
                         "", ""});

  uint64_t lazy_challenged = count("lazy_challenged"), lazy_failed = count("lazy_failed");
  Interval failure = wilson_interval(lazy_failed, lazy_challenged);
  report.rows.push_back({"lazy replica fails a tick (F/E = " + format_fixed(f, 3) + ", c = " + std::to_string(chunks) + ")",
                         rate_with_interval(lazy_failed, lazy_challenged, failure),
                         "1 - (1 - F/E)^c = " + format_fixed(q, 3),
                         lazy_challenged == 0 ? "" : inside(q, failure) ? "ok" : "DISAGREES"});

  std::vector<double> survived;
  uint64_t ejected = 0;
  for (const nlohmann::json& t : *ticks_to_ejection) {
    int64_t value = t.is_number_integer() ? t.get<int64_t>() : -1;
    if (value > 0) ++ejected;
    survived.push_back(value > 0 ? static_cast<double>(value) : static_cast<double>(ticks));
  }
  if (!survived.empty() && q > 0) {
    MeanInterval mean = mean_interval(survived, true);
    double expected = expected_ticks_within(q, run_length, ticks);
    report.rows.push_back({"ticks to " + std::to_string(run_length) + " failures in a row, min(T, " +
                               std::to_string(ticks) + "), " + std::to_string(survived.size()) + " lazy replicas",
                           format_fixed(mean.mean, 2) + " [99% CI " + format_fixed(mean.low, 2) + ", " +
                               format_fixed(mean.high, 2) + "]",
                           format_fixed(expected, 2) + " (E[T] = " +
                               format_fixed(expected_ticks_to_ejection(q, run_length), 2) + ")",
                           expected >= mean.low && expected <= mean.high ? "ok" : "DISAGREES"});
    Interval share = wilson_interval(ejected, survived.size());
    double within = ejection_within(q, run_length, ticks);
    report.rows.push_back({"lazy replicas ejected within the run", rate_with_interval(ejected, survived.size(), share),
                           "P(T <= " + std::to_string(ticks) + ") = " + format_fixed(within, 3),
                           inside(within, share) ? "ok" : "DISAGREES"});
  }
  uint64_t honest_failed = count("honest_failed");
  report.rows.push_back({"honest replica-ticks failed", std::to_string(honest_failed) + " of " +
                                                            std::to_string(count("honest_challenged")),
                         "0", honest_failed == 0 ? "ok" : "DISAGREES"});
  for (const char* optional : {"messages_sent", "wall_seconds", "peak_rss_mb"}) {
    if (Result<double> value = run.metric(optional)) {
      report.rows.push_back({optional, format_fixed(*value, *value == std::floor(*value) ? 0 : 1), "", ""});
    }
  }
  report.rows.push_back({"trace hash", run.summary.value("trace_hash", std::string()).substr(0, 16), "", ""});
  return report;
}

}  // namespace fluence::analysis
