// A lazy member that fetches from an accomplice (white paper, "Security
// Concerns"; por::Prover): a "lazy-member" run with `cluster.accomplice`.
//
// The model. A challenge of c indices touches one of the fraction f of
// forgotten entries with probability 1 - (1 - f)^c. An untouched challenge
// is answered in one round trip to the arbiter (challenge_rtt); a touched one
// needs the round trip to the accomplice as well (fetch_rtt), and the
// arbiter's deadline D catches it iff challenge_rtt + fetch_rtt > D (the
// peer's work and the transfer are small beside the round trips, so the
// scenarios keep D away from the threshold). Answered in time, the fetched
// answer is the honest one, and q = 0: the member is never replaced.
//
// Caught, a tick does not fail as often as a lazy member's without
// accomplice (ejection_model.h), because the caught verdicts are the late
// ones: an arbiter whose challenge the member passed finishes its round when
// the last member answered, one that caught it only at the deadline. The
// tick settles from the first quorum of the A arbiters' verdicts on chain
// (cluster/verdicts.h), which are the passing ones first; so it fails iff at
// most quorum / 2 arbiters' challenges missed every forgotten entry:
//   q = P(Binomial(A, (1 - f)^c) <= quorum / 2).
#include <algorithm>
#include <cmath>

#include "analysis/ejection_model.h"
#include "analysis/report.h"

