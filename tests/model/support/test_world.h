// A minimal deterministic world for model unit tests: virtual time, one event
// queue, fixed latency, optional loss. Not a binding: no SimGrid, no sockets,
// just enough to drive nodes through the Env interface in a unit test.
#pragma once

#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "model/env/env.h"
#include "model/node/node.h"

namespace fluence::testing {

class TestWorld;

class TestEnv final : public env::Env {
 public:
  TestEnv(TestWorld& world, size_t index, uint64_t seed);
  env::Time now() override;
  // This node's clock reads the world's time plus `offset` (a fast or slow clock).
  void set_clock_offset(env::Duration offset) { offset_ = offset; }
  env::TimerId schedule(env::Duration delay, std::function<void()> callback) override;
  void cancel(env::TimerId timer) override;
  void send(const env::Address& to, Bytes message) override;
  const env::Address& self_address() const override { return address_; }
  env::Random& random() override { return random_; }
  env::Store& store() override { return store_; }
  void log(env::LogLevel, std::string_view) override {}
  void charge(env::Work, uint64_t) override {}

 private:
  TestWorld& world_;
  size_t index_;
  env::Address address_;
  env::DeterministicRandom random_;
  env::MemoryStore store_;
  env::Duration offset_{0};
};

class TestWorld {
 public:
  explicit TestWorld(uint64_t seed, env::Duration latency = std::chrono::milliseconds(10))
      : seed_(seed), latency_(latency), loss_random_(seed, 1'000'000) {}

  // Adds a node; the first one added is everyone's bootstrap.
  node::Node& add_node(const dht::DhtConfig& config);
  // As above with a whole node configuration; an empty bootstrap list gets
  // node 0's address.
  node::Node& add_node(node::NodeConfig config);
  node::Node& node(size_t index) { return *nodes_[index].node; }
  size_t size() const { return nodes_.size(); }
  // A crashed node receives nothing and its timers do not fire; restore()
  // brings it back with its memory and store intact (timers lost meanwhile
  // stay lost, as after a real restart).
  void crash(size_t index) { nodes_[index].down = true; }
  void restore(size_t index) { nodes_[index].down = false; }
  // A process restart: the node object is rebuilt from its configuration,
  // identity and store (memory and timers are gone); it is not started.
  node::Node& restart(size_t index);
  // The identity add_node gives the node at `index`, known in advance so that
  // configurations can name their cluster members' keys.
  dht::Identity identity(size_t index, int puzzle_difficulty) const;
  TestEnv& env(size_t index) { return *nodes_[index].env; }

  // Runs events until the queue is empty or virtual time passes `until`.
  void run_for(env::Duration duration);
  env::Time now() const { return now_; }
  void set_loss(double fraction) { loss_ = fraction; }
  // Each message takes latency + uniform(0, jitter): reordering comes free.
  void set_jitter(env::Duration jitter) { jitter_ = jitter; }
  void set_duplicate(double fraction) { duplicate_ = fraction; }
  // Messages for which `blocked(from, to)` holds are dropped; nullptr heals.
  void set_partition(std::function<bool(size_t, size_t)> blocked) { blocked_ = std::move(blocked); }
  uint64_t messages_delivered() const { return delivered_; }

 private:
  friend class TestEnv;
  struct Event {
    env::Time at;
    uint64_t sequence;
    std::function<void()> action;
    bool operator>(const Event& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  struct Slot {
    std::unique_ptr<TestEnv> env;
    std::unique_ptr<node::Node> node;
    node::NodeConfig config;
    bool down = false;
  };
  uint64_t push(env::Duration delay, std::function<void()> action);
  void deliver(size_t from, const env::Address& to, Bytes message);

  uint64_t seed_;
  env::Duration latency_;
  env::DeterministicRandom loss_random_;
  double loss_ = 0;
  double duplicate_ = 0;
  env::Duration jitter_{0};
  std::function<bool(size_t, size_t)> blocked_;
  env::Time now_{0};
  uint64_t next_sequence_ = 1;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::set<uint64_t> cancelled_;
  std::vector<Slot> nodes_;
  std::map<env::Address, size_t> by_address_;
  uint64_t delivered_ = 0;
};

}  // namespace fluence::testing
