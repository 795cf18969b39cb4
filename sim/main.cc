// fluence-sim: runs a scenario in simulation and writes its results folder.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <optional>

#include "sim/kademlia_run.h"
#include "sim/por_run.h"
#include "sim/scenario.h"
#include "sim/world.h"

int main(int argc, char** argv) {
  CLI::App app{"Runs a fluence scenario in simulation (SimGrid).\n"
               "Writes DIR/summary.json and DIR/timeseries.csv; a run is a function of (scenario, seed)."};
  std::string scenario_path;
  std::optional<uint64_t> seed;
  std::string out;
  bool quiet = false;
  std::string log_level = "warning";
  app.add_option("SCENARIO", scenario_path, "scenario file (JSON), see scenarios/README.md")->required();
  app.add_option("--seed", seed, "seed (default: the scenario's)");
  app.add_option("--out", out, "results folder (default: results/<scenario>-seed<N>)");
  app.add_flag("--quiet", quiet, "no progress line");
  app.add_option("--log", log_level, "protocol log threshold: debug, info, warning, error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  CLI11_PARSE(app, argc, argv);

  fluence::Result<fluence::sim::Scenario> scenario = fluence::sim::load_scenario(scenario_path);
  if (!scenario) {
    std::cerr << "fluence-sim: " << scenario.status().message() << "\n";
    return 2;
  }
  uint64_t run_seed = seed.value_or(scenario->seed);
  if (out.empty()) out = "results/" + scenario->name + "-seed" + std::to_string(run_seed);

  // SimGrid reads its own options from argv; give it only ours, as config.
  std::string log_option = "--log=fluence.thres:" + log_level;
  std::string binding_log = "--log=fluence_sim.thres:warning";
  std::string root_log = "--log=root.thres:warning";
  char* engine_argv[] = {argv[0], root_log.data(), log_option.data(), binding_log.data(), nullptr};
  auto wall_start = std::chrono::steady_clock::now();
  fluence::sim::World world(*scenario, run_seed, 4, engine_argv);
  bool progress = !quiet && isatty(STDERR_FILENO);
  auto finish = [&](auto& run) {
    run.schedule();
    world.run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    fluence::Status written = run.write_results(out, wall);
    if (!written.is_ok()) {
      std::cerr << "fluence-sim: " << written.message() << "\n";
      return 1;
    }
    run.print_summary(wall);
    return 0;
  };
  int status = 0;
  if (scenario->kind == "por-detection") {
    fluence::sim::PorRun run(world, *scenario, run_seed, progress);
    run.configure();
    status = finish(run);
  } else {
    fluence::sim::KademliaRun run(world, *scenario, run_seed, progress);
    status = finish(run);
  }
  if (status != 0) return status;
  std::cout << "results: " << out << "\n";
  return 0;
}
