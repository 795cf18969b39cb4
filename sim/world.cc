#include "sim/world.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

XBT_LOG_NEW_DEFAULT_CATEGORY(fluence_sim, "the SimGrid binding");

namespace s4u = simgrid::s4u;

namespace fluence::sim {

struct World::EngineHolder {
  s4u::Engine engine;
  EngineHolder(int* argc, char** argv) : engine(argc, argv) {}
};

struct World::Delivery {
  size_t from;
  Bytes bytes;
  double release_s;  // held by the receiver until then (injected delay)
};

namespace {
// LV08 multiplies stated latencies by 13.01 and bandwidths by 0.97 (its
// calibration); we divide them out so a scenario's numbers mean what they say.
constexpr double kLv08LatencyFactor = 13.01;
constexpr double kLv08BandwidthFactor = 0.97;
}  // namespace

World::World(const Scenario& scenario, uint64_t seed, int argc, char** argv)
    : scenario_(scenario), end_s_(scenario.end_s), seed_(seed), fault_random_(seed, 0xfa17) {
  engine_ = std::make_unique<EngineHolder>(&argc, argv);
  s4u::Engine::set_config("network/model:" + scenario_.network.model);
  // 10^5 actors: small stacks, and no guard pages (vm.max_map_count).
  s4u::Engine::set_config("contexts/stack-size:64");
  s4u::Engine::set_config("contexts/guard-size:0");
  slots_.reserve(scenario_.nodes);
  for (size_t i = 0; i < scenario_.nodes; ++i) {
    env::DeterministicRandom key_random(seed_, 1'000'000'000ULL + i);
    Result<dht::Identity> identity = dht::Identity::generate(key_random, scenario_.dht.puzzle_difficulty);
    FL_ASSERT_MSG(identity.is_ok(), "puzzle budget exhausted");
    Slot slot{std::move(*identity), std::make_unique<env::MemoryStore>(), nullptr, nullptr, nullptr, nullptr, true, false};
    slots_.push_back(std::move(slot));
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].env = std::make_unique<SimEnv>(*this, i, seed_, *slots_[i].store);
  }
  for (const ClockSkew& skew : scenario_.clocks) {
    slots_[skew.node].env->set_clock(skew.offset_ms / 1000, skew.drift);
  }
  partition_group_.assign(slots_.size(), -1);
  build_platform();
}

World::~World() = default;

void World::build_platform() {
  const NetworkSpec& net = scenario_.network;
  double latency_scale = net.model == "LV08" ? 1 / kLv08LatencyFactor : 1;
  double bandwidth_scale = net.model == "LV08" ? 1 / kLv08BandwidthFactor : 1;
  double total_weight = 0;
  for (const Region& r : net.regions) total_weight += r.weight;
  // Place nodes in regions by weight, deterministically: node i goes where
  // the cumulative share first passes (i + 0.5) / n.
  auto* zone = s4u::create_star_zone("world");
  double bandwidth = net.bandwidth_mbps * 1e6 / 8 * bandwidth_scale;  // bytes per second
  for (size_t i = 0; i < slots_.size(); ++i) {
    double position = (static_cast<double>(i) + 0.5) / static_cast<double>(slots_.size()) * total_weight;
    const Region* region = &net.regions.back();
    double cumulative = 0;
    for (const Region& r : net.regions) {
      cumulative += r.weight;
      if (position < cumulative) {
        region = &r;
        break;
      }
    }
    s4u::Host* host = zone->create_host("h" + std::to_string(i), net.host_speed_gflops * 1e9);
    s4u::SplitDuplexLink* link = zone->create_split_duplex_link("l" + std::to_string(i), bandwidth);
    link->set_latency(region->access_latency_ms / 1000 * latency_scale);
    link->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {s4u::LinkInRoute(link, s4u::LinkInRoute::Direction::UP)}, true);
    slots_[i].host = host;
  }
  zone->seal();
}

node::NodeConfig World::node_config(size_t index) const {
  if (node_config_) return node_config_(index);
  node::NodeConfig config;
  config.dht = scenario_.dht;
  config.bootstrap = {address_of(0)};
  return config;
}

