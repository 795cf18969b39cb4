// Macro benchmark: commit throughput and latency of a cluster chain in the
// simulator.
//
// For each (network, cluster size n, batch size B): n members and 3 arbiters
// on a SimGrid platform with LAN or WAN latencies; B closed-loop clients,
// spread over the members, each submitting its next write when the last one
// is acknowledged (so blocks fill up to B). Measured in simulated time:
// writes/s, commit latency p50 and p99 (submit to acknowledgement), and per
// committed block the messages sent and signatures checked by all nodes. The
// Ed25519 verify rate of this machine, measured in the same run, stands
// beside the signature counts. Each configuration runs in its own process
// (one SimGrid engine per process).
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "model/crypto/sign.h"
#include "sim/world.h"

namespace {

using fluence::sim::World;

struct Run {
  std::string network = "lan";
  size_t members = 4;
  size_t batch = 1;
  size_t writes = 2000;
  double max_s = 600;
};

fluence::sim::Scenario scenario_for(const Run& run) {
  fluence::sim::Scenario scenario;
  scenario.kind = "kademlia-lookup";
  scenario.nodes = run.members + 3;
  scenario.end_s = run.max_s;
  scenario.dht.puzzle_difficulty = 0;
  scenario.network.bandwidth_mbps = run.network == "lan" ? 1000 : 100;
  if (run.network == "lan") {
    scenario.network.regions = {fluence::sim::Region{"lan", 1, 0.25}};
  } else {
    scenario.network.regions = {fluence::sim::Region{"eu", 1, 15}, fluence::sim::Region{"us", 1, 35},
                                fluence::sim::Region{"asia", 1, 60}};
  }
  return scenario;
}

void run_child(const Run& run) {
  fluence::sim::Scenario scenario = scenario_for(run);
  char name[] = "consensus";
  char quiet[] = "--log=root.thres:critical";
  char* argv[] = {name, quiet, nullptr};
  World world(scenario, 1, 2, argv);
  fluence::storage::DatasetId dataset{0xbe, 0x7c};
  fluence::node::HostedDataset hosted{dataset, {}, {}};
  for (size_t i = 0; i < scenario.nodes; ++i) {
    fluence::consensus::Validator v{World::address_of(i), world.identity(i).key.public_key()};
    (i < run.members ? hosted.members : hosted.arbiters).push_back(v);
  }
  bool wan = run.network != "lan";
  world.set_node_config([&](size_t index) {
    fluence::node::NodeConfig config;
    config.dht = scenario.dht;
    if (index > 0) config.bootstrap = {World::address_of(0)};
    config.datasets = {hosted};
    config.cluster.block_interval = std::chrono::milliseconds(0);
    config.cluster.max_block_writes = run.batch;
    config.cluster.write_timeout = std::chrono::seconds(120);
    if (wan) {
      config.cluster.consensus.timeout_propose = std::chrono::seconds(3);
      config.cluster.consensus.timeout_prevote = std::chrono::seconds(1);
      config.cluster.consensus.timeout_precommit = std::chrono::seconds(1);
    }
    return config;
  });

  for (size_t i = 0; i < scenario.nodes; ++i) {
    world.at(0.001 * static_cast<double>(i), i, [](fluence::node::Node* node) { node->start(); });
  }
  const double start_s = 2.0;
  size_t submitted = 0, acked = 0;
  double last_ack = 0;
  std::vector<double> latencies;
  auto checks = [&] {
    uint64_t total = 0;
    for (size_t i = 0; i < world.size(); ++i) total += world.env(i).signatures_checked();
    return total;
  };
  uint64_t height_at_end = 0, messages_at_end = 0, checks_at_end = 0, bytes_at_end = 0;
  std::vector<fluence::node::Node*> nodes(run.members, nullptr);  // no restarts here: pointers stay valid
  std::function<void(size_t)> submit = [&](size_t member) {
    if (submitted >= run.writes) return;
    size_t k = submitted++;
    std::string key = "row" + std::to_string(k % 1000), value(100, static_cast<char>('a' + k % 26));
    fluence::node::Node* node = nodes[member];
    double sent = world.now();
    node->write(dataset, {{fluence::storage::Mutation::Kind::kPutRow, fluence::Bytes(key.begin(), key.end()),
                           fluence::Bytes(value.begin(), value.end()), {}, {}}},
                [&, member, sent](fluence::Result<uint64_t> r) {
                  if (!r) return;
                  ++acked;
                  last_ack = world.now();
                  latencies.push_back(world.now() - sent);
                  if (acked == run.writes) {
                    // Measured: idle empty blocks after this are not the figure.
                    height_at_end = nodes[0] ? nodes[0]->chain(dataset)->height() : 0;
                    messages_at_end = world.counters().messages_sent;
                    bytes_at_end = world.counters().bytes_sent;
                    checks_at_end = checks();
                    world.end_now();
                  }
                  submit(member);
                });
  };
  uint64_t height_at_start = 0, messages_at_start = 0, checks_at_start = 0, bytes_at_start = 0;
  world.control_at(start_s - 0.001, [&] {
    messages_at_start = world.counters().messages_sent;
    bytes_at_start = world.counters().bytes_sent;
    checks_at_start = checks();
  });
  // World::at hands over nullptr when the node was too busy to run the task
  // on time: the client then starts a little later.
  std::function<void(size_t, double)> start_client = [&](size_t member, double at) {
    world.at(at, member, [&, member](fluence::node::Node* node) {
      if (node == nullptr) return start_client(member, world.now() + 1e-4);
      nodes[member] = node;
      if (height_at_start == 0) height_at_start = node->chain(dataset)->height() + 1;
      submit(member);
    });
  };
  for (size_t c = 0; c < std::max<size_t>(run.batch, 1); ++c) start_client(c % run.members, start_s);
  world.run();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) { return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(q * (latencies.size() - 1))]; };
  double elapsed = last_ack - start_s;
  double blocks = static_cast<double>(std::max<uint64_t>(height_at_end + 1 - height_at_start, 1));
  std::printf("%-4s %3zu %6zu %8zu %10.0f %9.1f %9.1f %8.0f %9.0f %9.0f\n", run.network.c_str(), run.members, run.batch, acked,
              elapsed > 0 ? static_cast<double>(acked) / elapsed : 0.0, pct(0.5) * 1e3, pct(0.99) * 1e3,
              static_cast<double>(messages_at_end - messages_at_start) / blocks,
              static_cast<double>(checks_at_end - checks_at_start) / blocks,
              static_cast<double>(bytes_at_end - bytes_at_start) / blocks / 1024);
  std::fflush(stdout);
}

