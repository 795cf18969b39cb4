// What every run writes: DIR/summary.json, which opens with the scenario's
// kind, name, question and the seed, and DIR/timeseries.csv.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/scenario.h"

namespace fluence::sim {

class World;

nlohmann::json summary_header(const Scenario& scenario, uint64_t seed);
// This process's peak resident memory.
double peak_rss_mb();
// What every run on the simulated network reports beside its own
// measurements: messages and bytes sent, the trace hash, simulated and wall
// seconds, and peak memory.
nlohmann::json run_cost(World& world, double simulated_seconds, double wall_seconds);
// Creates `out` and writes both files; the error names the folder.
Status write_run_files(const std::filesystem::path& out, const nlohmann::json& summary, const std::string& timeseries_csv);

}  // namespace fluence::sim
