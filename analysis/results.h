// A simulation run's result folder, as analysis/ reads it.
//
// fluence-sim writes DIR/summary.json (scenario, seed, outcome metrics) and
// DIR/timeseries.csv; nothing here knows how the run was made.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "model/base/status.h"

namespace fluence::analysis {

struct RunResult {
  std::filesystem::path folder;
  nlohmann::json summary;

  std::string scenario_kind() const;
  // A numeric metric, or kNotFound naming the metric and the folder.
  Result<double> metric(const std::string& name) const;
  // Ok if every one of `names` is a numeric metric; else the first error.
  Status require(std::initializer_list<const char*> names) const;
};

Result<RunResult> load_run(const std::filesystem::path& folder);

}  // namespace fluence::analysis
