// Runs the fluence-sim executable (FLUENCE_SIM_BINARY, set by the test's
// CMake target) on a scenario, one SimGrid engine per process, and returns
// its exit code, output and summary.json.
#pragma once

#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace fluence::sim::testing {

struct SimRun {
  int exit_code = -1;
  std::string output;
  nlohmann::json summary;
};

inline SimRun run_sim(const std::string& scenario, const std::string& extra = "") {
  namespace fs = std::filesystem;
  static int counter = 0;
  fs::path out = fs::temp_directory_path() /
                 ("fluence-sim-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
  fs::remove_all(out);
  std::string command =
      std::string(FLUENCE_SIM_BINARY) + " " + scenario + " --quiet --out " + out.string() + " " + extra + " 2>&1";
  SimRun run;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) run.output += buffer;
  int status = pipe ? pclose(pipe) : -1;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out / "summary.json");
  if (in) in >> run.summary;
  fs::remove_all(out);
  return run;
}

// run_sim on a scenario given as JSON text, written to a temporary file
// (named after `name`) for the run and removed after it.
inline SimRun run_sim_text(const std::string& name, const std::string& scenario_json, const std::string& extra = "") {
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()) + ".json");
  std::ofstream(file) << scenario_json;
  SimRun run = run_sim(file.string(), extra);
  fs::remove(file);
  return run;
}

}  // namespace fluence::sim::testing
