// Macro benchmark: what SimGrid itself costs a fluence run.
//
// Burst (the default): N nodes each send M messages of S bytes to peers drawn
// from a seeded rng, all at time 0, on the same star platform; every message
// is received. Once through bare S4U (actors and mailboxes, nothing else) and
// once through the binding (SimEnv::send, World, node actors, delivery into
// Node::on_message, where the model drops the bytes as malformed). Each runs
// in its own process (one SimGrid engine per process); the ratio of wall
// times is the figure.
//
// Rounds (--rounds T): the por-network scenario's traffic in bare S4U, with
// no protocol at all. Every hour each of N / k arbiters charges one signature,
// sends a challenge to its k members, and charges a check per answer; each
// member answers at once. Its wall time per replica-tick is the floor under
// any run of that scenario on one core: SimGrid's own cost of two messages,
// their CPU charges and the actors' switches.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <simgrid/s4u.hpp>

#include "sim/world.h"

namespace s4u = simgrid::s4u;

namespace {

struct Pattern {
  size_t nodes = 1000;
  size_t messages = 10;
  size_t bytes = 100;
  // destination of message m of node i
  size_t destination(size_t i, size_t m) const {
    fluence::env::DeterministicRandom random(i, m);
    size_t to = random.uniform(nodes - 1);
    return to >= i ? to + 1 : to;
  }
};

// The binding's platform without the binding: a star of `nodes` hosts at
// 1 Gflop/s, each on its own 100 Mbit/s link of `latency_s`.
std::vector<s4u::Host*> bare_star(size_t nodes, double latency_s) {
  s4u::Engine::set_config("network/model:CM02");
  s4u::Engine::set_config("contexts/stack-size:64");
  s4u::Engine::set_config("contexts/guard-size:0");
  auto* zone = s4u::create_star_zone("world");
  std::vector<s4u::Host*> hosts;
  for (size_t i = 0; i < nodes; ++i) {
    s4u::Host* host = zone->create_host("h" + std::to_string(i), 1e9);
    s4u::SplitDuplexLink* link = zone->create_split_duplex_link("l" + std::to_string(i), 12.5e6);
    link->set_latency(latency_s);
    link->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {s4u::LinkInRoute(link, s4u::LinkInRoute::Direction::UP)}, true);
    hosts.push_back(host);
  }
  zone->seal();
  return hosts;
}

void run_bare(const Pattern& p) {
  int argc = 2;
  char name[] = "bare";
  char quiet[] = "--log=root.thres:warning";
  char* argv[] = {name, quiet, nullptr};
  s4u::Engine engine(&argc, argv);
  std::vector<s4u::Host*> hosts = bare_star(p.nodes, 0.005);
  std::vector<size_t> expected(p.nodes, 0);
  for (size_t i = 0; i < p.nodes; ++i) {
    for (size_t m = 0; m < p.messages; ++m) ++expected[p.destination(i, m)];
  }
  for (size_t i = 0; i < p.nodes; ++i) {
    s4u::Actor::create("n" + std::to_string(i), hosts[i], [&p, &expected, i] {
      s4u::Mailbox* own = s4u::Mailbox::by_name("n" + std::to_string(i));
      own->set_receiver(s4u::Actor::self());
      for (size_t m = 0; m < p.messages; ++m) {
        auto* payload = new std::vector<uint8_t>(p.bytes, 1);
        s4u::Mailbox::by_name("n" + std::to_string(p.destination(i, m)))
            ->put_init(payload, p.bytes)
            ->detach([](void* d) { delete static_cast<std::vector<uint8_t>*>(d); });
      }
      for (size_t r = 0; r < expected[i]; ++r) delete own->get<std::vector<uint8_t>>();
    });
  }
  engine.run();
}

void run_binding(const Pattern& p) {
  fluence::sim::Scenario scenario;
  scenario.kind = "kademlia-lookup";
  scenario.nodes = p.nodes;
  scenario.end_s = 60;
  scenario.dht.puzzle_difficulty = 0;
  scenario.network.bandwidth_mbps = 100;
  scenario.network.regions = {fluence::sim::Region{"r", 1, 5}};
  char name[] = "binding";
  char quiet[] = "--log=root.thres:warning";
  char* argv[] = {name, quiet, nullptr};
  fluence::sim::World world(scenario, 1, 2, argv);
  for (size_t i = 0; i < p.nodes; ++i) {
    world.at(0, i, [&world, &p, i](fluence::node::Node*) {
      for (size_t m = 0; m < p.messages; ++m) {
        world.env(i).send(fluence::sim::World::address_of(p.destination(i, m)), fluence::Bytes(p.bytes, 1));
      }
    });
  }
  world.run();
  if (world.counters().messages_delivered != p.nodes * p.messages) std::exit(3);
}

