// fluence-sim: runs a scenario in simulation and writes its results folder.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "sim/capture_run.h"
#include "sim/cluster_run.h"
#include "sim/kademlia_run.h"
#include "sim/network_por_run.h"
#include "sim/por_run.h"
#include "sim/scenario.h"
#include "sim/share_run.h"
#include "sim/sweep.h"
#include "sim/sybil_run.h"
#include "sim/world.h"

namespace {

// A scenario with a "sweep" runs as many child runs (sim/sweep.h).
int run_sweep_file(const std::string& path, const nlohmann::json& file, std::string out, int jobs, bool quiet) {
  fluence::Result<std::vector<fluence::sim::SweepRun>> runs = fluence::sim::expand_sweep(file, path);
  if (!runs) {
    std::cerr << "fluence-sim: " << runs.status().message() << "\n";
    return 2;
  }
  if (out.empty()) out = "results/" + file.value("name", file.value("kind", std::string("sweep"))) + "-sweep";
  fluence::sim::SweepOptions options;
  options.out = out;
  options.executable = std::filesystem::read_symlink("/proc/self/exe").string();
  options.jobs = jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.progress = !quiet;
  fluence::Result<fluence::sim::SweepOutcome> outcome = fluence::sim::run_sweep(*runs, options);
  if (!outcome) {
    std::cerr << "fluence-sim: " << outcome.status().message() << "\n";
    return 1;
  }
  std::cout << "sweep: " << runs->size() << " runs, " << outcome->skipped << " finished before, " << outcome->finished
            << " now, " << outcome->failed.size() << " failed\n";
  for (const std::string& failed : outcome->failed) std::cout << "failed: " << failed << "\n";
  std::cout << "results: " << out << "\n";
  return outcome->failed.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs a fluence scenario in simulation (SimGrid).\n"
               "Writes DIR/summary.json and DIR/timeseries.csv; a run is a function of (scenario, seed).\n"
               "A scenario with a \"sweep\" runs every point and seed as separate processes into DIR/runs/,\n"
               "skipping runs finished before (an interrupted sweep resumes)."};
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
  int jobs = 0;
  app.add_option("--jobs,-j", jobs, "sweeps: runs at a time (default: one per core)")->check(CLI::Range(1, 1024));
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(scenario_path);
  if (!in) {
    std::cerr << "fluence-sim: " << scenario_path << ": cannot open\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json file = nlohmann::json::parse(text.str(), nullptr, false);
  if (file.is_object() && file.contains("sweep")) {
    if (seed) {
      std::cerr << "fluence-sim: --seed: a sweep names its seeds (scenario.sweep.seeds)\n";
      return 2;
    }
    return run_sweep_file(scenario_path, file, out, jobs, quiet || !isatty(STDERR_FILENO));
  }

  fluence::Result<fluence::sim::Scenario> scenario = fluence::sim::parse_scenario(text.str(), scenario_path);
  if (!scenario) {
    std::cerr << "fluence-sim: " << scenario.status().message() << "\n";
    return 2;
  }
  uint64_t run_seed = seed.value_or(scenario->seed);
  if (out.empty()) out = "results/" + scenario->name + "-seed" + std::to_string(run_seed);

  if (scenario->kind == "sybil-grinding" || scenario->kind == "committee-capture") {  // no network to simulate
    bool bar = !quiet && isatty(STDERR_FILENO);
    fluence::Status done = scenario->kind == "sybil-grinding"
                               ? fluence::sim::run_sybil_grinding(*scenario, run_seed, out, bar)
                               : fluence::sim::run_committee_capture(*scenario, run_seed, out, bar);
    if (!done.is_ok()) {
      std::cerr << "fluence-sim: " << done.message() << "\n";
      return 1;
    }
    std::cout << "results: " << out << "\n";
    return 0;
  }
  // SimGrid reads its own options from argv; give it only ours, as config.
  std::string log_option = "--log=fluence.thres:" + log_level;
  std::string binding_log = "--log=fluence_sim.thres:warning";
  std::string root_log = "--log=root.thres:warning";
  char* engine_argv[] = {argv[0], root_log.data(), log_option.data(), binding_log.data(), nullptr};
  auto wall_start = std::chrono::steady_clock::now();
  if (scenario->signatures == "cost-model") fluence::crypto::use_modelled_signatures();
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
  if (scenario->kind == "lazy-member" || scenario->kind == "region-ban" || scenario->kind == "fast-clock" ||
      scenario->kind == "colluding-cluster" || scenario->kind == "flaky-members") {
    fluence::sim::ClusterRun run(world, *scenario, run_seed, progress);
    run.configure();
    status = finish(run);
  } else if (scenario->kind == "denial-of-remove") {
    fluence::sim::ShareRun run(world, *scenario, run_seed, progress);
    run.configure();
    status = finish(run);
  } else if (scenario->kind == "por-network") {
    fluence::sim::NetworkPorRun run(world, *scenario, run_seed, progress);
    run.configure();
    status = finish(run);
  } else if (scenario->kind == "por-detection") {
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
