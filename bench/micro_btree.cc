// Micro-benchmarks of the encrypted B+tree (model/client/btree.h) over
// MemoryRowSource, so the figures are the client's own cost per operation
// (sealing, hashing, decoding) and its round trips, without a network: on a
// real cluster each round trip adds one request's latency on top.
//
// Trees of 10^3..10^5 rows are built once per process; 10^6 only when
// FLUENCE_BENCH_BTREE_MAX_ROWS allows it (its build takes about a minute,
// too long for the smoke run).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include "model/client/btree.h"

namespace fluence {
namespace {

using client::BTree;

constexpr size_t kBucketEntries = 64;

int64_t max_rows() {
  const char* text = std::getenv("FLUENCE_BENCH_BTREE_MAX_ROWS");
  long rows = text ? std::atol(text) : 100'000;
  return rows > 0 ? rows : 100'000;
}

// Keys as the gateway would make them from a number: big-endian, so byte
// order is numeric order. Even numbers are in the tree, odd ones are not.
Bytes key_of(uint64_t n) {
  Bytes key(9, 'k');
  for (int i = 0; i < 8; ++i)
    key[static_cast<size_t>(1 + i)] = static_cast<uint8_t>(n >> (56 - 8 * i));
  return key;
}

Bytes value_of(uint64_t n) {  // a document id's size
  Bytes value(16, 'd');
  value[15] = static_cast<uint8_t>(n);
  return value;
}

const client::DatasetKeys& keys() {
  static const client::DatasetKeys keys(storage::DatasetId{7}, client::RootSecret());
  return keys;
}

struct BuiltTree {
  client::MemoryRowSource rows;
  client::BTreeDescriptor descriptor;
};

// n rows inserted in random order, obsolete buckets collected after each.
const BuiltTree& built(int64_t n) {
  static std::map<int64_t, std::unique_ptr<BuiltTree>> trees;
  std::unique_ptr<BuiltTree>& slot = trees[n];
  if (slot) return *slot;
  slot = std::make_unique<BuiltTree>();
  env::DeterministicRandom random(42);
  // Caching all but the leaves makes the build cheaper; the benchmarks open
  // their own trees with their own cache.
  BTree tree =
      std::move(*BTree::open(*client::BTreeDescriptor::empty(as_bytes("ix/"), kBucketEntries),
                             client::dataset_bucket_cipher(keys()), slot->rows, random, 8));
  std::vector<uint64_t> order(static_cast<size_t>(n));
  for (size_t i = 0; i < order.size(); ++i) order[i] = 2 * i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.uniform(i)]);
  for (uint64_t k : order) {
    if (!tree.insert(key_of(k), value_of(k)).is_ok() || !tree.collect_garbage().is_ok())
      std::abort();
  }
  slot->descriptor = tree.descriptor();
  return *slot;
}

void rows_and_cache(benchmark::internal::Benchmark* bench) {
  for (int64_t rows = 1'000; rows <= std::min<int64_t>(max_rows(), 1'000'000); rows *= 10) {
    for (int64_t cached : {0, 1}) bench->Args({rows, cached});
  }
}

// A point lookup of a present key, after one lookup has warmed the cache.
void BM_BtreeFind(benchmark::State& state) {
  const BuiltTree& source = built(state.range(0));
  client::MemoryRowSource rows = source.rows;
  env::DeterministicRandom random(1);
  BTree tree = std::move(
      *BTree::open(source.descriptor, client::dataset_bucket_cipher(keys()), rows, random,
                   static_cast<size_t>(state.range(1))));
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  if (!tree.find(key_of(0)).is_ok()) std::abort();
  uint64_t round_trips = 0;
  for (auto _ : state) {
    Result<std::optional<Bytes>> found = tree.find(key_of(2 * random.uniform(n)));
    if (!found.is_ok() || !found->has_value()) std::abort();
    round_trips += tree.last_round_trips().total();
    benchmark::DoNotOptimize(found);
  }
  state.counters["height"] = static_cast<double>(tree.height());
  state.counters["buckets"] = static_cast<double>(rows.rows().size());
  state.counters["round_trips"] =
      benchmark::Counter(static_cast<double>(round_trips), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_BtreeFind)->Apply(rows_and_cache)->Unit(benchmark::kMicrosecond);

// A range scan of 1,000 rows from a random start, in a tree of 10^5.
void BM_BtreeRange1000(benchmark::State& state) {
  const int64_t n = std::min<int64_t>(max_rows(), 100'000);
  const BuiltTree& source = built(n);
  client::MemoryRowSource rows = source.rows;
  env::DeterministicRandom random(2);
  BTree tree = std::move(
      *BTree::open(source.descriptor, client::dataset_bucket_cipher(keys()), rows, random,
                   static_cast<size_t>(state.range(0))));
  uint64_t round_trips = 0;
  for (auto _ : state) {
    uint64_t start = 2 * random.uniform(static_cast<uint64_t>(n) - 1000);
    Result<std::vector<client::BTreeEntry>> got = tree.range(key_of(start), {}, 1000);
    if (!got.is_ok() || got->size() != 1000) std::abort();
    round_trips += tree.last_round_trips().total();
    benchmark::DoNotOptimize(got);
  }
  state.counters["rows"] = static_cast<double>(n);
  state.counters["round_trips"] =
      benchmark::Counter(static_cast<double>(round_trips), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_BtreeRange1000)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Inserting a new key into a tree of 10^5 and erasing the rows it made
// obsolete: the write path's cost and its round trips (gets, puts, erases).
void BM_BtreeInsert(benchmark::State& state) {
  const int64_t n = std::min<int64_t>(max_rows(), 100'000);
  const BuiltTree& source = built(n);
  client::MemoryRowSource rows = source.rows;
  env::DeterministicRandom random(3);
  BTree tree = std::move(
      *BTree::open(source.descriptor, client::dataset_bucket_cipher(keys()), rows, random,
                   static_cast<size_t>(state.range(0))));
  uint64_t round_trips = 0;
  uint64_t next = 0;
  for (auto _ : state) {
    // Odd keys are new; past n of them they are replaced with a new value.
    uint64_t k = 2 * (random.uniform(static_cast<uint64_t>(n))) + 1;
    Bytes value = value_of(++next);
    if (!tree.insert(key_of(k), value).is_ok()) std::abort();
    round_trips += tree.last_round_trips().total();
    if (!tree.collect_garbage().is_ok()) std::abort();
    round_trips += tree.last_round_trips().total();
  }
  state.counters["round_trips"] =
      benchmark::Counter(static_cast<double>(round_trips), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_BtreeInsert)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fluence
