// Macro benchmark: insert throughput through the MongoDB-compatible gateway,
// end to end. fluence-node processes on 127.0.0.1 (4 members and 3 arbiters
// holding one dataset), the fluence-gateway executable in front of them, and
// the real MongoDB C driver (libmongoc) inserting documents of about 100
// bytes in "insert" commands (a bulk of inserts: what insert_many sends) of
// each batch size in turn, each into a fresh collection. Reports documents/s,
// commands/s and the p50 / p99 latency per command, wall-clock, and checks
// that count_documents sees every document. The setup of
// tests/runtime/gateway/gateway_nodes_test.cc.
#include <arpa/inet.h>
#include <fcntl.h>
#include <mongoc/mongoc.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/runtime/gateway/gateway_process.h"
#include "tests/runtime/node_cluster.h"


namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 3;
// Batch 1 is one consensus round per command at least: cap it so a run
// stays minutes long.
constexpr size_t kSingleDocumentCap = 500;

// Document i, about 100 bytes of BSON: {_id, name, age, score}.
bson_t* document_of(size_t i) {
  std::string name = "Name-" + std::to_string(i) + "-";
  name.resize(51, 'x');
  bson_t* document = bson_new();
  BSON_APPEND_INT64(document, "_id", static_cast<int64_t>(i));
  BSON_APPEND_UTF8(document, "name", name.c_str());
  BSON_APPEND_INT32(document, "age", static_cast<int32_t>((i * 37) % 100));
  BSON_APPEND_DOUBLE(document, "score", static_cast<double>(i % 1000) / 10.0);
  return document;
}

struct Measurement {
  size_t documents = 0;
  size_t commands = 0;
  double elapsed_s = 0;
  std::vector<double> latencies_s;  // per command, sorted
};

// Inserts `documents` documents in insert commands of `batch`, each
// timed; false (with the reason on stderr) on the first failing command.
bool insert_all(mongoc_collection_t* collection, size_t documents, size_t batch, Measurement& out) {
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  Clock::time_point start = Clock::now(), shown = start;
  for (size_t first = 0; first < documents; first += batch) {
    // A bulk of inserts is what insert_many sends: one "insert" command.
    mongoc_bulk_operation_t* bulk = mongoc_collection_create_bulk_operation_with_opts(collection, nullptr);
    const size_t count = std::min(documents, first + batch) - first;
    for (size_t i = first; i < first + count; ++i) {
      bson_t* document = document_of(i);
      mongoc_bulk_operation_insert(bulk, document);
      bson_destroy(document);
    }
    bson_t reply;
    bson_error_t error{};
    Clock::time_point t0 = Clock::now();
    bool ok = mongoc_bulk_operation_execute(bulk, &reply, &error) != 0;
    out.latencies_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    bson_iter_t it;
    int64_t inserted = bson_iter_init_find(&it, &reply, "nInserted") ? bson_iter_as_int64(&it) : -1;
    bson_destroy(&reply);
    mongoc_bulk_operation_destroy(bulk);
    if (!ok || inserted != static_cast<int64_t>(count)) {
      std::fprintf(stderr, "\nfluence-bench-gateway: inserting %zu at %zu: %s (inserted %lld)\n", count,
                   first, ok ? "short count" : error.message, static_cast<long long>(inserted));
      return false;
    }
    out.documents += count;
    ++out.commands;
    if (progress && Clock::now() - shown > std::chrono::seconds(1)) {
      shown = Clock::now();
      std::fprintf(stderr, "\r  batch %zu: %zu / %zu documents", batch, out.documents, documents);
    }
  }
  if (progress) std::fprintf(stderr, "\r\033[K");
  out.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(out.latencies_s.begin(), out.latencies_s.end());
  return true;
}

// One batch size into a fresh collection; exit status 0 only when every
// command succeeded and count_documents sees every document.
int run_batch(mongoc_client_t* client, size_t documents, size_t batch, bool index) {
  std::string name = "people_b" + std::to_string(batch);
  mongoc_collection_t* collection = mongoc_client_get_collection(client, "bench", name.c_str());
  bson_error_t error{};
  if (index) {
    bson_t* command = BCON_NEW("createIndexes", BCON_UTF8(name.c_str()), "indexes", "[", "{", "key", "{", "age",
                               BCON_INT32(1), "}", "name", BCON_UTF8("age_1"), "}", "]");
    bool ok = mongoc_collection_write_command_with_opts(collection, command, nullptr, nullptr, &error);
    bson_destroy(command);
    if (!ok) {
      std::fprintf(stderr, "fluence-bench-gateway: createIndexes on %s: %s\n", name.c_str(), error.message);
      mongoc_collection_destroy(collection);
      return 1;
    }
  }
  Measurement m;
  int status = insert_all(collection, documents, batch, m) ? 0 : 1;
  if (status == 0) {
    bson_t* all = bson_new();
    int64_t count = mongoc_collection_count_documents(collection, all, nullptr, nullptr, nullptr, &error);
    bson_destroy(all);
    assert(m.commands > 0 && m.latencies_s.size() == m.commands);
    auto pct = [&](double q) { return m.latencies_s[static_cast<size_t>(q * static_cast<double>(m.commands - 1))]; };
    std::printf("%6zu %9zu %8zu %11.1f %10.2f %9.1f %9.1f %8lld\n", batch, m.documents, m.commands,
                static_cast<double>(m.documents) / m.elapsed_s, static_cast<double>(m.commands) / m.elapsed_s,
                pct(0.5) * 1e3, pct(0.99) * 1e3, static_cast<long long>(count));
    std::fflush(stdout);
    if (count != static_cast<int64_t>(m.documents)) {
      std::fprintf(stderr, "fluence-bench-gateway: count_documents on %s is %lld, %zu were inserted%s%s\n",
                   name.c_str(), static_cast<long long>(count), m.documents, count < 0 ? ": " : "",
                   count < 0 ? error.message : "");
      status = 1;
    }
  }
  // The gateway places one collection per dataset; dropping this one frees
  // the catalog's dataset for the next batch size, so every batch size
  // writes to one dataset per command, as the test's collection does.
  if (!mongoc_collection_drop(collection, &error)) {
    std::fprintf(stderr, "fluence-bench-gateway: dropping %s: %s\n", name.c_str(), error.message);
    status = 1;
  }
  mongoc_collection_destroy(collection);
  return status;
}

