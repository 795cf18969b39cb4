#include "sim/capture_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>

#include <nlohmann/json.hpp>

#include "model/dht/node_id.h"
#include "model/env/random.h"
#include "sim/run_output.h"

namespace fluence::sim {

namespace {

// Indices of the `count` ids closest to `target`, skipping `excluded`.
std::vector<size_t> closest(const std::vector<dht::NodeId>& ids, const dht::NodeId& target, size_t count,
                            const std::vector<bool>& excluded) {
  std::vector<std::pair<dht::Distance, size_t>> order;
  order.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!excluded[i]) order.emplace_back(dht::distance(ids[i], target), i);
  }
  std::nth_element(order.begin(), order.begin() + static_cast<long>(count - 1), order.end());
  std::vector<size_t> out;
  for (size_t i = 0; i < count; ++i) out.push_back(order[i].second);
  return out;
}

}  // namespace

Status run_committee_capture(const Scenario& scenario, uint64_t seed, const std::filesystem::path& out, bool progress) {
  const CaptureSpec& c = scenario.capture;
  auto start = std::chrono::steady_clock::now();
  env::DeterministicRandom random(seed, 0xca);
  size_t n = static_cast<size_t>(c.network_nodes);
  std::vector<dht::NodeId> ids(n);
  // Ids are uniform whoever owns them, so the attacker's are simply the first M.
  size_t malicious = static_cast<size_t>(std::llround(c.malicious_fraction * static_cast<double>(n)));
  auto is_malicious = [&](size_t i) { return i < malicious; };
  size_t f = static_cast<size_t>((c.cluster_size - 1) / 3);
  size_t arbiter_quorum = static_cast<size_t>(c.arbiters) / 2 + 1;
  uint64_t stall = 0, capture = 0, arbiters_held = 0, undetected = 0;
  std::vector<uint64_t> cluster_histogram(static_cast<size_t>(c.cluster_size) + 1, 0);
  std::vector<bool> none(n, false);
  for (int d = 0; d < c.datasets; ++d) {
    // A fresh network per dataset: in one network, the clusters of nearby
    // datasets share nodes, so its datasets are not independent samples.
    for (dht::NodeId& id : ids) id = dht::random_id(random);
    dht::NodeId dataset = dht::random_id(random), anchor = dht::random_id(random);
    std::vector<size_t> cluster = closest(ids, dataset, static_cast<size_t>(c.cluster_size), none);
    size_t bad = static_cast<size_t>(std::count_if(cluster.begin(), cluster.end(), is_malicious));
    std::vector<bool> in_cluster(n, false);
    for (size_t i : cluster) in_cluster[i] = true;
    std::vector<size_t> committee = closest(ids, anchor, static_cast<size_t>(c.arbiters), in_cluster);
    size_t bad_arbiters = static_cast<size_t>(std::count_if(committee.begin(), committee.end(), is_malicious));
    ++cluster_histogram[bad];
    if (bad >= f + 1) ++stall;
    if (bad >= 2 * f + 1) ++capture;
    if (bad_arbiters >= arbiter_quorum) ++arbiters_held;
    if (bad >= 2 * f + 1 && bad_arbiters >= arbiter_quorum) ++undetected;
    if (progress && d % 100 == 0) {
      std::fprintf(stderr, "\r  dataset %d/%d", d, c.datasets);
      std::fflush(stderr);
    }
  }
  if (progress) std::fprintf(stderr, "\n");
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = summary_header(scenario, seed);
  summary.update({{"network_nodes", c.network_nodes},
                            {"malicious_nodes", malicious},
                            {"malicious_fraction", c.malicious_fraction},
                            {"cluster_size", c.cluster_size},
                            {"arbiters", c.arbiters},
                            {"datasets", c.datasets},
                            {"clusters_stalled", stall},
                            {"clusters_captured", capture},
                            {"arbiter_majorities", arbiters_held},
                            {"undetected_captures", undetected},
                            {"malicious_per_cluster", cluster_histogram},
                            {"wall_seconds", wall}});
  std::string csv = "malicious_in_cluster,datasets\n";
  for (size_t k = 0; k < cluster_histogram.size(); ++k) csv += std::to_string(k) + "," + std::to_string(cluster_histogram[k]) + "\n";
  FL_RETURN_IF_ERROR(write_run_files(out, summary, csv));
  std::printf("%d datasets, %.0f%% malicious: clusters stalled %llu, captured %llu; arbiter majorities %llu; "
              "undetected captures %llu\n",
              c.datasets, 100 * c.malicious_fraction, static_cast<unsigned long long>(stall),
              static_cast<unsigned long long>(capture), static_cast<unsigned long long>(arbiters_held),
              static_cast<unsigned long long>(undetected));
  return Status::ok();
}

}  // namespace fluence::sim
