#include "analysis/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "analysis/kademlia_model.h"

namespace fluence::analysis {

namespace {

std::string format(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string string_field(const RunResult& run, const char* name) {
  auto it = run.summary.find(name);
  if (it == run.summary.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Result<RunReport> report_kademlia(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  const char* required[] = {"nodes", "lookups", "lookup_success_rate", "hops_mean", "hops_p99",
                            "messages_per_lookup"};
  for (const char* name : required) {
    if (Result<double> value = run.metric(name); !value) return value.status();
  }
  double nodes = *run.metric("nodes");
  double lookups = *run.metric("lookups");
  double success = *run.metric("lookup_success_rate");
  double hops_mean = *run.metric("hops_mean");
  Result<double> bucket = run.metric("bucket_size");
  int k = bucket ? static_cast<int>(*bucket) : 20;

  HopPrediction hops = predict_hops(static_cast<uint64_t>(nodes), k);
  uint64_t successes = static_cast<uint64_t>(std::llround(success * lookups));
  Interval interval = wilson_interval(successes, static_cast<uint64_t>(lookups));

  report.rows.push_back({"nodes", format(nodes, 0), "", ""});
  report.rows.push_back({"lookups", format(lookups, 0), "", ""});
  report.rows.push_back({"lookup success rate",
                         format(success, 4) + " [99% CI " + format(interval.low, 4) + ", " +
                             format(interval.high, 4) + "]",
                         ">= 0.99", interval.high >= 0.99 ? "ok" : "DISAGREES"});
  report.rows.push_back({"hops (mean)", format(hops_mean, 2),
                         "<= log2 N = " + format(hops.log2_n, 1) + "; ~log2 N / log2 k = " +
                             format(hops.estimate, 1),
                         hops_mean <= hops.log2_n ? "ok" : "DISAGREES"});
  report.rows.push_back({"hops (p99)", format(*run.metric("hops_p99"), 0),
                         "<= log2 N = " + format(hops.log2_n, 1),
                         *run.metric("hops_p99") <= std::ceil(hops.log2_n) ? "ok" : "DISAGREES"});
  report.rows.push_back({"messages per lookup", format(*run.metric("messages_per_lookup"), 1), "", ""});
  for (const char* optional : {"recall_mean", "simulated_seconds", "wall_seconds", "peak_rss_mb",
                               "messages_sent", "dropped"}) {
    if (Result<double> value = run.metric(optional)) {
      report.rows.push_back({optional, format(*value, *value == std::floor(*value) ? 0 : 3), "", ""});
    }
  }
  report.rows.push_back({"trace hash", string_field(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

// Spot-checking PoR: a replica missing a fraction f of its n entries fails a
// challenge of c indices drawn with replacement with probability 1 - (1 - f)^c.
Result<RunReport> report_por(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  auto cases = run.summary.find("cases");
  if (cases == run.summary.end() || !cases->is_array()) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'cases' list");
  }
  for (size_t i = 0; i < cases->size(); ++i) {
    const nlohmann::json& c = (*cases)[i];
    for (const char* field : {"entries", "forgotten_entries", "chunks", "rounds", "detected", "honest_failures"}) {
      if (!c.contains(field) || !c[field].is_number()) {
        return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": cases[" +
                                                       std::to_string(i) + "] has no numeric '" + field + "'");
      }
    }
    double f = c["forgotten_entries"].get<double>() / std::max(1.0, c["entries"].get<double>());
    int chunks = c["chunks"].get<int>();
    uint64_t rounds = c["rounds"].get<uint64_t>(), detected = c["detected"].get<uint64_t>();
    double predicted = 1 - std::pow(1 - f, chunks);
    Interval interval = wilson_interval(detected, rounds);
    bool inside = predicted >= interval.low && predicted <= interval.high;
    report.rows.push_back({"detection, f = " + format(f, 3) + ", c = " + std::to_string(chunks),
                           format(rounds ? static_cast<double>(detected) / rounds : 0, 3) + " of " +
                               std::to_string(rounds) + " [99% CI " + format(interval.low, 3) + ", " +
                               format(interval.high, 3) + "]",
                           "1 - (1 - f)^c = " + format(predicted, 3), inside ? "ok" : "DISAGREES"});
    int honest = c["honest_failures"].get<int>();
    if (honest != 0) report.rows.push_back({"honest replicas failed", std::to_string(honest), "0", "DISAGREES"});
  }
  report.rows.push_back({"trace hash", string_field(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

}  // namespace

bool RunReport::disagrees() const {
  return std::any_of(rows.begin(), rows.end(), [](const ReportRow& r) { return r.verdict == "DISAGREES"; });
}

Result<RunReport> report_run(const RunResult& run) {
  std::string kind = run.scenario_kind();
  if (kind == "kademlia-lookup") return report_kademlia(run);
  if (kind == "por-detection") return report_por(run);
  return Status::error(ErrorCode::kInvalidArgument,
                       (run.folder / "summary.json").string() + ": no report for scenario kind '" +
                           kind + "'");
}

std::string render_table(const RunReport& report) {
  size_t widths[4] = {8, 8, 5, 7};
  for (const ReportRow& row : report.rows) {
    widths[0] = std::max(widths[0], row.quantity.size());
    widths[1] = std::max(widths[1], row.measured.size());
    widths[2] = std::max(widths[2], row.model.size());
    widths[3] = std::max(widths[3], row.verdict.size());
  }
  std::ostringstream out;
  auto line = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d) {
    out << "  " << a << std::string(widths[0] - a.size() + 2, ' ') << b
        << std::string(widths[1] - b.size() + 2, ' ') << c << std::string(widths[2] - c.size() + 2, ' ')
        << d << "\n";
  };
  out << report.title << "\n";
  line("quantity", "measured", "model", "verdict");
  line(std::string(widths[0], '-'), std::string(widths[1], '-'), std::string(widths[2], '-'),
       std::string(widths[3], '-'));
  for (const ReportRow& row : report.rows) line(row.quantity, row.measured, row.model, row.verdict);
  return out.str();
}

std::string render_markdown(const std::vector<RunReport>& reports) {
  std::ostringstream out;
  out << "# Simulation report\n\n";
  for (const RunReport& report : reports) {
    out << "## " << report.title << "\n\n| quantity | measured | model | verdict |\n|---|---|---|---|\n";
    for (const ReportRow& row : report.rows) {
      out << "| " << row.quantity << " | " << row.measured << " | " << row.model << " | " << row.verdict
          << " |\n";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace fluence::analysis
