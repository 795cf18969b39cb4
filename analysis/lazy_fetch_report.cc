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
// Caught, that arbiter's verdict says "late". The tick is decided from
// every arbiter's verdict once all A are on chain (cluster/verdicts.h),
// whatever order they land in (the caught ones last, at the deadline):
// proven iff more than half passed. Each arbiter's challenge misses every
// forgotten entry with probability (1 - f)^c, independently, so the tick is
// not proven with probability
//   q = P(Binomial(A, (1 - f)^c) <= floor(A / 2)),
// the lazy-member model's q (ejection_model.h): under a deadline that
// catches the fetch, the accomplice buys nothing. A tick not proven is
// "offline" (its faults are all "late"), so the member is replaced after
// eject_after_offline_ticks of them in a row. When even an untouched answer
// is late (challenge_rtt >= D), every tick is offline: q = 1.
#include <algorithm>
#include <cmath>

#include "analysis/ejection_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"
#include "analysis/sweep_report.h"

namespace fluence::analysis {

namespace {

std::string text(const RunResult& run, const char* name) {
  auto it = run.summary.find(name);
  if (it == run.summary.end()) return "?";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Status require_fields(const RunResult& run) {
  return run.require({"forgotten_fraction", "chunks", "arbiters", "eject_after_offline_ticks", "ticks_limit", "ejected",
                      "recovered", "honest_failed_outcomes", "honest_ejected", "max_response_ms", "challenge_rtt_ms",
                      "fetch_rtt_ms", "lazy_challenges", "lazy_challenges_touched", "lazy_fetches_answered",
                      "lazy_proven_ticks", "lazy_failed_ticks"});
}

// What the model says for a run's parameters.
struct FetchModel {
  double p_touch = 0;  // a challenge touches a forgotten entry
  double q = 0;        // a tick is not proven
  int run_length = 3;  // offline ticks in a row that eject
  bool touched_late = false;
  std::string timing;  // the round trips against the deadline, in words
};

FetchModel fetch_model(const RunResult& run) {
  FetchModel m;
  double f = *run.metric("forgotten_fraction");
  int chunks = static_cast<int>(*run.metric("chunks"));
  int arbiters = static_cast<int>(*run.metric("arbiters"));
  double deadline = *run.metric("max_response_ms");
  double base = *run.metric("challenge_rtt_ms"), fetch = *run.metric("fetch_rtt_ms");
  m.p_touch = 1 - std::pow(1 - f, chunks);
  m.run_length = static_cast<int>(*run.metric("eject_after_offline_ticks"));
  bool untouched_late = base >= deadline;
  m.touched_late = base + fetch >= deadline;
  m.q = untouched_late ? 1 : (m.touched_late ? tick_failure_probability(f, chunks, arbiters) : 0);
  m.timing = format_fixed(base, 0) + " + " + format_fixed(fetch, 0) + " ms vs deadline " + format_fixed(deadline, 0) +
             " ms: " + (untouched_late ? "even untouched answers late" : m.touched_late ? "late, caught" : "in time, not caught");
  return m;
}

std::string share_text(double part, double whole) {
  return format_fixed(part, 0) + " of " + format_fixed(whole, 0) + (whole > 0 ? " = " + format_fixed(part / whole, 3) : "");
}

std::string interval_text(const Interval& i) {
  return " [99% CI " + format_fixed(i.low, 3) + ", " + format_fixed(i.high, 3) + "]";
}

}  // namespace

Result<RunReport> report_lazy_fetch(const RunResult& run) {
  RunReport report;
  report.title = text(run, "scenario") + " (seed " + text(run, "seed") + ")";
  FL_RETURN_IF_ERROR(require_fields(run));
  auto ticks = run.summary.find("ticks_to_ejection");
  if (ticks == run.summary.end() || !ticks->is_array() || ticks->size() != 1) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no one-entry 'ticks_to_ejection' list");
  }
  FetchModel model = fetch_model(run);
  double challenges = *run.metric("lazy_challenges"), touched = *run.metric("lazy_challenges_touched");
  double answered = *run.metric("lazy_fetches_answered");
  double proven = *run.metric("lazy_proven_ticks"), failed = *run.metric("lazy_failed_ticks");