double verify_rate() {
  fluence::crypto::SigningKey key = fluence::crypto::SigningKey::from_seed(fluence::crypto::Secret<32>());
  fluence::Bytes message(64, 7);
  fluence::crypto::Signature signature = key.sign(message);
  auto start = std::chrono::steady_clock::now();
  int n = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) {
    for (int i = 0; i < 100; ++i) n += fluence::crypto::verify(key.public_key(), message, signature) ? 1 : 0;
  }
  return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Commit throughput and latency of a cluster chain in simulation (n members, 3 arbiters,\n"
               "closed-loop clients as many as the batch size), for each network, n and batch size."};
  std::vector<std::string> nets = {"lan", "wan"};
  std::vector<size_t> sizes = {4, 7, 10}, batch_sizes = {1, 10, 100, 1000};
  Run base;
  app.add_option("--networks", nets, "lan and/or wan, comma separated")->delimiter(',')->check(CLI::IsMember({"lan", "wan"}));
  app.add_option("--members", sizes, "cluster sizes, comma separated")->delimiter(',')->check(CLI::Range(1, 100));
  app.add_option("--batches", batch_sizes, "batch sizes (max writes per block), comma separated")
      ->delimiter(',')
      ->check(CLI::Range(1, 10000));
  app.add_option("--writes", base.writes, "writes per configuration")->check(CLI::Range(1, 10'000'000));
  app.add_option("--max-seconds", base.max_s, "simulated time limit per configuration")->check(CLI::Range(5.0, 1e6));
  CLI11_PARSE(app, argc, argv);
  std::printf("Ed25519 verify rate on this machine: %.0f /s\n", verify_rate());
  std::printf("%-4s %3s %6s %8s %10s %9s %9s %8s %9s %9s\n", "net", "n", "batch", "writes", "writes/s", "p50 ms",
              "p99 ms", "msgs/blk", "checks/blk", "KiB/blk");
  std::fflush(stdout);
  for (const std::string& net : nets) {
    for (size_t n : sizes) {
      for (size_t b : batch_sizes) {
        Run run = base;
        run.network = net;
        run.members = n;
        run.batch = b;
        pid_t pid = fork();
        if (pid == 0) {
          run_child(run);
          std::_Exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          std::fprintf(stderr, "fluence-bench-consensus: run %s n=%zu batch=%zu failed (status %d)\n", net.c_str(), n, b, status);
          return 1;
        }
      }
    }
  }
  return 0;
}