node::HostedDataset World::cluster_roster(const storage::DatasetId& dataset, size_t members) const {
  node::HostedDataset hosted{dataset, {}, {}};
  for (size_t i = 0; i < size(); ++i) {
    consensus::Validator v{address_of(i), identity(i).key.public_key()};
    (i < members ? hosted.members : hosted.arbiters).push_back(v);
  }
  return hosted;
}

node::NodeConfig World::cluster_node_config(const node::HostedDataset& roster, double block_interval_ms,
                                            double tick_s) const {
  node::NodeConfig config;
  config.dht = scenario_.dht;
  config.datasets = {roster};
  cluster::ClusterConfig& c = config.cluster;
  c.block_interval = std::chrono::microseconds(static_cast<int64_t>(block_interval_ms * 1000));
  c.write_timeout = std::max<env::Duration>(c.write_timeout, 4 * c.block_interval);
  c.rules.tick_length = std::chrono::microseconds(static_cast<int64_t>(tick_s * 1e6));
  c.rules.max_clock_skew = std::min<env::Duration>(std::chrono::seconds(1), c.rules.tick_length / 10);
  return config;
}

double World::now() const { return s4u::Engine::get_clock(); }

void World::at(double time_s, size_t index, std::function<void(node::Node*)> task) {
  Slot& slot = slots_[index];
  slot.env->at_sim_time(time_s, [this, index, time_s, task = std::move(task)] {
    Slot& s = slots_[index];
    // Overdue because the node was down at the time: it missed the task.
    bool missed = now() > time_s + 1e-9;
    task(s.up && !missed ? s.node.get() : nullptr);
  });
}

void World::control_at(double time_s, std::function<void()> task) { control_tasks_.emplace_back(time_s, std::move(task)); }

void World::send(size_t from, const env::Address& to, Bytes message) {
  ++counters_.messages_sent;
  counters_.bytes_sent += message.size();
  size_t index = 0;
  if (to.size() < 2 || to[0] != 'n' || (index = std::strtoull(to.c_str() + 1, nullptr, 10)) >= slots_.size() ||
      to != address_of(index)) {
    ++counters_.dropped;  // no such node
    return;
  }
  if (!slots_[index].up || (partition_group_[from] != partition_group_[index])) {
    ++counters_.dropped;
    return;
  }
  if (drop_ > 0 && fault_random_.chance(drop_)) {
    ++counters_.dropped;
    return;
  }
  int copies = duplicate_ > 0 && fault_random_.chance(duplicate_) ? 2 : 1;
  counters_.duplicated += copies - 1;
  double release = 0;
  if (delay_fraction_ > 0 && fault_random_.chance(delay_fraction_)) {
    release = now() + delay_s_;
    ++counters_.delayed;
  }
  s4u::Mailbox* mailbox = s4u::Mailbox::by_name(to);
  for (int c = 0; c < copies; ++c) {
    uint64_t size = message.size();
    auto* delivery = new Delivery{from, c + 1 == copies ? std::move(message) : message, release};
    mailbox->put_init(delivery, size)->detach([](void* data) { delete static_cast<Delivery*>(data); });
  }
}

void World::deliver(size_t to, Delivery& delivery) {
  Slot& slot = slots_[to];
  if (!slot.node) return;
  ++counters_.messages_delivered;
  uint8_t header[24];
  int64_t ns = std::llround(now() * 1e9);
  for (int i = 0; i < 8; ++i) {
    header[i] = static_cast<uint8_t>(ns >> (56 - 8 * i));
    header[8 + i] = static_cast<uint8_t>(static_cast<uint64_t>(delivery.from) >> (56 - 8 * i));
    header[16 + i] = static_cast<uint8_t>(static_cast<uint64_t>(to) >> (56 - 8 * i));
  }
  trace_.update(ByteView(header, 24));
  trace_.update(delivery.bytes);
  env::Peer peer{address_of(delivery.from), slots_[delivery.from].identity.key.public_key()};
  slot.node->on_message(peer, delivery.bytes);
}

