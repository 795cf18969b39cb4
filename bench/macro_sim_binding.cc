// Macro benchmark: the binding's overhead over bare SimGrid.
//
// N nodes each send M messages of S bytes to peers drawn from a seeded rng,
// all at time 0, on the same star platform; every message is received. Once
// through bare S4U (actors and mailboxes, nothing else) and once through the
// binding (SimEnv::send, World, node actors, delivery into Node::on_message,
// where the model drops the bytes as malformed). Each runs in its own process
// (one SimGrid engine per process); the ratio of wall times is the figure.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
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

void run_bare(const Pattern& p) {
  int argc = 2;
  char name[] = "bare";
  char quiet[] = "--log=root.thres:warning";
  char* argv[] = {name, quiet, nullptr};
  s4u::Engine engine(&argc, argv);
  s4u::Engine::set_config("network/model:CM02");
  s4u::Engine::set_config("contexts/stack-size:64");
  s4u::Engine::set_config("contexts/guard-size:0");
  auto* zone = s4u::create_star_zone("world");
  std::vector<s4u::Host*> hosts;
  for (size_t i = 0; i < p.nodes; ++i) {
    s4u::Host* host = zone->create_host("h" + std::to_string(i), 1e9);
    s4u::SplitDuplexLink* link = zone->create_split_duplex_link("l" + std::to_string(i), 12.5e6);
    link->set_latency(0.005);
    link->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {s4u::LinkInRoute(link, s4u::LinkInRoute::Direction::UP)}, true);
    hosts.push_back(host);
  }
  zone->seal();
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
  CLI::App app{"Measures the SimGrid binding's overhead: the same message pattern through bare S4U and\n"
               "through fluence's binding, each in its own process; prints both wall times and the ratio."};
  Pattern p;
  double check = 0;
  int repeat = 3;
  app.add_option("--nodes", p.nodes, "nodes (actors)")->check(CLI::Range(2, 1'000'000));
  app.add_option("--messages", p.messages, "messages each node sends")->check(CLI::Range(1, 100'000));
  app.add_option("--bytes", p.bytes, "message size")->check(CLI::Range(1, 1 << 20));
  app.add_option("--repeat", repeat, "runs of each, the best is kept")->check(CLI::Range(1, 100));
  app.add_option("--check", check, "exit 1 if the ratio exceeds this");
  CLI11_PARSE(app, argc, argv);
  double bare = 1e300, binding = 1e300;
  for (int r = 0; r < repeat; ++r) {
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
