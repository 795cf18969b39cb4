// The "por-detection" scenario: for each (f, c) case, a 3-node cluster holds
// one dataset and its third member silently deletes a fraction f of its
// entries; one arbiter node challenges every cluster on c indices every tick
// through the real protocol (model/por/round.h) and signs verdicts. The run
// counts how often the lazy member is caught; analysis/ sets that beside
// 1 - (1 - f)^c.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "model/por/round.h"
#include "sim/world.h"

namespace fluence::sim {

class PorRun {
 public:
  PorRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  ~PorRun();
  // Gives the cluster members their datasets; call before schedule().
  void configure();
  void schedule();
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  struct CaseState {
    storage::DatasetId dataset{};
    crypto::Hash256 root{};  // as the chain would record it
    uint64_t entries = 0;
    uint64_t forgotten = 0;
    int rounds = 0;
    int detected = 0;
    int honest_failures = 0;
    std::unique_ptr<por::Arbiter> arbiter;
  };
  size_t arbiter_index() const { return 3 * cases_.size(); }
  void fill(size_t c, size_t member, node::Node* node);
  void round(size_t c, uint64_t tick, node::Node* arbiter_node);

  World& world_;
  const Scenario& scenario_;
  uint64_t seed_;
  bool progress_;
  std::vector<CaseState> cases_;
  // Each cluster node's replica and prover, by node index (the scenario
  // measures detection, not ordering, so the replicas are filled directly).
  std::map<size_t, std::unique_ptr<storage::Dataset>> replicas_;
  std::map<size_t, std::unique_ptr<por::Prover>> provers_;
};

}  // namespace fluence::sim
