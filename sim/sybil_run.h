// The "sybil-grinding" scenario: what it costs to place a sybil in a chosen
// dataset's cluster (model/adversary/id_grinder.h). No network is simulated:
// the honest ids are uniform, and the run grinds real ids with the real
// puzzle, counting nonces, beside the model 2^difficulty / p per target.
#pragma once

#include <filesystem>

#include "sim/scenario.h"

namespace fluence::sim {

// Runs the scenario and writes DIR/summary.json and DIR/timeseries.csv (one
// row per target); prints a summary line.
Status run_sybil_grinding(const Scenario& scenario, uint64_t seed, const std::filesystem::path& out, bool progress);

}  // namespace fluence::sim
