#include "sim/kademlia_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/run_output.h"

namespace fluence::sim {

namespace {
double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double join_time(const Scenario& s, size_t index) { return static_cast<double>(index) * s.join_interval_ms / 1000; }
}  // namespace

KademliaRun::KademliaRun(World& world, const Scenario& scenario, uint64_t seed, bool progress)
    : world_(world), scenario_(scenario), seed_(seed), progress_(progress) {}

bool KademliaRun::live(size_t index) const {
  return world_.up(index) && join_time(scenario_, index) <= world_.now();
}

void KademliaRun::schedule() {
  for (size_t i = 0; i < world_.size(); ++i) {
    world_.at(join_time(scenario_, i), i, [](node::Node* node) {
      if (node != nullptr) node->start();
    });
  }
  double start = scenario_.lookups_start_s > 0
                     ? scenario_.lookups_start_s
                     : join_time(scenario_, world_.size() - 1) + scenario_.settle_s;
  env::DeterministicRandom random(seed_, 0x100c);
  for (size_t k = 0; k < scenario_.lookups; ++k) {
    double at = start + static_cast<double>(k) * scenario_.lookup_interval_ms / 1000;
    size_t issuer = random.uniform(world_.size());
    dht::NodeId target = dht::random_id(random);
    world_.at(at, issuer, [this, issuer, target](node::Node* node) {
      if (node == nullptr) {
        ++missed_;
        return;
      }
      node->dht().lookup(target, static_cast<size_t>(scenario_.dht.bucket_size),
                         [this, issuer, target](dht::LookupResult result) { on_lookup(issuer, target, result); });
    });
  }
  double wall_start = wall_now();
  for (double t = 0; t <= scenario_.end_s + 1e-9; t += scenario_.sample_interval_s) {
    world_.control_at(t, [this, wall_start] { sample(wall_start); });
  }
}

void KademliaRun::on_lookup(size_t issuer, const dht::NodeId& target, const dht::LookupResult& result) {
  size_t k = static_cast<size_t>(scenario_.dht.bucket_size);
  std::vector<dht::NodeId> truth;
  for (size_t i = 0; i < world_.size(); ++i) {
    if (i != issuer && live(i)) truth.push_back(world_.identity(i).id);
  }
  size_t want = std::min(k, truth.size());
  std::partial_sort(truth.begin(), truth.begin() + static_cast<std::ptrdiff_t>(want), truth.end(),
                    [&](const dht::NodeId& a, const dht::NodeId& b) { return dht::closer(target, a, b); });
  truth.resize(want);
  size_t found = 0;
  for (const dht::Contact& c : result.closest) {
    if (std::find(truth.begin(), truth.end(), c.id) != truth.end()) ++found;
  }
  bool success = !truth.empty() && !result.closest.empty() && result.closest.front().id == truth.front();
  double recall = want == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(want);
  records_.push_back({success, recall, result.hops, result.messages, result.failures,
                      std::chrono::duration<double>(result.elapsed).count()});
}

void KademliaRun::sample(double wall_start) {
  size_t live_nodes = 0;
  for (size_t i = 0; i < world_.size(); ++i) live_nodes += live(i) ? 1 : 0;
  size_t ok = 0;
  for (const LookupRecord& r : records_) ok += r.success ? 1 : 0;
  const WorldCounters& c = world_.counters();
  samples_.push_back({world_.now(), live_nodes, c.messages_sent - last_messages_, c.bytes_sent - last_bytes_,
                      records_.size(), records_.empty() ? 0 : static_cast<double>(ok) / records_.size()});
  last_messages_ = c.messages_sent;
  last_bytes_ = c.bytes_sent;
  if (progress_) {
    std::fprintf(stderr, "\r  simulated %8.1f / %.0f s   wall %7.1f s   nodes %zu   lookups %zu/%zu ",
                 world_.now(), scenario_.end_s, wall_now() - wall_start, live_nodes, records_.size(), scenario_.lookups);
    if (world_.now() + scenario_.sample_interval_s > scenario_.end_s) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
}

Status KademliaRun::write_results(const std::filesystem::path& out, double wall_seconds) const {
  std::vector<int> hops;
  double hops_sum = 0, messages_sum = 0, recall_sum = 0, latency_sum = 0, failures_sum = 0;
  size_t ok = 0;
  for (const LookupRecord& r : records_) {
    hops.push_back(r.hops);
    hops_sum += r.hops;
    messages_sum += r.messages;
    recall_sum += r.recall;
    latency_sum += r.latency_s;
    failures_sum += r.failures;
    ok += r.success ? 1 : 0;
  }
  std::sort(hops.begin(), hops.end());
  double n = static_cast<double>(records_.size());
  int p99 = hops.empty() ? 0 : hops[std::min(hops.size() - 1, static_cast<size_t>(std::ceil(0.99 * n)) - 1)];
  const WorldCounters& c = world_.counters();
  nlohmann::json summary = summary_header(scenario_, seed_);
  summary.update({
      {"nodes", world_.size()},
      {"bucket_size", scenario_.dht.bucket_size},
      {"disjoint_paths", scenario_.dht.disjoint_paths},
      {"puzzle_difficulty", scenario_.dht.puzzle_difficulty},
      {"network_model", scenario_.network.model},
      {"lookups", records_.size()},
      {"lookups_scheduled", scenario_.lookups},
      {"lookups_missed", missed_},
      {"lookup_success_rate", n > 0 ? ok / n : 0.0},
      {"hops_mean", n > 0 ? hops_sum / n : 0.0},
      {"hops_p99", p99},
      {"messages_per_lookup", n > 0 ? messages_sum / n : 0.0},
      {"recall_mean", n > 0 ? recall_sum / n : 0.0},
      {"timeouts_per_lookup", n > 0 ? failures_sum / n : 0.0},
      {"lookup_latency_mean_s", n > 0 ? latency_sum / n : 0.0},
      {"messages_delivered", c.messages_delivered},
      {"dropped", c.dropped},
  });
  summary.update(run_cost(world_, scenario_.end_s, wall_seconds));
  std::ostringstream csv;
  csv << "time_s,live_nodes,messages,bytes,lookups_done,success_rate\n";
  for (const Sample& s : samples_) {
    csv << s.time_s << "," << s.live_nodes << "," << s.messages << "," << s.bytes << "," << s.lookups_done << ","
        << s.success_rate << "\n";
  }
  return write_run_files(out, summary, csv.str());
}

void KademliaRun::print_summary(double wall_seconds) const {
  size_t ok = 0;
  for (const LookupRecord& r : records_) ok += r.success ? 1 : 0;
  std::printf("%zu nodes, %zu lookups (%zu missed), success %.4f, %llu messages, %.1f s wall\n", world_.size(),
              records_.size(), missed_, records_.empty() ? 0.0 : static_cast<double>(ok) / records_.size(),
              static_cast<unsigned long long>(world_.counters().messages_sent), wall_seconds);
}

}  // namespace fluence::sim
