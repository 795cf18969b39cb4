// Macro benchmark: commit throughput and latency of a cluster chain of real
// fluence-node processes on 127.0.0.1 (n members and 3 arbiters, RocksDB with
// synced writes, authenticated channels). C client threads each submit a
// write through the admin endpoint of a member and wait for its
// acknowledgement (a committed block) before the next: writes/s and the
// p50 / p99 latency, wall-clock. On a 2-core machine the processes share the
// cores, so this is the cost of the whole stack, not of the network.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "tests/runtime/node_cluster.h"

namespace {

int run(size_t members, size_t clients, size_t writes, int block_interval_ms) {
  const std::string dataset(64, 'b');
  fluence::testing::NodeCluster cluster(members + 3, 0, [&](const std::vector<std::string>& peers) {
    nlohmann::json config = fluence::testing::one_dataset(peers, dataset, members);
    config.update({{"block_interval_ms", block_interval_ms}, {"max_block_writes", 1000}, {"log_level", "error"}});
    return config;
  });
  for (size_t i = 0; i < cluster.size(); ++i) cluster.start(i);
  if (!cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 30000)) {
    std::fprintf(stderr, "fluence-bench-loopback: the nodes did not start\n");
    return 1;
  }
  std::atomic<size_t> next{0}, failed{0};
  std::mutex mutex;
  std::vector<double> latencies;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      for (size_t k = next++; k < writes; k = next++) {
        nlohmann::json rows = {{{"key", "row" + std::to_string(k % 1000)}, {"value", std::string(100, 'v')}}};
        auto t0 = std::chrono::steady_clock::now();
        nlohmann::json reply = cluster.admin(c % members, {{"cmd", "write"}, {"dataset", dataset}, {"rows", rows}}, 60000);
        if (!reply.contains("sequence")) {
          ++failed;
          continue;
        }
        mine.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) { return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(q * (latencies.size() - 1))]; };
  nlohmann::json status = cluster.admin(0, {{"cmd", "dataset"}, {"dataset", dataset}});
  std::printf("%3zu %7zu %8zu %10.0f %9.1f %9.1f %7zu %8s\n", members, clients, latencies.size(),
              static_cast<double>(latencies.size()) / elapsed, pct(0.5) * 1e3, pct(0.99) * 1e3, failed.load(),
              status.contains("height") ? std::to_string(status["height"].get<uint64_t>()).c_str() : "?");
  std::fflush(stdout);
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Commit throughput and latency of fluence-node processes on 127.0.0.1: n members and 3\n"
               "arbiters, C closed-loop clients writing through the members' admin endpoints."};
  std::vector<size_t> sizes = {4, 7, 10}, client_counts = {1, 10, 100};
  size_t writes = 1000;
  int block_interval_ms = 5;
  app.add_option("--members", sizes, "cluster sizes, comma separated")->delimiter(',')->check(CLI::Range(1, 30));
  app.add_option("--clients", client_counts, "concurrent clients, comma separated")->delimiter(',')->check(CLI::Range(1, 1000));
  app.add_option("--writes", writes, "writes per configuration")->check(CLI::Range(1, 10'000'000));
  app.add_option("--block-interval-ms", block_interval_ms, "the chain's least time between blocks")->check(CLI::Range(0, 10000));
  CLI11_PARSE(app, argc, argv);
  std::printf("%3s %7s %8s %10s %9s %9s %7s %8s\n", "n", "clients", "writes", "writes/s", "p50 ms", "p99 ms", "failed",
              "blocks");
  int status = 0;
  for (size_t n : sizes) {
    for (size_t c : client_counts) {
      status |= run(n, c, writes, block_interval_ms);
    }
  }
  return status;
}