  double share = challenges > 0 ? touched / challenges : 0;
  // Binomial: within 2.58 standard deviations (99%), plus one challenge of slack.
  double sd = challenges > 0 ? std::sqrt(model.p_touch * (1 - model.p_touch) / challenges) : 1;
  bool share_ok = challenges > 0 && std::fabs(share - model.p_touch) <= 2.58 * sd + 1 / challenges;
  report.rows.push_back({"challenges touching a forgotten entry", share_text(touched, challenges),
                         "1 - (1 - f)^c = " + format_fixed(model.p_touch, 3), share_ok ? "ok" : "DISAGREES"});
  report.rows.push_back({"fetches the accomplice answered", format_fixed(answered, 0) + " of " + format_fixed(touched, 0),
                         "all", answered == touched ? "ok" : "DISAGREES"});
  report.rows.push_back({"touched answer: challenge + fetch round trips", "", model.timing, ""});
  double ticks_settled = proven + failed;
  bool failed_ok = failed == 0;
  if (model.q > 0) {
    // Each tick is not proven with probability q, and the run stops at a
    // stopping time, so by Wald's identities failed - q n has mean 0 and
    // variance q (1 - q) n: the binomial bound holds.
    double q_sd = ticks_settled > 0 ? std::sqrt(model.q * (1 - model.q) / ticks_settled) : 1;
    failed_ok = ticks_settled > 0 && std::fabs(failed / ticks_settled - model.q) <= 2.58 * q_sd + 1 / ticks_settled;
  }
  report.rows.push_back({"lazy member's ticks not proven", share_text(failed, ticks_settled),
                         "q = P(Bin(A, (1 - f)^c) <= A/2) = " + format_fixed(model.q, 3) + " per tick", failed_ok ? "ok" : "DISAGREES"});
  const nlohmann::json& t = (*ticks)[0];
  uint64_t limit = static_cast<uint64_t>(*run.metric("ticks_limit"));
  if (model.q == 0) {
    report.rows.push_back({"ticks to ejection", t.is_number() ? std::to_string(t.get<uint64_t>()) : "not within " + std::to_string(limit),
                           "never", t.is_number() ? "DISAGREES" : "ok"});
  } else if (t.is_number()) {
    uint64_t measured = t.get<uint64_t>();
    double below = measured == 0 ? 0 : ejection_within(model.q, model.run_length, measured - 1);
    double at_most = ejection_within(model.q, model.run_length, measured);
    report.rows.push_back({"ticks to ejection", std::to_string(measured),
                           "mean " + format_fixed(expected_ticks_to_ejection(model.q, model.run_length), 2) + "; P(T <= " +
                               std::to_string(measured) + ") = " + format_fixed(at_most, 3),
                           below < 0.995 && at_most > 0.005 ? "ok" : "DISAGREES"});
  } else {
    double within = ejection_within(model.q, model.run_length, limit);
    report.rows.push_back({"ticks to ejection", "not within " + std::to_string(limit),
                           "P(T <= limit) = " + format_fixed(within, 3), within < 0.995 ? "ok" : "DISAGREES"});
  }
  RecruitTally recruits;
  FL_RETURN_IF_ERROR(recruits.add(run));
  report.rows.push_back(recruits.row());
  double honest = *run.metric("honest_failed_outcomes");
  report.rows.push_back({"honest members' failed outcomes (the accomplice's included)", format_fixed(honest, 0), "0",
                         honest == 0 ? "ok" : "DISAGREES"});
  double honest_ejected = *run.metric("honest_ejected");
  report.rows.push_back({"honest members ejected", format_fixed(honest_ejected, 0), "0", honest_ejected == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"trace hash", text(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

Result<LazyFetchPoint> report_lazy_fetch_point(const std::vector<RunResult>& runs) {
  FL_ASSERT(!runs.empty());
  double challenges = 0, touched = 0, answered = 0, proven = 0, failed = 0;
  double honest = 0, honest_ejected = 0;
  RecruitTally recruits;
  std::vector<double> ticks;
  double ejected_by_limit = 0;
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(require_fields(run));
    auto list = run.summary.find("ticks_to_ejection");
    if (list == run.summary.end() || !list->is_array() || list->size() != 1) {
      return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no one-entry 'ticks_to_ejection' list");
    }
    // A member never ejected counts at the run's limit: the mean measured is
    // E[min(T, limit)], and so is the model's below.
    const nlohmann::json& t = (*list)[0];
    ticks.push_back(t.is_number() ? t.get<double>() : *run.metric("ticks_limit"));
    if (t.is_number()) ++ejected_by_limit;
    challenges += *run.metric("lazy_challenges");
    touched += *run.metric("lazy_challenges_touched");
    answered += *run.metric("lazy_fetches_answered");
    proven += *run.metric("lazy_proven_ticks");
    failed += *run.metric("lazy_failed_ticks");
    FL_RETURN_IF_ERROR(recruits.add(run));
    honest += *run.metric("honest_failed_outcomes");
    honest_ejected += *run.metric("honest_ejected");
  }
  // A point's runs share every parameter but the seed.
  FetchModel model = fetch_model(runs.front());
  LazyFetchPoint point;
  RunReport& report = point.report;
  Interval touch = wilson_interval(static_cast<uint64_t>(touched), static_cast<uint64_t>(challenges));
  bool touch_ok = challenges > 0 && model.p_touch >= touch.low && model.p_touch <= touch.high;
  report.rows.push_back({"challenges touching a forgotten entry (pooled)", share_text(touched, challenges) + interval_text(touch),
                         "1 - (1 - f)^c = " + format_fixed(model.p_touch, 3), touch_ok ? "ok" : "DISAGREES"});
  report.rows.push_back({"fetches the accomplice answered", format_fixed(answered, 0) + " of " + format_fixed(touched, 0), "all",
                         answered == touched ? "ok" : "DISAGREES"});
  report.rows.push_back({"touched answer: challenge + fetch round trips", "", model.timing, ""});
  // Ticks of one run are Bernoulli(q) up to a stopping time, and the pooled
  // count keeps the binomial variance (Wald's identities): a Wilson interval.
  double settled = proven + failed;
  Interval not_proven = wilson_interval(static_cast<uint64_t>(failed), static_cast<uint64_t>(settled));
  // q = 0 and q = 1 are certainties, which no count of ticks may break.
  bool q_ok = model.q == 0   ? failed == 0
              : model.q == 1 ? failed == settled
                             : settled > 0 && model.q >= not_proven.low && model.q <= not_proven.high;
  report.rows.push_back({"lazy member's ticks not proven (pooled)", share_text(failed, settled) + interval_text(not_proven),
                         "q = P(Bin(A, (1 - f)^c) <= A/2) = " + format_fixed(model.q, 3), q_ok ? "ok" : "DISAGREES"});
  point.share = settled > 0 ? failed / settled : 0;
  point.low = not_proven.low;
  point.high = not_proven.high;
  point.q = model.q;
  uint64_t limit = static_cast<uint64_t>(*runs.front().metric("ticks_limit"));
  MeanInterval t = mean_interval(ticks, true);
  std::string measured = format_fixed(t.mean, 2) + " [99% CI " + format_fixed(t.low, 2) + ", " + format_fixed(t.high, 2) + "] over " +
                         std::to_string(ticks.size()) + " seeds";
  if (model.q == 0) {
    report.rows.push_back({"ticks to ejection (mean, never ejected counted at the limit)", measured,
                           "never: " + std::to_string(limit), recruits.ejected == 0 ? "ok" : "DISAGREES"});
  } else {
    double expected = expected_ticks_within(model.q, model.run_length, limit);
    // With q = 1 every run measures exactly F: a zero-width interval the
    // model's sum meets only up to rounding.
    bool inside = ticks.size() < 2 || (expected >= t.low - 1e-9 && expected <= t.high + 1e-9);
    report.rows.push_back({"ticks to ejection (mean, never ejected counted at the limit)", measured,
                           "absorbing chain, " + std::to_string(model.run_length) + " offline in a row: E[min(T, " +
                               std::to_string(limit) + ")] = " + format_fixed(expected, 2),
                           inside ? "ok" : "DISAGREES"});
    // The same runs counted, not averaged: whether each lazy member was
    // ejected by the limit is a Bernoulli trial, which the t interval of a
    // mean piled up at the limit describes only roughly.
    double within = ejection_within(model.q, model.run_length, limit);
    Interval share = wilson_interval(static_cast<uint64_t>(ejected_by_limit), ticks.size());
    report.rows.push_back({"lazy members ejected within " + std::to_string(limit) + " ticks",
                           share_text(ejected_by_limit, static_cast<double>(ticks.size())) + interval_text(share),
                           "P(T <= " + std::to_string(limit) + ") = " + format_fixed(within, 3),
                           within >= share.low - 1e-9 && within <= share.high + 1e-9 ? "ok" : "DISAGREES"});
  }
  report.rows.push_back(recruits.row());
  report.rows.push_back({"honest members' failed outcomes (the accomplice's included)", format_fixed(honest, 0), "0",
                         honest == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"honest members ejected", format_fixed(honest_ejected, 0), "0", honest_ejected == 0 ? "ok" : "DISAGREES"});
  return point;
}

}  // namespace fluence::analysis