struct Rounds {
  size_t nodes = 100'000;
  int ticks = 6;
  size_t cluster_size = 7;
  size_t challenge_bytes = 200;   // a PorChallenge and its rpc header
  size_t answer_bytes = 2'200;    // 20 salted hashes, 2 openings with Merkle paths, a signature
  double sign_s = 50e-6;          // the simulator's cost model (env::Work)
  double verify_s = 120e-6;
  int verifies_per_answer = 3;    // the answer's signature and its 2 openings
  double latency_s = 0.015;
  double tick_s = 3600;
  double spread_s = 600;          // rounds start spread over the first minutes of a tick
};

// One message of the rounds pattern: a challenge (from an arbiter) or an answer.
struct RoundMessage {
  size_t from = 0;
  bool challenge = false;
  std::vector<uint8_t> bytes;
};

void send_round_message(size_t to, RoundMessage* message) {
  uint64_t size = message->bytes.size();
  s4u::Mailbox::by_name("n" + std::to_string(to))
      ->put_init(message, size)
      ->detach([](void* data) { delete static_cast<RoundMessage*>(data); });
}

// Each node's loop: start the rounds it arbitrates when due, answer
// challenges, charge the CPU the model charges. Same shape as World::node_actor.
void rounds_node(const Rounds& r, size_t self, const std::vector<std::vector<size_t>>& members,
                 const std::vector<std::pair<double, size_t>>& arbitrated, double end_s, uint64_t& answers) {
  s4u::Mailbox* own = s4u::Mailbox::by_name("n" + std::to_string(self));
  own->set_receiver(s4u::Actor::self());
  std::multimap<double, size_t> due(arbitrated.begin(), arbitrated.end());
  RoundMessage* incoming = nullptr;
  std::vector<s4u::CommPtr> comms{own->get_async<RoundMessage>(&incoming)};
  double speed = s4u::this_actor::get_host()->get_speed();
  while (true) {
    double now = s4u::Engine::get_clock();
    while (!due.empty() && due.begin()->first <= now) {
      auto [at, cluster] = *due.begin();
      due.erase(due.begin());
      if (at + r.tick_s < end_s) due.emplace(at + r.tick_s, cluster);
      s4u::this_actor::execute(r.sign_s * speed);
      for (size_t m : members[cluster]) {
        send_round_message(m, new RoundMessage{self, true, std::vector<uint8_t>(r.challenge_bytes, 1)});
      }
    }
    now = s4u::Engine::get_clock();
    if (now >= end_s) break;
    double deadline = std::min(due.empty() ? end_s : due.begin()->first, end_s);
    if (s4u::Comm::wait_any_for(comms, std::max(0.0, deadline - now)) != 0) continue;
    std::unique_ptr<RoundMessage> message(incoming);
    incoming = nullptr;
    comms[0] = own->get_async<RoundMessage>(&incoming);
    if (message->challenge) {
      send_round_message(message->from, new RoundMessage{self, false, std::vector<uint8_t>(r.answer_bytes, 1)});
    } else {
      ++answers;
      s4u::this_actor::execute(r.verifies_per_answer * r.verify_s * speed);
    }
  }
  comms[0]->cancel();
  delete incoming;
}

