// The environment of one node inside SimGrid: its clock (with offset and
// drift), its timers, its transport through the world, its seeded rng and
// its in-memory store.
//
// Everything here runs inside the node's own actor. Time crosses the edge as
// integer nanoseconds; SimGrid's clock is a double of seconds.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/env/env.h"

namespace fluence::sim {

class World;

// Simulated CPU cost of the work the model reports, in seconds at 1 Gflop/s.
struct CostModel {
  double sign_s = 50e-6;
  double verify_s = 120e-6;
  double hash_byte_s = 1e-9;
};

class SimEnv final : public env::Env {
 public:
  SimEnv(World& world, size_t index, uint64_t seed, env::MemoryStore& store);

  env::Time now() override;
  env::TimerId schedule(env::Duration delay, std::function<void()> callback) override;
  void cancel(env::TimerId timer) override;
  void send(const env::Address& to, Bytes message) override;
  const env::Address& self_address() const override { return address_; }
  env::Random& random() override { return random_; }
  env::Store& store() override { return store_; }
  void log(env::LogLevel level, std::string_view message) override;
  void charge(env::Work work, uint64_t units) override;

  // Binding side, called by the node's actor.
  void set_clock(double offset_s, double drift);
  // Work the binding runs at a simulated time, not on the node's clock
  // (scenario tasks, delayed deliveries); it survives crashes.
  void at_sim_time(double time_s, std::function<void()> task);
  double next_deadline() const;       // simulated seconds; +inf when idle
  void run_due(double sim_now);       // timers and tasks due by now
  double take_charged_seconds();      // CPU time to burn for recent work
  // Signatures made and checked by this node so far (for benchmarks).
  uint64_t signatures_made() const { return signs_; }
  uint64_t signatures_checked() const { return verifies_; }
  void drop_timers();                 // a crash: the node's timers die with it
  size_t pending_timers() const { return callbacks_.size(); }

 private:
  struct Entry {
    double at;
    uint64_t sequence;
    uint64_t id;
    bool task;
    bool operator>(const Entry& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  World& world_;
  size_t index_;
  env::Address address_;
  env::DeterministicRandom random_;
  env::MemoryStore& store_;
  double offset_s_ = 0;
  double drift_ = 0;
  uint64_t next_sequence_ = 1;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  // Lookup by id only, never iterated: order cannot leak into behaviour.
  std::unordered_map<uint64_t, std::function<void()>> callbacks_;
  std::unordered_map<uint64_t, std::function<void()>> tasks_;
  double charged_s_ = 0;
  uint64_t signs_ = 0;
  uint64_t verifies_ = 0;
};

}  // namespace fluence::sim