int run(size_t documents, const std::vector<size_t>& batches, bool index, int block_interval_ms) {
  // One dataset: it holds the catalog and, in turn, each batch size's collection.
  const std::string dataset(64, 'd');
  fluence::testing::NodeCluster cluster(kMembers + kArbiters, 0, [&](const std::vector<std::string>& peers) {
    nlohmann::json config = fluence::testing::one_dataset(peers, dataset, kMembers);
    config.update({{"block_interval_ms", block_interval_ms}, {"log_level", "error"}});
    return config;
  });
  for (size_t i = 0; i < cluster.size(); ++i) cluster.start(i);
  if (!cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 30000)) {
    std::fprintf(stderr, "fluence-bench-gateway: the nodes did not start\n");
    return 1;
  }

  fs::path dir = fs::temp_directory_path() / ("fluence-bench-gateway-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  uint16_t port = fluence::testing::free_port();
  nlohmann::json datasets = {{{"id", dataset}, {"node_admin", cluster.node(0).admin_address}}};
  std::ofstream(dir / "gateway.json") << nlohmann::json{{"listen", "127.0.0.1:" + std::to_string(port)},
                                                        {"key_store", (dir / "keys").string()},
                                                        {"argon2", "min"},
                                                        {"log_level", "warn"},
                                                        {"datasets", datasets}}
                                             .dump(2);
  int status = 0;
  {
    fluence::testing::GatewayProcess gateway(dir, port);
    if (!gateway.wait_ready()) {
      std::fprintf(stderr, "fluence-bench-gateway: the gateway did not start:\n%s\n", gateway.log().c_str());
      status = 1;
    } else {
      std::string uri = "mongodb://127.0.0.1:" + std::to_string(port) +
                        "/?serverSelectionTimeoutMS=20000&socketTimeoutMS=600000";
      mongoc_client_t* client = mongoc_client_new(uri.c_str());
      assert(client != nullptr);
      std::printf("%6s %9s %8s %11s %10s %9s %9s %8s\n", "batch", "documents", "commands", "documents/s", "commands/s",
                  "p50 ms", "p99 ms", "count");
      for (size_t batch : batches) {
        size_t n = batch == 1 ? std::min(documents, kSingleDocumentCap) : documents;
        status |= run_batch(client, n, batch, index);
      }
      mongoc_client_destroy(client);
      if (status != 0) std::fprintf(stderr, "gateway log:\n%s\n", gateway.log().c_str());
    }
  }
  if (std::getenv("FLUENCE_KEEP_CLUSTER") == nullptr) fs::remove_all(dir);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Insert throughput through fluence-gateway with the MongoDB C driver: 4 fluence-node members\n"
               "and 3 arbiters on 127.0.0.1, insert_many commands of each batch size into a fresh collection."};
  size_t documents = 10'000;
  std::vector<size_t> batches = {1, 10, 100, 1000};
  int indexes = 1;
  int block_interval_ms = 20;
  app.add_option("--documents", documents, "documents per batch size (batch 1 is capped at 500)")
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  app.add_option("--batch", batches, "documents per insert_many command, comma separated")
      ->delimiter(',')
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--indexes", indexes, "secondary btree indexes (on age): 0 or 1")->check(CLI::Range(0, 1));
  app.add_option("--block-interval-ms", block_interval_ms, "the chain's least time between blocks")
      ->check(CLI::Range(0, 10000));
  CLI11_PARSE(app, argc, argv);
  if (documents > kSingleDocumentCap && std::find(batches.begin(), batches.end(), size_t{1}) != batches.end()) {
    std::printf("# batch 1 inserts at most %zu documents: each command is a consensus round\n", kSingleDocumentCap);
  }
  mongoc_init();
  int status = run(documents, batches, indexes == 1, block_interval_ms);
  mongoc_cleanup();
  return status;
}
