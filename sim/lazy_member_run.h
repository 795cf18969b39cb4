// The "lazy-member" scenario: the whole cluster chain in simulation. A
// dataset's members commit writes in blocks, its arbiters seal them and
// challenge every member each tick; the `lazy` members silently delete a
// fraction f of their entries once the data is written. The run measures how
// many ticks each lazy member survives before the arbiters' votes replace it,
// whether each recruit rebuilds the replica, and whether any honest member
// ever fails a proof. analysis/ sets the ticks beside the model of runs of
// consecutive failed outcomes.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "sim/world.h"

namespace fluence::sim {

class LazyMemberRun {
 public:
  LazyMemberRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  void configure();
  void schedule();
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  size_t observer() const;  // an honest member, which reads the chain
  bool is_lazy(size_t member) const;
  void write_rows(node::Node* node);
  void forget(size_t member, node::Node* node);
  void sample(node::Node* node);
  void check_recruits();

  World& world_;
  const Scenario& scenario_;
  const ClusterSpec& spec_;
  uint64_t seed_;
  bool progress_;
  storage::DatasetId dataset_{};
  uint64_t rows_acknowledged_ = 0;
  std::map<size_t, uint64_t> forgotten_;                 // lazy member -> entries deleted
  std::map<size_t, std::optional<uint64_t>> ejected_at_;  // lazy member -> tick of the block that replaced it
  std::map<size_t, bool> recovered_;                      // recruit node -> rebuilt and taking part
  uint64_t height_ = 0;
  uint64_t ticks_run_ = 0;
  double last_sample_s_ = 0;
  uint64_t honest_failed_ = 0;   // failed or offline outcomes of honest members
  uint64_t honest_ejected_ = 0;
  bool ending_ = false;
};

}  // namespace fluence::sim
