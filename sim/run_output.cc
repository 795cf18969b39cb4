#include "sim/run_output.h"

#include <sys/resource.h>

#include <fstream>

#include "sim/world.h"

namespace fluence::sim {

nlohmann::json summary_header(const Scenario& scenario, uint64_t seed) {
  return {{"kind", scenario.kind}, {"scenario", scenario.name}, {"question", scenario.question}, {"seed", seed}};
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

nlohmann::json run_cost(World& world, double simulated_seconds, double wall_seconds) {
  return {{"messages_sent", world.counters().messages_sent},
          {"bytes_sent", world.counters().bytes_sent},
          {"trace_hash", world.trace_hash_hex()},
          {"simulated_seconds", simulated_seconds},
          {"wall_seconds", wall_seconds},
          {"peak_rss_mb", peak_rss_mb()}};
}

Status write_run_files(const std::filesystem::path& out, const nlohmann::json& summary, const std::string& timeseries_csv) {
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) return Status::error(ErrorCode::kIo, out.string() + ": " + error.message());
  std::ofstream file(out / "summary.json");
  file << summary.dump(2) << "\n";
  std::ofstream csv(out / "timeseries.csv");
  csv << timeseries_csv;
  if (!file || !csv) return Status::error(ErrorCode::kIo, "cannot write results into " + out.string());
  return Status::ok();
}

}  // namespace fluence::sim
