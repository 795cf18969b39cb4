// The cluster chain scenarios: the whole chain in simulation. A dataset's
// members commit writes in blocks, its arbiters seal them and challenge
// every member each tick. Faulty members are `lazy` (they silently delete a
// fraction f of their entries once the data is written: "lazy-member") or
// `banned` (a regulator takes them offline for good half way through tick
// `ban_tick`: "region-ban"). The run measures how many ticks each faulty
// member lasts before the arbiters' votes replace it, whether each recruit
// rebuilds the replica, whether any honest member ever fails a proof, and,
// with client writes, how many writes commit before, during and after the
// outage. With skewed clocks (the scenario's `clocks`, kind "fast-clock")
// it also measures whether any block was committed for a tick that had not
// come yet, and how far the arbiters' seals lag. In "colluding-cluster"
// every member deletes data and covers for the others, some arbiters are
// theirs, and the run measures whether the chain stays sealed and what the
// colluders' proofs settle as. A "lazy-member" run with an `accomplice`
// lets the lazy member fetch what a challenge touches from that member
// (por::Prover); the run counts its challenges, those that touched forgotten
// entries and its settled outcomes, with the round trips the deadline has to
// cover. analysis/ sets all of it beside the models.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/economy/gateway.h"
#include "sim/world.h"

namespace fluence::sim {

class ClusterRun {
 public:
  ClusterRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  void configure();
  void schedule();
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  size_t observer() const;  // an honest member, which reads the chain
  void sample_capture(size_t index, node::Node* node);

  nlohmann::json capture_results() const;
  bool is_lazy(size_t member) const;
  bool colluding() const { return scenario_.kind == "colluding-cluster"; }
  bool fetching() const { return spec_.accomplice >= 0; }
  // One way, host to the core, as World::build_platform places node `i`.
  double access_latency_ms(size_t i) const;
  void sample_lazy(node::Node* node);
  nlohmann::json fetch_results() const;
  bool is_flaky(size_t member) const;
  // The storage contract of "flaky-members" (cluster_contract.cc): the
  // client mints and opens it in tick 0; flaky members go down tick by tick.
  void open_contract();
  void schedule_flaky();
  void sample_contract(const cluster::ClusterChain& chain);
  nlohmann::json contract_results() const;
  void print_contract() const;
  bool is_faulty(size_t member) const;
  size_t fast_members() const;
  // Write i through `node`, if it is the writer now: the observer (arbiter
  // none) until a capture replaced the cluster, then the recruit replaced_by_.
  void client_write(std::optional<size_t> arbiter, node::Node* node, int i);
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
  std::set<size_t> corrupted_;                           // node indices of the cluster's arbiters
  uint64_t sealed_tick_ = 0;                             // of the last sealed block
  size_t arbiter_quorum_ = 0;
  cluster::ProofRecord colluders_;                       // their settled outcomes, summed
  economy::SimulatedGateway gateway_{1};                 // mints the contract's client tokens
  economy::StorageContract contract_;
  std::map<size_t, std::vector<uint64_t>> down_ticks_;   // flaky member -> ticks it was down
  struct Earnings {
    uint64_t rewards = 0;
    cluster::ProofRecord proofs;
    bool on_contract = true;
  };
  std::vector<Earnings> earnings_;                       // by member, from the observer's chain
  uint64_t periods_settled_ = 0;
  std::map<size_t, std::optional<uint64_t>> ejected_at_;  // faulty member -> tick of the block that replaced it
  std::optional<double> replaced_all_s_;                  // when the last faulty member was replaced
  struct ClientWrite {
    double at_s = 0;
    bool committed = false;
  };
  std::vector<ClientWrite> writes_;
  std::map<size_t, bool> recovered_;                      // recruit node -> rebuilt and taking part
  uint64_t height_ = 0;
  uint64_t sealed_height_ = 0;
  uint64_t scanned_height_ = 0;  // blocks checked for a tick ahead of true time
  int64_t max_tick_lead_ = 0;    // the most a committed block's tick ran ahead of true time
  uint64_t early_blocks_ = 0;    // blocks committed with a tick true time had not reached
  int64_t max_sealed_lead_ = 0;  // the same for the last sealed block, at each sample
  uint64_t ticks_run_ = 0;
  double last_sample_s_ = 0;
  uint64_t honest_failed_ = 0;   // failed or offline outcomes of honest members
  uint64_t honest_ejected_ = 0;
  bool ending_ = false;
  // With an accomplice: the lazy member's prover counters and settled outcomes.
  uint64_t lazy_challenges_ = 0;
  uint64_t lazy_touched_ = 0;           // challenges it forwarded to the accomplice
  uint64_t lazy_fetches_answered_ = 0;  // the accomplice's answer came back
  cluster::ProofRecord lazy_record_;
  // A colluding cluster's replacement (model/cluster/capture.h), as the
  // honest arbiters and their recruits see it.
  std::optional<uint64_t> capture_height_;  // the block the certificate is about
  std::optional<double> captured_s_;        // when an arbiter first held the certificate
  // Arbiters that took part in the new chain: the certificate's recruits,
  // and any the new chain recruited later in place of one that never joined.
  std::set<size_t> recruits_joined_;
  uint64_t replaced_sealed_height_ = 0;     // the new chain's highest sealed block
  std::optional<double> replaced_s_;        // when the new chain first sealed a block after the capture
  std::optional<size_t> replaced_by_;       // the recruit that saw it: client writes go through it from then on
};

}  // namespace fluence::sim