// Runs the rounds pattern; returns the wall seconds of the simulation alone
// (the platform and actors built, not run, are left out) and counts the
// answers that reached their arbiters.
double run_bare_rounds(const Rounds& r, uint64_t& answers) {
  int argc = 2;
  char name[] = "bare-rounds";
  char quiet[] = "--log=root.thres:warning";
  char* argv[] = {name, quiet, nullptr};
  s4u::Engine engine(&argc, argv);
  std::vector<s4u::Host*> hosts = bare_star(r.nodes, r.latency_s);
  size_t clusters = r.nodes / r.cluster_size;
  fluence::env::DeterministicRandom random(1, 0x0ff5);
  std::vector<std::vector<size_t>> members(clusters);
  std::vector<std::vector<std::pair<double, size_t>>> arbitrated(r.nodes);
  for (size_t c = 0; c < clusters; ++c) {
    for (size_t k = 0; k < r.cluster_size; ++k) members[c].push_back(random.uniform(r.nodes));
    arbitrated[random.uniform(r.nodes)].emplace_back(1.0 + random.unit() * r.spread_s, c);
  }
  double end_s = 1.0 + r.ticks * r.tick_s;
  for (size_t i = 0; i < r.nodes; ++i) {
    s4u::Actor::create("n" + std::to_string(i), hosts[i],
                       [&r, &members, &arbitrated, &answers, end_s, i] {
                         rounds_node(r, i, members, arbitrated[i], end_s, answers);
                       });
  }
  auto start = std::chrono::steady_clock::now();
  engine.run_until(end_s);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double timed_child(void (*body)(const Pattern&), const Pattern& p) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    body(p);
    std::_Exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "fluence-bench-sim-binding: a run failed (status %d)\n", status);
    std::exit(1);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measures what SimGrid itself costs a fluence run. By default: the same burst of messages\n"
               "through bare S4U and through fluence's binding, each in its own process; prints both wall\n"
               "times and the ratio. With --rounds T: T hours of the por-network scenario's traffic (hourly\n"
               "challenges to clusters and their answers, with the modelled CPU charges) in bare S4U, no\n"
               "protocol; prints the wall time per replica-tick, the floor under that scenario on one core."};
  Pattern p;
  Rounds r;
  int rounds = 0;
  double check = 0;
  int repeat = 3;
  app.add_option("--nodes", p.nodes, "nodes (actors)")->check(CLI::Range(2, 1'000'000));
  app.add_option("--messages", p.messages, "burst: messages each node sends")->check(CLI::Range(1, 100'000));
  app.add_option("--bytes", p.bytes, "burst: message size")->check(CLI::Range(1, 1 << 20));
  app.add_option("--repeat", repeat, "burst: runs of each, the best is kept")->check(CLI::Range(1, 100));
  app.add_option("--check", check, "burst: exit 1 if the ratio exceeds this");
  app.add_option("--rounds", rounds, "run the rounds pattern for this many hourly ticks instead")
      ->check(CLI::Range(1, 10'000));
  app.add_option("--cluster-size", r.cluster_size, "rounds: members per cluster")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  if (rounds > 0) {
    r.nodes = p.nodes;
    r.ticks = rounds;
    if (r.nodes < r.cluster_size) {
      std::fprintf(stderr, "fluence-bench-sim-binding: --nodes %zu is fewer than --cluster-size %zu\n", r.nodes,
                   r.cluster_size);
      return 2;
    }
    uint64_t answers = 0;
    double wall = run_bare_rounds(r, answers);
    uint64_t replica_ticks = static_cast<uint64_t>(r.nodes / r.cluster_size * r.cluster_size) * r.ticks;
    if (answers != replica_ticks) {
      std::fprintf(stderr, "fluence-bench-sim-binding: %llu of %llu challenges answered\n",
                   static_cast<unsigned long long>(answers), static_cast<unsigned long long>(replica_ticks));
      return 1;
    }
    std::printf("rounds: %zu nodes, clusters of %zu, %d ticks: bare S4U %.2f s, %.2f us per replica-tick; "
                "720 ticks (30 days) would take %.0f s\n",
                r.nodes, r.cluster_size, r.ticks, wall, wall / static_cast<double>(replica_ticks) * 1e6,
                wall / r.ticks * 720);
    return 0;
  }
  double bare = 1e300, binding = 1e300;
  for (int i = 0; i < repeat; ++i) {
    bare = std::min(bare, timed_child(run_bare, p));
    binding = std::min(binding, timed_child(run_binding, p));
  }
  double ratio = binding / bare;
  std::printf("nodes %zu, messages %zu x %zu bytes: bare S4U %.3f s, binding %.3f s, ratio %.2f\n", p.nodes,
              p.messages, p.bytes, bare, binding, ratio);
  if (check > 0 && ratio > check) {
    std::printf("ratio %.2f exceeds %.2f\n", ratio, check);
    return 1;
  }
  return 0;
}
