// The "por-network" scenario (scenario.h, NetworkPorSpec): a whole network
// under hourly proofs of retrievability, the scale the white paper's
// placement is for. Every node is a SimGrid actor; every challenge, answer
// and verdict is the real protocol's (model/por/round.h), over the
// simulated network. The cluster chains are left out: this run measures
// what PoR costs and catches network-wide, and the cluster scenarios
// measure consensus.
//
// Placement is computed here, not looked up through the DHT (the Kademlia
// scenarios measure lookups): the exact `cluster_size` nodes closest to each
// dataset id, and the one closest to its arbiter anchor outside the cluster
// (model/chain/placement.h). The honest replicas of a dataset are identical,
// so they share one in-memory copy; each lazy replica has its own.
//
// analysis/ sets the lazy members' detection rate per tick beside
// 1 - (1 - F/E)^c and their ticks to ejection beside the negative binomial.
#pragma once

#include <filesystem>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/por/round.h"
#include "sim/world.h"

namespace fluence::sim {

class NetworkPorRun {
 public:
  NetworkPorRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  ~NetworkPorRun();
  // Places the datasets, fills the replicas and installs the provers.
  void configure();
  void schedule();
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  struct Replica;
  struct Member {
    size_t node = 0;
    bool lazy = false;
    int failed_in_a_row = 0;
    int ejected_at = -1;  // the tick of the failure that ejected it
  };
  struct Cluster {
    storage::DatasetId dataset{};
    std::vector<Member> members;
    size_t arbiter = 0;
    crypto::Hash256 root{};
    uint64_t entries = 0;
    uint64_t forgotten = 0;  // per lazy replica
    double offset_s = 0;     // where in each tick its round starts
  };
  struct TickCounts {
    uint64_t lazy_challenged = 0, lazy_failed = 0;
    uint64_t honest_challenged = 0, honest_failed = 0;
    uint64_t ejected = 0;
    uint64_t rounds = 0;
  };

  void place();
  void fill(size_t c);
  void round(size_t c, int tick, node::Node* arbiter);
  void judge(size_t c, int tick, const std::vector<size_t>& challenged, const std::vector<por::PorVerdict>& verdicts);
  double tick_start(int tick) const;
  TickCounts totals() const;
  void report_progress();

  World& world_;
  const Scenario& scenario_;
  const NetworkPorSpec& spec_;
  uint64_t seed_;
  bool progress_;
  std::vector<bool> lazy_;  // by node
  std::vector<Cluster> clusters_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  // Per node, the provers of the replicas it holds, by dataset.
  std::vector<std::vector<std::pair<storage::DatasetId, por::Prover*>>> provers_;
  std::unordered_map<size_t, std::unique_ptr<por::Arbiter>> arbiters_;  // by node
  std::vector<TickCounts> ticks_;
  double wall_start_ = 0;
};

}  // namespace fluence::sim
