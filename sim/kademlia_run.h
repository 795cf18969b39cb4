// The "kademlia-lookup" scenario: nodes join through node 0 one after
// another, then random nodes look up random ids. Each lookup is judged
// against the truth the simulator knows: the live nodes nearest the target.
#pragma once

#include <filesystem>
#include <vector>

#include "sim/world.h"

namespace fluence::sim {

class KademliaRun {
 public:
  KademliaRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  // Schedules joins, lookups and sampling; call before world.run().
  void schedule();
  // Writes summary.json and timeseries.csv into `out`.
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  struct LookupRecord {
    bool success;
    double recall;
    int hops;
    int messages;
    int failures;
    double latency_s;
  };
  struct Sample {
    double time_s;
    size_t live_nodes;
    uint64_t messages;
    uint64_t bytes;
    size_t lookups_done;
    double success_rate;
  };
  bool live(size_t index) const;
  void on_lookup(size_t issuer, const dht::NodeId& target, const dht::LookupResult& result);
  void sample(double wall_start);

  World& world_;
  const Scenario& scenario_;
  uint64_t seed_;
  bool progress_;
  std::vector<LookupRecord> records_;
  std::vector<Sample> samples_;
  size_t missed_ = 0;
  uint64_t last_messages_ = 0, last_bytes_ = 0;
};

}  // namespace fluence::sim
