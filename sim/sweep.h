// Parameter sweeps: one scenario file, many runs.
//
// A scenario may carry a "sweep" object:
//   "sweep": {"parameters": {"dht.bucket_size": [10, 20], "nodes": [200, 400]},
//             "seeds": [1, 2, 3]}          (or "seed_count": N for seeds 1..N)
// Every combination of parameter values (a point) runs once per seed. A
// parameter is a dotted path into the scenario; each run's scenario is the
// file with the values set and the sweep removed, checked like any scenario
// before anything starts, so a misspelt path is an error naming it.
//
// The runs are separate fluence-sim processes, `jobs` at a time, each writing
// OUT/runs/<id>/ (its results, scenario.json and log.txt); a run is finished
// once OUT/runs/<id>/complete exists, written after the process succeeded.
// Running the sweep again skips finished runs, so an interrupted sweep
// resumes where it stopped. OUT/sweep.json lists every run and its point.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/base/status.h"

namespace fluence::sim {

struct SweepRun {
  std::string id;                  // p<point>-seed<seed>, unique in the sweep
  size_t point = 0;
  uint64_t seed = 0;
  nlohmann::json parameters;       // {"path": value, ...} for this point
  nlohmann::json scenario;         // the concrete scenario, sweep removed
};

// Expands a scenario file's sweep; `source` names it in errors. A file
// without a sweep is an error (it is a single run).
Result<std::vector<SweepRun>> expand_sweep(const nlohmann::json& file, const std::string& source);

struct SweepOptions {
  std::string out;           // the sweep's folder
  std::string executable;    // fluence-sim itself, to run each run
  int jobs = 1;
  bool progress = true;      // a progress bar with an ETA on stderr
};

struct SweepOutcome {
  size_t skipped = 0;   // finished before this invocation
  size_t finished = 0;  // finished now
  std::vector<std::string> failed;
};

// Runs what is not finished. Errors only for what stops the whole sweep
// (the folder cannot be written); failed runs are listed in the outcome.
Result<SweepOutcome> run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& options);

}  // namespace fluence::sim
