#include "analysis/sweep_report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "analysis/kademlia_model.h"

namespace fluence::analysis {

namespace fs = std::filesystem;

namespace {


// Two-sided 95% and 99% quantiles of Student's t for 1..30 degrees of freedom.
double t_quantile(size_t df, bool confidence99) {
  static const double k95[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  static const double k99[] = {63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169,
                               3.106,  3.055, 3.012, 2.977, 2.947, 2.921, 2.898, 2.878, 2.861, 2.845,
                               2.831,  2.819, 2.807, 2.797, 2.787, 2.779, 2.771, 2.763, 2.756, 2.750};
  if (df >= 1 && df <= 30) return confidence99 ? k99[df - 1] : k95[df - 1];
  return confidence99 ? 2.576 : 1.96;
}

std::string with_interval(const MeanInterval& m, int decimals, size_t n) {
  return format_fixed(m.mean, decimals) + " [95% CI " + format_fixed(m.low, decimals) + ", " + format_fixed(m.high, decimals) +
         "] over " + std::to_string(n) + " seeds";
}

struct Point {
  nlohmann::json parameters;
  std::vector<RunResult> runs;
  size_t unfinished = 0;
  // Filled by report_point for kinds with a headline measurement.
  std::optional<MeanInterval> headline;
  double model = 0;
};

Result<RunReport> report_point(Point& point) {
  RunReport report;
  report.title = "point " + point.parameters.dump() + ": " + std::to_string(point.runs.size()) + " runs" +
                 (point.unfinished ? ", " + std::to_string(point.unfinished) + " unfinished" : "");
  if (point.runs.empty()) return report;
  std::string kind = point.runs.front().scenario_kind();
  if (kind == "kademlia-lookup") {
    double successes = 0, lookups = 0;
    std::vector<double> hops, messages;
    double nodes = 0, k = 20;
    for (const RunResult& run : point.runs) {
      FL_RETURN_IF_ERROR(run.require({"nodes", "lookups", "lookup_success_rate", "hops_mean", "messages_per_lookup"}));
      nodes = *run.metric("nodes");
      if (Result<double> bucket = run.metric("bucket_size")) k = *bucket;
      lookups += *run.metric("lookups");
      successes += std::round(*run.metric("lookup_success_rate") * *run.metric("lookups"));
      hops.push_back(*run.metric("hops_mean"));
      messages.push_back(*run.metric("messages_per_lookup"));
    }
    Interval success = wilson_interval(static_cast<uint64_t>(successes), static_cast<uint64_t>(lookups));
    report.rows.push_back({"lookup success rate (pooled)",
                           format_fixed(lookups ? successes / lookups : 0, 4) + " [99% CI " + format_fixed(success.low, 4) + ", " +
                               format_fixed(success.high, 4) + "]",
                           ">= 0.99", success.high >= 0.99 ? "ok" : "DISAGREES"});
    HopPrediction predicted = predict_hops(static_cast<uint64_t>(nodes), static_cast<int>(k));
    MeanInterval h = mean_interval(hops);
    point.headline = h;
    point.model = predicted.estimate;
    report.rows.push_back({"hops (mean)", with_interval(h, 2, hops.size()),
                           "<= log2 N = " + format_fixed(predicted.log2_n, 1) + "; ~log2 N / log2 k = " +
                               format_fixed(predicted.estimate, 1),
                           h.low <= predicted.log2_n ? "ok" : "DISAGREES"});
    report.rows.push_back({"messages per lookup", with_interval(mean_interval(messages), 1, messages.size()), "", ""});
    return report;
  }
  if (kind == "lazy-member" && point.runs.front().summary.contains("accomplice")) {
    Result<LazyFetchPoint> fetch = report_lazy_fetch_point(point.runs);
    if (!fetch) return fetch.status();
    fetch->report.title = report.title;
    point.headline = MeanInterval{fetch->share, fetch->low, fetch->high};
    point.model = fetch->q;
    return fetch->report;
  }
  if (kind == "lazy-member") {
    // Every lazy member of every seed is one draw of the ejection time; one
    // never ejected counts at the run's limit, so the mean measured is
    // E[min(T, limit)], which the model gives too.
    std::vector<double> ticks;
    double honest = 0;
    RecruitTally recruits;
    for (const RunResult& run : point.runs) {
      auto list = run.summary.find("ticks_to_ejection");
      if (list == run.summary.end() || !list->is_array()) {
        return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'ticks_to_ejection' list");
      }
      Result<double> limit = run.metric("ticks_limit");
      if (!limit) return limit.status();
      for (const nlohmann::json& t : *list) ticks.push_back(t.is_number() ? t.get<double>() : *limit);
      FL_RETURN_IF_ERROR(run.require({"honest_failed_outcomes"}));
      honest += *run.metric("honest_failed_outcomes");
      FL_RETURN_IF_ERROR(recruits.add(run));
    }
    LazyMemberModel model = lazy_member_model(point.runs.front());
    MeanInterval t = mean_interval(ticks, true);
    point.headline = t;
    point.model = model.expected_ticks_within_limit;
    std::string measured = format_fixed(t.mean, 2) + " [99% CI " + format_fixed(t.low, 2) + ", " + format_fixed(t.high, 2) + "] over " +
                           std::to_string(ticks.size()) + " lazy members";
    double expected = model.expected_ticks_within_limit;
    // Up to rounding: with q = 1 every run measures exactly F.
    bool inside = ticks.size() < 2 || (expected >= t.low - 1e-9 && expected <= t.high + 1e-9);
    std::string capped = std::fabs(expected - model.expected_ticks) < 0.005
                             ? ""
                             : "; within the limit E[min(T, limit)] = " + format_fixed(expected, 2);
    report.rows.push_back({"ticks to ejection (mean)", measured,
                           "absorbing chain: " + format_fixed(model.expected_ticks, 2) + capped +
                               " (q = " + format_fixed(model.q, 3) + ")",
                           inside ? "ok" : "DISAGREES"});
    report.rows.push_back(recruits.row());
    report.rows.push_back({"honest members' failed outcomes", format_fixed(honest, 0), "0", honest == 0 ? "ok" : "DISAGREES"});
    return report;
  }
  if (kind == "colluding-cluster" || kind == "flaky-members" || kind == "denial-of-remove") {
    Result<RunReport> pooled = kind == "flaky-members"      ? report_flaky(point.runs)
                               : kind == "denial-of-remove" ? report_denial(point.runs)
                                                            : report_collusion(point.runs);
    if (pooled) pooled->title = report.title;
    return pooled;
  }
  if (kind == "committee-capture") {
    // Seeds are more samples of the same odds: pool the counts.
    RunResult pooled = point.runs.front();
    for (const char* name : {"datasets", "clusters_stalled", "clusters_captured", "arbiter_majorities", "undetected_captures"}) {
      double total = 0;
      for (const RunResult& run : point.runs) {
        Result<double> v = run.metric(name);
        if (!v) return v.status();
        total += *v;
      }
      pooled.summary[name] = total;
    }
    Result<RunReport> pooled_report = report_capture(pooled);
    if (!pooled_report) return pooled_report.status();
    pooled_report->title = report.title;
    return pooled_report;
  }
  // Other kinds: every numeric top-level metric, with its interval.
  std::map<std::string, std::vector<double>> samples;
  for (const RunResult& run : point.runs) {
    for (const auto& [name, value] : run.summary.items()) {
      if (value.is_number() && name != "seed") samples[name].push_back(value.get<double>());
    }
  }
  for (const auto& [name, values] : samples) {
    report.rows.push_back({name, with_interval(mean_interval(values), 3, values.size()), "", ""});
  }
  return report;
}

}  // namespace

MeanInterval mean_interval(const std::vector<double>& samples, bool confidence99) {
  MeanInterval m;
  if (samples.empty()) return m;
  double n = static_cast<double>(samples.size());
  for (double x : samples) m.mean += x / n;
  if (samples.size() < 2) return {m.mean, m.mean, m.mean};
  double squares = 0;
  for (double x : samples) squares += (x - m.mean) * (x - m.mean);
  double half = t_quantile(samples.size() - 1, confidence99) * std::sqrt(squares / (n - 1) / n);
  return {m.mean, m.mean - half, m.mean + half};
}

bool is_sweep(const fs::path& folder) { return fs::exists(folder / "sweep.json"); }

Result<SweepReport> report_sweep(const fs::path& folder) {
  std::ifstream in(folder / "sweep.json");
  nlohmann::json index = nlohmann::json::parse(in, nullptr, false);
  if (!index.is_array()) return Status::error(ErrorCode::kMalformed, (folder / "sweep.json").string() + ": expected a list of runs");
  std::map<uint64_t, Point> points;
  for (const nlohmann::json& entry : index) {
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() || !entry.contains("point") ||
        !entry["point"].is_number_unsigned()) {
      return Status::error(ErrorCode::kMalformed, (folder / "sweep.json").string() + ": a run without id or point");
    }
    Point& point = points[entry["point"].get<uint64_t>()];
    point.parameters = entry.value("parameters", nlohmann::json::object());
    fs::path run_folder = folder / "runs" / entry["id"].get<std::string>();
    if (!fs::exists(run_folder / "complete")) {
      ++point.unfinished;
      continue;
    }
    Result<RunResult> run = load_run(run_folder);
    if (!run) return run.status();
    point.runs.push_back(std::move(*run));
  }
  SweepReport sweep;
  for (auto& [index_of_point, point] : points) {
    Result<RunReport> report = report_point(point);
    if (!report) return report.status();
    sweep.points.push_back(std::move(*report));
  }
  // A plot when one numeric parameter varies and every point has a headline.
  if (points.empty() || points.begin()->second.runs.empty()) return sweep;
  const nlohmann::json& first = points.begin()->second.parameters;
  if (first.size() != 1 || !first.begin().value().is_number()) return sweep;
  std::string parameter = first.begin().key();
  std::string kind = points.begin()->second.runs.front().scenario_kind();
  Series series;
  series.x_label = parameter;
  bool fetching = points.begin()->second.runs.front().summary.contains("accomplice");
  if (kind == "lazy-member" && fetching) {
    series.title = "Share of a fetching lazy member's ticks not proven (99% intervals) against the model";
    series.y_label = "ticks not proven";
  } else if (kind == "lazy-member") {
    series.title = "Ticks a lazy member survives (99% intervals) against the absorbing chain";
    series.y_label = "ticks to ejection";
    series.log_y = true;
  } else {
    series.title = "Lookup hops (95% intervals) against log2 N / log2 k";
    series.y_label = "hops";
  }
  for (const auto& [index_of_point, point] : points) {
    if (!point.headline || !point.parameters.contains(parameter) || !point.parameters[parameter].is_number()) return sweep;
    double x = point.parameters[parameter].get<double>();
    series.measured.push_back({x, point.headline->mean, point.headline->low, point.headline->high});
    series.model.push_back({x, point.model});
  }
  // The lazy-member model as a curve across the swept fraction, not only at the points.
  if (kind == "lazy-member" && !fetching && parameter == "cluster.forgotten_fraction" && series.measured.size() >= 2) {
    series.model.clear();
    double low = series.measured.front()[0], high = series.measured.back()[0];
    RunResult probe = points.begin()->second.runs.front();
    for (int i = 0; i <= 60; ++i) {
      double f = low + (high - low) * i / 60;
      probe.summary["forgotten_fraction"] = f;
      series.model.push_back({f, lazy_member_model(probe).expected_ticks_within_limit});
    }
  }
  sweep.series = std::move(series);
  return sweep;
}

}  // namespace fluence::analysis
