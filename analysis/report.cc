#include "analysis/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "analysis/ejection_model.h"
#include "analysis/kademlia_model.h"

namespace fluence::analysis {

namespace {

std::string format(double value, int decimals) { return format_fixed(value, decimals); }

std::string string_field(const RunResult& run, const char* name) {
  auto it = run.summary.find(name);
  if (it == run.summary.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Result<RunReport> report_kademlia(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  FL_RETURN_IF_ERROR(run.require({"nodes", "lookups", "lookup_success_rate", "hops_mean", "hops_p99", "messages_per_lookup"}));
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

// A lazy member against the absorbing chain of ejection_model.h.
Result<RunReport> report_lazy_member(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  FL_RETURN_IF_ERROR(run.require({"forgotten_fraction", "chunks", "arbiters", "eject_after_failed_ticks", "ticks_limit",
                           "ejected", "recovered", "honest_failed_outcomes", "honest_ejected"}));
  LazyMemberModel model = lazy_member_model(run);
  auto ticks = run.summary.find("ticks_to_ejection");
  if (ticks == run.summary.end() || !ticks->is_array()) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'ticks_to_ejection' list");
  }
  report.rows.push_back({"tick fails (q)", "", format(model.q, 3), ""});
  for (size_t i = 0; i < ticks->size(); ++i) {
    const nlohmann::json& t = (*ticks)[i];
    std::string what = "ticks to ejection, lazy member " + std::to_string(i + 1);
    std::string expected = "mean " + format(model.expected_ticks, 2);
    if (t.is_number()) {
      uint64_t measured = t.get<uint64_t>();
      // Two-sided: the measurement is plausible unless it sits in either 0.5% tail.
      double below = measured == 0 ? 0 : ejection_within(model.q, model.run_length, measured - 1);
      double at_most = ejection_within(model.q, model.run_length, measured);
      bool plausible = below < 0.995 && at_most > 0.005;
      report.rows.push_back({what, std::to_string(measured), expected + "; P(T <= " + std::to_string(measured) + ") = " +
                                                                 format(at_most, 3),
                             plausible ? "ok" : "DISAGREES"});
    } else {
      uint64_t limit = static_cast<uint64_t>(*run.metric("ticks_limit"));
      double within = ejection_within(model.q, model.run_length, limit);
      report.rows.push_back({what, "not within " + std::to_string(limit), expected + "; P(T <= limit) = " + format(within, 3),
                             within < 0.995 ? "ok" : "DISAGREES"});
    }
  }
  RecruitTally recruits;
  FL_RETURN_IF_ERROR(recruits.add(run));
  report.rows.push_back(recruits.row());
  double honest = *run.metric("honest_failed_outcomes");
  report.rows.push_back({"honest members' failed outcomes", format(honest, 0), "0", honest == 0 ? "ok" : "DISAGREES"});
  double honest_ejected = *run.metric("honest_ejected");
  report.rows.push_back({"honest members ejected", format(honest_ejected, 0), "0", honest_ejected == 0 ? "ok" : "DISAGREES"});
  for (const char* optional : {"height", "messages_sent", "simulated_seconds", "wall_seconds"}) {
    if (Result<double> value = run.metric(optional)) {
      report.rows.push_back({optional, format(*value, *value == std::floor(*value) ? 0 : 1), "", ""});
    }
  }
  report.rows.push_back({"trace hash", string_field(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

// A region ban: offline members are replaced after exactly the SLA's offline
// ticks if the rest can still commit blocks (at most f banned), never if not:
// the ejection votes must go on chain, and 2f + 1 members commit it.
Result<RunReport> report_region_ban(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  FL_RETURN_IF_ERROR(run.require({"members", "banned_members", "eject_after_offline_ticks", "ticks_limit", "ejected", "recovered",
                           "honest_failed_outcomes", "honest_ejected"}));
  auto ticks = run.summary.find("ticks_to_ejection");
  auto writes = run.summary.find("writes");
  if (ticks == run.summary.end() || !ticks->is_array() || writes == run.summary.end() || !writes->is_object()) {
    return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'ticks_to_ejection' or 'writes'");
  }
  double members = *run.metric("members"), banned = *run.metric("banned_members");
  bool live = banned <= std::floor((members - 1) / 3);
  double offline = *run.metric("eject_after_offline_ticks");
  std::string model = live ? format(offline, 0) + " (the SLA's offline ticks)"
                           : "never: " + format(members - banned, 0) + " of " + format(members, 0) +
                                 " cannot commit the votes";
  for (size_t i = 0; i < ticks->size(); ++i) {
    const nlohmann::json& t = (*ticks)[i];
    std::string what = "ticks from ban to replacement, member " + std::to_string(i + 1);
    if (t.is_number()) {
      double measured = t.get<double>();
      bool agrees = live && measured >= offline && measured <= offline + 1;  // the votes may land in the next tick
      report.rows.push_back({what, format(measured, 0), model, agrees ? "ok" : "DISAGREES"});
    } else {
      report.rows.push_back({what, "not within " + format(*run.metric("ticks_limit"), 0) + " ticks", model,
                             live ? "DISAGREES" : "ok"});
    }
  }
  if (!live && run.summary.contains("captured")) {
    // Halted for good: no vote can go on chain, but the arbiters replace the
    // whole cluster by a certificate once it has made no block for
    // halt_ticks (model/cluster/capture.h), when they outnumber it. The
    // arbiters' last block is of the ban's tick, so the certificate comes at
    // ban_tick + halt_ticks, and the recruits seal within the tick after.
    FL_RETURN_IF_ERROR(run.require({"replaceable", "replaced", "recruits_joined", "halt_ticks", "ban_tick"}));
    bool replaceable = *run.metric("replaceable") != 0 && *run.metric("halt_ticks") > 0;
    double halt = *run.metric("halt_ticks"), ban = *run.metric("ban_tick");
    bool expected = replaceable && ban + halt + 1 < *run.metric("ticks_limit");
    bool replaced = *run.metric("replaced") != 0;
    Result<double> at = run.metric("replaced_tick");
    std::string measured = replaced && at ? "tick " + format(*at, 0) + " (" + format(*at - ban, 0) + " after the ban), " +
                                                format(*run.metric("recruits_joined"), 0) + " recruits joined"
                                          : "no";
    std::string bound = expected ? "by tick " + format(ban + halt + 1, 0) + " (ban + halt_ticks + 1), all " + format(members, 0) +
                                       " recruits"
                                 : "no (" + std::string(replaceable ? "not within the run" : "no more arbiters than members") + ")";
    bool agrees = expected ? replaced && at && *at <= ban + halt + 1 && *run.metric("recruits_joined") == members : !replaced;
    report.rows.push_back({"halted cluster replaced by the arbiters' certificate, sealing again", measured, bound,
                           agrees ? "ok" : "DISAGREES"});
  }
  for (const char* window : {"before", "during", "after"}) {
    auto found = writes->find(window);
    if (found == writes->end() || !found->is_object() || !(*found)["tried"].is_number_unsigned() ||
        !(*found)["committed"].is_number_unsigned()) {
      return Status::error(ErrorCode::kNotFound, (run.folder / "summary.json").string() + ": no 'writes." + window + "' counts");
    }
    const nlohmann::json& w = *found;
    uint64_t tried = w.value("tried", uint64_t{0}), committed = w.value("committed", uint64_t{0});
    if (tried == 0) continue;
    Interval interval = wilson_interval(committed, tried);
    bool expect_all = std::string(window) != "during" || live;
    bool agrees = expect_all ? interval.high >= 0.99 : interval.low <= 0.01;
    report.rows.push_back({std::string("writes committed ") + window + " the outage",
                           std::to_string(committed) + " of " + std::to_string(tried) + " [99% CI " +
                               format(interval.low, 3) + ", " + format(interval.high, 3) + "]",
                           expect_all ? "all" : "none", agrees ? "ok" : "DISAGREES"});
  }
  RecruitTally recruits;
  FL_RETURN_IF_ERROR(recruits.add(run));
  report.rows.push_back(recruits.row());
  double honest = *run.metric("honest_failed_outcomes");
  report.rows.push_back({"honest members' failed outcomes", format(honest, 0), "0", honest == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"trace hash", string_field(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

// Clocks that run ahead: members reject a proposal whose tick is ahead of
// their own clock, so at most f fast members commit nothing early; a whole
// fast cluster commits early blocks, but the arbiters seal none before their
// own clocks reach its tick.
Result<RunReport> report_fast_clock(const RunResult& run) {
  RunReport report;
  report.title = string_field(run, "scenario") + " (seed " + string_field(run, "seed") + ")";
  FL_RETURN_IF_ERROR(run.require({"members", "fast_members", "height", "sealed_height", "early_blocks", "max_tick_lead",
                           "max_sealed_tick_lead", "honest_failed_outcomes"}));
  double members = *run.metric("members"), fast = *run.metric("fast_members");
  bool minority = fast <= std::floor((members - 1) / 3);
  double early = *run.metric("early_blocks");
  report.rows.push_back({"fast members", format(fast, 0) + " of " + format(members, 0), "", ""});
  report.rows.push_back({"blocks committed for a tick not yet come",
                         format(early, 0) + " of " + format(*run.metric("height"), 0) + " (lead up to " +
                             format(*run.metric("max_tick_lead"), 0) + " ticks)",
                         minority ? "0: 2f + 1 members' clocks reject them" : "some: 2f + 1 fast members accept them",
                         minority ? (early == 0 ? "ok" : "DISAGREES") : (early > 0 ? "ok" : "DISAGREES")});
  double sealed_lead = *run.metric("max_sealed_tick_lead");
  report.rows.push_back({"sealed block ahead of true time (ticks, max)", format(sealed_lead, 0),
                         "<= 0: arbiters seal on their own clocks", sealed_lead <= 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"blocks sealed", format(*run.metric("sealed_height"), 0) + " of " + format(*run.metric("height"), 0),
                         minority ? "all but the last few" : "only those whose tick has come", ""});
  double honest = *run.metric("honest_failed_outcomes");
  report.rows.push_back({"honest members' failed outcomes", format(honest, 0), "0", honest == 0 ? "ok" : "DISAGREES"});
  report.rows.push_back({"trace hash", string_field(run, "trace_hash").substr(0, 16), "", ""});
  return report;
}

}  // namespace

LazyMemberModel lazy_member_model(const RunResult& run) {
  auto number = [&](const char* name, double fallback) {
    Result<double> value = run.metric(name);
    return value ? *value : fallback;
  };
  LazyMemberModel m;
  int arbiters = static_cast<int>(number("arbiters", 3));
  m.run_length = static_cast<int>(number("eject_after_failed_ticks", 3));
  m.q = tick_failure_probability(number("forgotten_fraction", 0), static_cast<int>(number("chunks", 1)), arbiters);
  m.expected_ticks = m.q > 0 ? expected_ticks_to_ejection(m.q, m.run_length) : INFINITY;
  double limit = number("ticks_limit", 0);
  m.expected_ticks_within_limit = limit > 0 ? expected_ticks_within(m.q, m.run_length, static_cast<uint64_t>(limit))
                                            : m.expected_ticks;
  return m;
}

std::string format_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

Status RecruitTally::add(const RunResult& run) {
  FL_RETURN_IF_ERROR(run.require({"ejected", "recovered"}));
  double run_ejected = *run.metric("ejected");
  Result<double> run_checked = run.metric("recruits_checked");
  ejected += run_ejected;
  checked += run_checked ? *run_checked : run_ejected;
  recovered += *run.metric("recovered");
  return Status::ok();
}

ReportRow RecruitTally::row() const {
  std::string measured = format_fixed(recovered, 0) + " of " + format_fixed(checked, 0);
  if (ejected > checked) measured += " (" + format_fixed(ejected - checked, 0) + " ejected in the run's last tick, not checked)";
  return {"recruits rebuilt and joined", measured, "all", recovered == checked ? "ok" : "DISAGREES"};
}

bool RunReport::disagrees() const {
  return std::any_of(rows.begin(), rows.end(), [](const ReportRow& r) { return r.verdict == "DISAGREES"; });
}

Result<RunReport> report_run(const RunResult& run) {
  std::string kind = run.scenario_kind();
  if (kind == "kademlia-lookup") return report_kademlia(run);
  if (kind == "por-detection") return report_por(run);
  if (kind == "lazy-member") return run.summary.contains("accomplice") ? report_lazy_fetch(run) : report_lazy_member(run);
  if (kind == "region-ban") return report_region_ban(run);
  if (kind == "sybil-grinding") return report_sybil(run);
  if (kind == "committee-capture") return report_capture(run);
  if (kind == "fast-clock") return report_fast_clock(run);
  if (kind == "colluding-cluster") return report_collusion({run});
  if (kind == "flaky-members") return report_flaky({run});
  if (kind == "denial-of-remove") return report_denial({run});
  if (kind == "por-network") return report_por_network(run);
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
