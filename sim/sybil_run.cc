#include "sim/sybil_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "model/adversary/id_grinder.h"
#include "model/env/random.h"
#include "sim/run_output.h"

namespace fluence::sim {

Status run_sybil_grinding(const Scenario& scenario, uint64_t seed, const std::filesystem::path& out, bool progress) {
  const SybilSpec& y = scenario.sybil;
  auto start = std::chrono::steady_clock::now();
  env::DeterministicRandom random(seed, 0x5b);
  std::vector<dht::NodeId> honest(static_cast<size_t>(y.network_nodes));
  for (dht::NodeId& id : honest) id = dht::random_id(random);

  nlohmann::json per_target = nlohmann::json::array();
  std::string csv = "target,fraction_closer,nonces,model_nonces\n";
  double nonces_total = 0, model_total = 0;
  uint64_t failed = 0;
  std::vector<dht::Distance> distances(honest.size());
  for (int t = 0; t < y.targets; ++t) {
    dht::NodeId target = dht::random_id(random);
    for (size_t i = 0; i < honest.size(); ++i) distances[i] = dht::distance(honest[i], target);
    size_t n = static_cast<size_t>(y.cluster_size) - 1;
    std::nth_element(distances.begin(), distances.begin() + static_cast<long>(n), distances.end());
    const dht::Distance& bound = distances[n];  // the n-th closest honest node
    double p = adversary::fraction_closer(bound);
    double model = std::ldexp(1.0, y.difficulty) / p;
    crypto::Secret<crypto::kSeedBytes> secret;
    random.fill(std::span<uint8_t>(secret.data(), secret.size()));
    crypto::SigningKey key = crypto::SigningKey::from_seed(secret);
    std::optional<adversary::GrindResult> result =
        adversary::grind_into_cluster(key.public_key(), y.difficulty, target, bound, 0, static_cast<uint64_t>(y.budget_nonces));
    nlohmann::json row = {{"fraction_closer", p}, {"model_nonces", model}};
    if (result) {
      row["nonces"] = result->nonces_tried;
      nonces_total += static_cast<double>(result->nonces_tried);
      model_total += model;
      csv += std::to_string(t) + "," + std::to_string(p) + "," + std::to_string(result->nonces_tried) + "," +
             std::to_string(model) + "\n";
    } else {
      row["nonces"] = nullptr;
      ++failed;
    }
    per_target.push_back(row);
    if (progress) {
      std::fprintf(stderr, "\r  target %d/%d", t + 1, y.targets);
      std::fflush(stderr);
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) std::fprintf(stderr, "\n");
  double nonces_per_second = wall > 0 ? nonces_total / wall : 0;
  nlohmann::json summary = summary_header(scenario, seed);
  summary.update({{"network_nodes", y.network_nodes},
                            {"cluster_size", y.cluster_size},
                            {"difficulty", y.difficulty},
                            {"targets", y.targets},
                            {"targets_over_budget", failed},
                            {"per_target", per_target},
                            {"nonces_mean", y.targets > static_cast<int>(failed) ? nonces_total / (y.targets - failed) : 0},
                            {"model_nonces_mean", y.targets > static_cast<int>(failed) ? model_total / (y.targets - failed) : 0},
                            {"nonces_per_second", nonces_per_second},
                            {"wall_seconds", wall}});
  FL_RETURN_IF_ERROR(write_run_files(out, summary, csv));
  std::printf("%d targets at difficulty %d among %d nodes: %.0f nonces per sybil on average (model %.0f); %.2f M nonces/s\n",
              y.targets, y.difficulty, y.network_nodes, summary["nonces_mean"].get<double>(),
              summary["model_nonces_mean"].get<double>(), nonces_per_second / 1e6);
  return Status::ok();
}

}  // namespace fluence::sim
