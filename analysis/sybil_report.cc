// The "sybil-grinding" report: nonces per placed sybil against the model
// 2^difficulty / p per target (model/adversary/id_grinder.h).
#include <cmath>
#include <cstdio>

#include "analysis/report.h"
#include "analysis/sweep_report.h"

namespace fluence::analysis {

Result<RunReport> report_sybil(const RunResult& run) {
  RunReport report;
  report.title = run.summary.value("scenario", std::string("sybil-grinding")) + " (seed " + run.summary["seed"].dump() + ")";
  FL_RETURN_IF_ERROR(run.require({"network_nodes", "cluster_size", "difficulty", "nonces_per_second", "targets_over_budget"}));
  auto targets = run.summary.find("per_target");
  if (targets == run.summary.end() || !targets->is_array()) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'per_target' list");
  }
  // Each target's nonces are geometric with the model's mean, so the ratio
  // to it has mean 1 whatever the target.
  std::vector<double> ratios;
  double model_sum = 0;
  for (const nlohmann::json& t : *targets) {
    if (!t.is_object() || !t.contains("model_nonces") || !t["model_nonces"].is_number()) {
      return Status::error(ErrorCode::kMalformed, (run.folder / "summary.json").string() + ": a target without model_nonces");
    }
    if (!t.contains("nonces") || !t["nonces"].is_number()) continue;
    ratios.push_back(t["nonces"].get<double>() / t["model_nonces"].get<double>());
    model_sum += t["model_nonces"].get<double>();
  }
  double n = *run.metric("network_nodes"), c = *run.metric("cluster_size"), d = *run.metric("difficulty");
  MeanInterval ratio = mean_interval(ratios, true);
  bool inside = ratios.size() < 2 || (ratio.low <= 1 && 1 <= ratio.high);
  report.rows.push_back({"nonces / model, mean over " + std::to_string(ratios.size()) + " targets",
                         format_fixed(ratio.mean, 3) + " [99% CI " + format_fixed(ratio.low, 3) + ", " + format_fixed(ratio.high, 3) + "]",
                         "1", inside ? "ok" : "DISAGREES"});
  double over = *run.metric("targets_over_budget");
  report.rows.push_back({"targets not reached within the budget", format_fixed(over, 0), "0", over == 0 ? "ok" : "DISAGREES"});
  double rate = *run.metric("nonces_per_second");
  report.rows.push_back({"nonces per second (one core)", format_fixed(rate, 0), "", ""});
  // What a placed sybil costs at stronger puzzles on this machine, by the
  // model: 2^d (N + 1) / n nonces.
  for (double difficulty : {d, 16.0, 20.0, 24.0}) {
    double nonces = std::ldexp(1.0, static_cast<int>(difficulty)) * (n + 1) / c;
    report.rows.push_back({"core-seconds per placed sybil, difficulty " + format_fixed(difficulty, 0),
                           difficulty == d && !ratios.empty() ? format_fixed(model_sum / ratios.size() * ratio.mean / rate, 1) : "",
                           format_fixed(nonces / rate, 1), ""});
  }
  return report;
}

}  // namespace fluence::analysis