namespace fluence::analysis {

namespace {

// P(Binomial(n, p) <= k).
double binomial_at_most(int n, double p, int k) {
  double sum = 0, term = std::pow(1 - p, n);  // P(X = 0)
  for (int i = 0; i <= k && i <= n; ++i) {
    sum += term;
    term *= p == 1 ? 0 : static_cast<double>(n - i) / (i + 1) * p / (1 - p);
  }
  return std::min(1.0, sum);
}

std::string text(const RunResult& run, const char* name) {
  auto it = run.summary.find(name);
  if (it == run.summary.end()) return "?";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

Result<RunReport> report_lazy_fetch(const RunResult& run) {
  RunReport report;
  report.title = text(run, "scenario") + " (seed " + text(run, "seed") + ")";
  FL_RETURN_IF_ERROR(run.require({"forgotten_fraction", "chunks", "arbiters", "eject_after_failed_ticks", "ticks_limit",
                                  "ejected", "recovered", "honest_failed_outcomes", "honest_ejected", "max_response_ms",
                                  "challenge_rtt_ms", "fetch_rtt_ms", "lazy_challenges", "lazy_challenges_touched",
                                  "lazy_fetches_answered", "lazy_proven_ticks", "lazy_failed_ticks"}));
  auto ticks = run.summary.find("ticks_to_ejection");
  if (ticks == run.summary.end() || !ticks->is_array() || ticks->size() != 1) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no one-entry 'ticks_to_ejection' list");
  }
  double f = *run.metric("forgotten_fraction"), chunks = *run.metric("chunks");
  double deadline = *run.metric("max_response_ms");
  double base = *run.metric("challenge_rtt_ms"), fetch = *run.metric("fetch_rtt_ms");
  double challenges = *run.metric("lazy_challenges"), touched = *run.metric("lazy_challenges_touched");
  double answered = *run.metric("lazy_fetches_answered");
  double proven = *run.metric("lazy_proven_ticks"), failed = *run.metric("lazy_failed_ticks");
  int run_length = static_cast<int>(*run.metric("eject_after_failed_ticks"));
  int arbiters = static_cast<int>(*run.metric("arbiters"));
  int quorum = arbiters / 2 + 1;

  double p_touch = 1 - std::pow(1 - f, chunks);
  double share = challenges > 0 ? touched / challenges : 0;
  // Binomial: within 2.58 standard deviations (99%), plus one challenge of slack.
  double sd = challenges > 0 ? std::sqrt(p_touch * (1 - p_touch) / challenges) : 1;
  bool share_ok = challenges > 0 && std::fabs(share - p_touch) <= 2.58 * sd + 1 / challenges;
  report.rows.push_back({"challenges touching a forgotten entry",
                         format_fixed(touched, 0) + " of " + format_fixed(challenges, 0) + " = " + format_fixed(share, 3),
                         "1 - (1 - f)^c = " + format_fixed(p_touch, 3), share_ok ? "ok" : "DISAGREES"});
  report.rows.push_back({"fetches the accomplice answered", format_fixed(answered, 0) + " of " + format_fixed(touched, 0),
                         "all", answered == touched ? "ok" : "DISAGREES"});
  bool untouched_late = base >= deadline;
  bool touched_late = base + fetch >= deadline;
  report.rows.push_back({"touched answer: challenge + fetch round trips", "",
                         format_fixed(base, 0) + " + " + format_fixed(fetch, 0) + " ms vs deadline " + format_fixed(deadline, 0) +
                             " ms: " + (touched_late ? "late, caught" : "in time, not caught"),
                         ""});
  double q = untouched_late ? 1 : (touched_late ? binomial_at_most(arbiters, 1 - p_touch, quorum / 2) : 0);
  double ticks_settled = proven + failed;
  std::string failed_model = "q = " + format_fixed(q, 3) + " per tick";
  bool failed_ok = failed == 0;
  if (q > 0) {
    // Without accomplice a tick would fail with the lazy-member model's q.
    failed_model += " (without accomplice " + format_fixed(tick_failure_probability(f, static_cast<int>(chunks), quorum), 3) + ")";
    double q_sd = ticks_settled > 0 ? std::sqrt(q * (1 - q) / ticks_settled) : 1;
    failed_ok = ticks_settled > 0 && std::fabs(failed / ticks_settled - q) <= 2.58 * q_sd + 1 / ticks_settled;
  }
  report.rows.push_back({"lazy member's failed ticks",
                         format_fixed(failed, 0) + " of " + format_fixed(ticks_settled, 0) +
                             (ticks_settled > 0 ? " = " + format_fixed(failed / ticks_settled, 3) : ""),
                         failed_model, failed_ok ? "ok" : "DISAGREES"});
  const nlohmann::json& t = (*ticks)[0];
  uint64_t limit = static_cast<uint64_t>(*run.metric("ticks_limit"));
  if (q == 0) {
    report.rows.push_back({"ticks to ejection", t.is_number() ? std::to_string(t.get<uint64_t>()) : "not within " + std::to_string(limit),
                           "never", t.is_number() ? "DISAGREES" : "ok"});
  } else if (t.is_number()) {
    uint64_t measured = t.get<uint64_t>();
    double below = measured == 0 ? 0 : ejection_within(q, run_length, measured - 1);
    double at_most = ejection_within(q, run_length, measured);
    report.rows.push_back({"ticks to ejection", std::to_string(measured),
                           "mean " + format_fixed(expected_ticks_to_ejection(q, run_length), 2) + "; P(T <= " +
                               std::to_string(measured) + ") = " + format_fixed(at_most, 3),
                           below < 0.995 && at_most > 0.005 ? "ok" : "DISAGREES"});
  } else {
    double within = ejection_within(q, run_length, limit);
    report.rows.push_back({"ticks to ejection", "not within " + std::to_string(limit),
                           "P(T <= limit) = " + format_fixed(within, 3), within < 0.995 ? "ok" : "DISAGREES"});
  }
  double ejected = *run.metric("ejected"), recovered = *run.metric("recovered");
  report.rows.push_back({"recruits rebuilt and joined", format_fixed(recovered, 0) + " of " + format_fixed(ejected, 0), "all",
                         recovered == ejected ? "ok" : "DISAGREES"});
  double honest = *run.metric("honest_failed_outcomes");
  report.rows.push_back({"honest members' failed outcomes (the accomplice's included)", format_fixed(honest, 0), "0",
                         honest == 0 ? "ok" : "DISAGREES"});
  double honest_ejected = *run.metric("honest_ejected");
  report.rows.push_back({"honest members ejected", format_fixed(honest_ejected, 0), "0", honest_ejected == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"trace hash", text(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

}  // namespace fluence::analysis
