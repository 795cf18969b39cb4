#include "tests/model/support/test_world.h"

namespace fluence::testing {

TestEnv::TestEnv(TestWorld& world, size_t index, uint64_t seed)
    : world_(world), index_(index), address_("t" + std::to_string(index)), random_(seed, index) {}

env::Time TestEnv::now() { return world_.now_ + offset_; }

env::TimerId TestEnv::schedule(env::Duration delay, std::function<void()> callback) {
  size_t index = index_;
  TestWorld* world = &world_;
  return world_.push(delay, [world, index, callback = std::move(callback)] {
    if (!world->nodes_[index].down) callback();
  });
}

void TestEnv::cancel(env::TimerId timer) { world_.cancelled_.insert(timer); }

void TestEnv::send(const env::Address& to, Bytes message) {
  FL_ASSERT(message.size() <= env::kMaxMessageBytes);
  world_.deliver(index_, to, std::move(message));
}

node::Node& TestWorld::add_node(const dht::DhtConfig& config) {
  node::NodeConfig node_config;
  node_config.dht = config;
  return add_node(std::move(node_config));
}

node::Node& TestWorld::add_node(node::NodeConfig config) {
  size_t index = nodes_.size();
  Slot slot;
  slot.env = std::make_unique<TestEnv>(*this, index, seed_);
  if (index > 0 && config.bootstrap.empty()) config.bootstrap = {nodes_[0].env->self_address()};
  slot.config = config;
  slot.node = std::make_unique<node::Node>(*slot.env, identity(index, config.dht.puzzle_difficulty), std::move(config));
  by_address_[slot.env->self_address()] = index;
  nodes_.push_back(std::move(slot));
  return *nodes_.back().node;
}

dht::Identity TestWorld::identity(size_t index, int puzzle_difficulty) const {
  env::DeterministicRandom key_random(seed_, 500'000 + index);
  Result<dht::Identity> identity = dht::Identity::generate(key_random, puzzle_difficulty);
  FL_ASSERT(identity.is_ok());
  return std::move(*identity);
}

node::Node& TestWorld::restart(size_t index) {
  Slot& slot = nodes_[index];
  dht::Identity identity = slot.node->identity().clone();
  slot.node.reset();
  slot.down = false;
  slot.node = std::make_unique<node::Node>(*slot.env, std::move(identity), slot.config);
  return *slot.node;
}

uint64_t TestWorld::push(env::Duration delay, std::function<void()> action) {
  uint64_t sequence = next_sequence_++;
  events_.push(Event{now_ + delay, sequence, std::move(action)});
  return sequence;
}

void TestWorld::deliver(size_t from, const env::Address& to, Bytes message) {
  auto target = by_address_.find(to);
  if (target == by_address_.end()) return;
  if (loss_ > 0 && loss_random_.chance(loss_)) return;
  size_t to_index = target->second;
  if (blocked_ && blocked_(from, to_index)) return;
  env::Peer peer{nodes_[from].env->self_address(), nodes_[from].node->identity().key.public_key()};
  int copies = duplicate_ > 0 && loss_random_.chance(duplicate_) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    env::Duration delay = latency_;
    if (jitter_.count() > 0) delay += env::Duration(loss_random_.uniform(static_cast<uint64_t>(jitter_.count())));
    push(delay, [this, to_index, peer, message] {
      if (nodes_[to_index].down) return;
      ++delivered_;
      nodes_[to_index].node->on_message(peer, message);
    });
  }
}

void TestWorld::run_for(env::Duration duration) {
  env::Time until = now_ + duration;
  while (!events_.empty() && events_.top().at <= until) {
    Event event = events_.top();
    events_.pop();
    if (cancelled_.erase(event.sequence) > 0) continue;
    now_ = event.at;
    event.action();
  }
  now_ = until;
}

}  // namespace fluence::testing
