// The "flaky-members" report: the tokens members that are down for whole
// ticks earn under a storage contract, against the binomial model of their
// offline ticks.
//
// The model: a flaky member is down for each tick independently with
// probability 1 - u, so its offline ticks X in a period of P ticks are
// Binomial(P, 1 - u). The contract pays r per proven tick at the period's
// end, unless X exceeds the SLA's K: then the period's pay is forfeited and
// the node leaves the contract. Over N settled periods,
//   E[tokens]  = r * sum_{p < N} S^p * E[(P - X) 1{X <= K}],  S = P(X <= K)
//   P(removed) = 1 - S^N,
// computed with the whole distribution, whose spread the check uses.
// Honest members are paid r * P * N exactly, and every tick a flaky member
// was down must be an offline outcome on chain, no more and no fewer.
#include <cmath>

#include "analysis/capture_model.h"
#include "analysis/kademlia_model.h"
#include "analysis/report.h"
#include "analysis/sweep_report.h"

namespace fluence::analysis {

namespace {

double binomial_pmf(uint64_t n, double p, uint64_t k) {
  return binomial_tail(n, p, k) - (k < n ? binomial_tail(n, p, k + 1) : 0);
}

struct FlakyModel {
  double tokens = 0;   // mean per flaky member
  double spread = 0;   // its standard deviation
  double removed = 0;
};

// The exact distribution of a flaky member's paid ticks over the periods,
// by dynamic programming over (paid ticks so far, still on the contract).
// The spread matters: pay is a skewed mixture (most periods pay in full, a
// few pay nothing), so a sample that happens to miss the rare forfeits has a
// small sample variance, and its own t interval would reject the model
// wrongly; the check below uses the model's variance instead (a z test).
FlakyModel flaky_model(double uptime, uint64_t period, uint64_t allowed, uint64_t periods, double reward) {
  size_t most = static_cast<size_t>(period * periods);
  std::vector<double> staying(most + 1, 0), gone(most + 1, 0);
  staying[0] = 1;
  for (uint64_t k = 0; k < periods; ++k) {
    std::vector<double> next(most + 1, 0);
    for (size_t paid = 0; paid <= most; ++paid) {
      if (staying[paid] == 0) continue;
      for (uint64_t x = 0; x <= period; ++x) {
        double p = staying[paid] * binomial_pmf(period, 1 - uptime, x);
        if (x <= allowed) {
          next[paid + period - x] += p;
        } else {
          gone[paid] += p;
        }
      }
    }
    staying = std::move(next);
  }
  FlakyModel model;
  double second = 0;
  for (size_t paid = 0; paid <= most; ++paid) {
    double p = staying[paid] + gone[paid];
    double tokens = reward * static_cast<double>(paid);
    model.tokens += p * tokens;
    second += p * tokens * tokens;
    model.removed += gone[paid];
  }
  model.spread = std::sqrt(std::max(0.0, second - model.tokens * model.tokens));
  return model;
}

}  // namespace

Result<RunReport> report_flaky(const std::vector<RunResult>& runs) {
  FL_ASSERT(!runs.empty());
  for (const RunResult& run : runs) {
    FL_RETURN_IF_ERROR(run.require({"uptime", "period_ticks", "max_offline_ticks_per_period", "reward_per_tick",
                                    "periods_settled"}));
    auto list = run.summary.find("member_earnings");
    if (list == run.summary.end() || !list->is_array()) {
      return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'member_earnings' list");
    }
  }
  const RunResult& first = runs.front();
  double uptime = *first.metric("uptime");
  uint64_t period = static_cast<uint64_t>(*first.metric("period_ticks"));
  uint64_t allowed = static_cast<uint64_t>(*first.metric("max_offline_ticks_per_period"));
  double reward = *first.metric("reward_per_tick");
  std::vector<double> tokens;
  uint64_t removed = 0, mismatched = 0, honest = 0, honest_exact = 0, periods_min = UINT64_MAX, periods_max = 0;
  for (const RunResult& run : runs) {
    uint64_t periods = static_cast<uint64_t>(*run.metric("periods_settled"));
    periods_min = std::min(periods_min, periods);
    periods_max = std::max(periods_max, periods);
    for (const nlohmann::json& m : run.summary["member_earnings"]) {
      double earned = m.value("rewards", 0.0);
      if (!m.value("flaky", false)) {
        ++honest;
        honest_exact += earned == reward * static_cast<double>(period * periods) ? 1 : 0;
        continue;
      }
      tokens.push_back(earned);
      removed += m.value("on_contract", true) ? 0 : 1;
      const nlohmann::json& down = m["ticks_down"];
      mismatched += down.is_array() && down.size() == m.value("offline", uint64_t{0}) ? 0 : 1;
    }
  }
  RunReport report;
  report.title = first.summary.value("scenario", std::string("flaky-members")) + " (" + std::to_string(runs.size()) +
                 (runs.size() == 1 ? " run, seed " + first.summary["seed"].dump() : " runs") + ", uptime " +
                 format_fixed(uptime, 2) + ", periods of " + std::to_string(period) + " ticks, SLA " +
                 std::to_string(allowed) + " offline)";
  if (tokens.empty() || periods_min != periods_max) {
    return Status::error(ErrorCode::kInvalidArgument, report.title + ": no flaky member, or runs settled different period counts");
  }
  FlakyModel model = flaky_model(uptime, period, allowed, periods_min, reward);
  MeanInterval earned = mean_interval(tokens, true);
  // Two-sided z test at 99% with the model's own standard deviation.
  double band = 2.576 * model.spread / std::sqrt(static_cast<double>(tokens.size()));
  bool inside = std::abs(earned.mean - model.tokens) <= band;
  report.rows.push_back({"tokens a flaky member earned over " + std::to_string(periods_min) + " periods",
                         format_fixed(earned.mean, 0) + " [99% CI " + format_fixed(earned.low, 0) + ", " +
                             format_fixed(earned.high, 0) + "] over " + std::to_string(tokens.size()) + " members",
                         "binomial: " + format_fixed(model.tokens, 0) + " ± " + format_fixed(band, 0) + " (99%) of " +
                             format_fixed(reward * static_cast<double>(period * periods_min), 0),
                         inside ? "ok" : "DISAGREES"});
  Interval out = wilson_interval(removed, tokens.size());
  bool out_inside = tokens.size() < 2 || (model.removed >= out.low && model.removed <= out.high);
  report.rows.push_back({"flaky members removed from the contract by the SLA",
                         format_fixed(static_cast<double>(removed) / static_cast<double>(tokens.size()), 3) + " [99% CI " +
                             format_fixed(out.low, 3) + ", " + format_fixed(out.high, 3) + "]",
                         "1 - S^N = " + format_fixed(model.removed, 3), out_inside ? "ok" : "DISAGREES"});
  report.rows.push_back({"flaky members whose offline outcomes differ from their ticks down", std::to_string(mismatched), "0",
                         mismatched == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"honest members paid exactly r * P * N", std::to_string(honest_exact) + " of " + std::to_string(honest),
                         "all", honest_exact == honest ? "ok" : "DISAGREES"});
  return report;
}

}  // namespace fluence::analysis
