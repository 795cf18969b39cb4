// The "committee-capture" scenario (scenario.h, CaptureSpec): placement
// sampled with real ids and XOR distances, counting how often an attacker
// holding a fraction of the network holds enough of a cluster and of its
// arbiters to cheat. Each dataset is placed in a freshly drawn network, so
// the samples are independent. analysis/ sets the rates beside
// hypergeometric tails.
#pragma once

#include <filesystem>

#include "sim/scenario.h"

namespace fluence::sim {

Status run_committee_capture(const Scenario& scenario, uint64_t seed, const std::filesystem::path& out, bool progress);

}  // namespace fluence::sim
