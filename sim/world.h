// A simulated network of nodes on SimGrid: one host and one actor per node,
// encoded messages carried through mailboxes with their true size, and the
// fault hooks scenarios use (crash, restart, partition, loss, delay,
// duplication, clock skew).
//
// The world adds no flows the protocol did not send: a delayed message is
// held by its receiver until its release time, and a dropped one is never
// put. Every delivery feeds the trace hash, so a run is checkable as a
// function of (scenario, seed).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/crypto/hash.h"
#include "model/node/node.h"
#include "sim/scenario.h"
#include "sim/sim_env.h"

#include <simgrid/forward.h>

namespace fluence::sim {

struct WorldCounters {
  uint64_t messages_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t messages_delivered = 0;
  uint64_t dropped = 0;
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
};

class World {
 public:
  // Generates every node's identity from (seed, index) and builds the
  // platform; call before run(). Only one World may exist per process (one
  // SimGrid engine).
  World(const Scenario& scenario, uint64_t seed, int argc, char** argv);
  ~World();

  static std::string address_of(size_t index) { return "n" + std::to_string(index); }

  // Overrides the configuration a node is built with (default: the
  // scenario's DHT settings, bootstrapping through node 0). Call before run().
  void set_node_config(std::function<node::NodeConfig(size_t index)> config) { node_config_ = std::move(config); }

  // Runs `task` inside node `index`'s actor at simulated time `time_s`, with
  // the node if it is up (nullptr if it is down).
  void at(double time_s, size_t index, std::function<void(node::Node*)> task);
  // Runs `task` in the controller at `time_s` (for sampling, faults).
  void control_at(double time_s, std::function<void()> task);

  void crash(size_t index);
  void restart(size_t index);
  void partition(std::vector<std::vector<size_t>> groups);
  void heal() { partition_group_.assign(slots_.size(), -1); }
  void set_loss(double drop, double duplicate, double delay_fraction, double delay_s);

  // Runs the simulation to scenario.end_s, or until end_now().
  void run();
  // Ends the run at the current simulated time (a driver whose measurement
  // is complete); every actor stops at its next wake-up.
  void end_now() { end_s_ = std::min(end_s_, now()); }

  // One dataset held by nodes [0, members), with the other nodes as its
  // arbiters: the roster of the cluster scenarios.
  node::HostedDataset cluster_roster(const storage::DatasetId& dataset, size_t members) const;
  // A node of a cluster scenario: `roster` its only dataset, no bootstrap
  // (the roster names everyone), a block every `block_interval_ms`, ticks of
  // `tick_s`; the caller adds its own settings.
  node::NodeConfig cluster_node_config(const node::HostedDataset& roster, double block_interval_ms,
                                       double tick_s) const;

  size_t size() const { return slots_.size(); }
  bool up(size_t index) const { return slots_[index].up; }
  const dht::Identity& identity(size_t index) const { return slots_[index].identity; }
  SimEnv& env(size_t index) { return *slots_[index].env; }
  const WorldCounters& counters() const { return counters_; }
  std::string trace_hash_hex();
  const CostModel& cost_model() const { return cost_; }
  double now() const;

  // Called by SimEnv.
  void send(size_t from, const env::Address& to, Bytes message);

 private:
  struct Slot {
    dht::Identity identity;
    std::unique_ptr<env::MemoryStore> store;  // outlives crashes
    std::unique_ptr<SimEnv> env;
    std::unique_ptr<node::Node> node;
    simgrid::s4u::Host* host = nullptr;
    simgrid::s4u::ActorPtr actor;
    bool up = true;
    bool started = false;
  };
  struct Delivery;

  void build_platform();
  void node_actor(size_t index);
  void controller_actor();
  void deliver(size_t to, Delivery& delivery);
  node::NodeConfig node_config(size_t index) const;

  const Scenario& scenario_;
  double end_s_;
  uint64_t seed_;
  CostModel cost_;
  std::vector<Slot> slots_;
  std::vector<int> partition_group_;  // -1: in no partition
  env::DeterministicRandom fault_random_;
  double drop_ = 0, duplicate_ = 0, delay_fraction_ = 0, delay_s_ = 0;
  WorldCounters counters_;
  crypto::Blake2b trace_{"fluence/sim-trace"};
  std::vector<std::pair<double, std::function<void()>>> control_tasks_;
  std::function<node::NodeConfig(size_t)> node_config_;
  struct EngineHolder;
  std::unique_ptr<EngineHolder> engine_;
};

}  // namespace fluence::sim