void World::node_actor(size_t index) {
  Slot& slot = slots_[index];
  if (!slot.node) {
    slot.node = std::make_unique<node::Node>(*slot.env, slot.identity.clone(), node_config(index));
    if (slot.started) slot.node->start();  // a restart: rejoin at once
  }
  s4u::Mailbox* mailbox = s4u::Mailbox::by_name(address_of(index));
  // A permanent receiver makes sends flow at once, as on a network; without
  // it a mailbox is a rendezvous and a burst of messages to one node would
  // transfer one after another, each paying the full latency.
  mailbox->set_receiver(s4u::Actor::self());
  Delivery* incoming = nullptr;
  std::vector<s4u::CommPtr> comms{mailbox->get_async<Delivery>(&incoming)};
  while (true) {
    const double end = end_s_;
    double now_s = now();
    slot.env->run_due(now_s);
    double busy = slot.env->take_charged_seconds();
    if (busy > 0) s4u::this_actor::execute(busy * slot.host->get_speed());
    now_s = now();
    if (now_s >= end) break;
    double deadline = std::min(slot.env->next_deadline(), end);
    ssize_t got = s4u::Comm::wait_any_for(comms, std::max(0.0, deadline - now_s));
    if (got != 0) continue;
    std::unique_ptr<Delivery> delivery(incoming);
    incoming = nullptr;
    comms[0] = mailbox->get_async<Delivery>(&incoming);
    if (delivery->release_s > now()) {
      // An injected delay: hold it here until its release time.
      auto* held = delivery.release();
      slot.env->at_sim_time(held->release_s, [this, index, held] {
        std::unique_ptr<Delivery> d(held);
        deliver(index, *d);
      });
      continue;
    }
    deliver(index, *delivery);
  }
  // The run is over: withdraw the pending receive instead of leaving it to
  // SimGrid's destructor, which reports it as unfinished.
  comms[0]->cancel();
  delete incoming;
}

void World::crash(size_t index) {
  Slot& slot = slots_[index];
  if (!slot.up) return;
  slot.up = false;
  // A process that was running comes back running (restart() starts it).
  slot.started = slot.node && slot.node->started();
  if (slot.actor) slot.actor->kill();
  slot.actor.reset();
  slot.node.reset();
  slot.env->drop_timers();
}

void World::restart(size_t index) {
  Slot& slot = slots_[index];
  if (slot.up) return;
  slot.up = true;
  slot.actor = s4u::Actor::create(address_of(index), slot.host, [this, index] { node_actor(index); });
}

void World::partition(std::vector<std::vector<size_t>> groups) {
  // Everyone not named forms one more group together.
  partition_group_.assign(slots_.size(), static_cast<int>(groups.size()));
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i : groups[g]) partition_group_[i] = static_cast<int>(g);
  }
}

void World::set_loss(double drop, double duplicate, double delay_fraction, double delay_s) {
  drop_ = drop;
  duplicate_ = duplicate;
  delay_fraction_ = delay_fraction;
  delay_s_ = delay_s;
}

void World::controller_actor() {
  std::stable_sort(control_tasks_.begin(), control_tasks_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [time_s, task] : control_tasks_) {
    if (time_s > end_s_) break;
    if (time_s > now()) s4u::this_actor::sleep_until(time_s);
    if (now() >= end_s_) break;
    task();
  }
}

void World::run() {
  for (const Fault& fault : scenario_.faults) {
    control_at(fault.at_s, [this, fault] {
      switch (fault.type) {
        case Fault::Type::kCrash: for (size_t i : fault.nodes) crash(i); break;
        case Fault::Type::kRestart: for (size_t i : fault.nodes) restart(i); break;
        case Fault::Type::kPartition: partition(fault.groups); break;
        case Fault::Type::kHeal: heal(); break;
        case Fault::Type::kLoss: set_loss(fault.drop, fault.duplicate, fault.delay_fraction, fault.delay_ms / 1000); break;
      }
    });
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].actor = s4u::Actor::create(address_of(i), slots_[i].host, [this, i] { node_actor(i); });
  }
  s4u::Actor::create("controller", slots_[0].host, [this] { controller_actor(); });
  engine_->engine.run_until(scenario_.end_s);
}

std::string World::trace_hash_hex() {
  crypto::Blake2b copy = trace_;
  return to_hex(copy.finish());
}

}  // namespace fluence::sim
