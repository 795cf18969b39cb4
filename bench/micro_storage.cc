// Micro-benchmarks of the dataset state hash and proofs of retrievability.
//
// Merkle build throughput is reported beside raw BLAKE2b over the same bytes
// in the same run (target >= 0.9x). Prove and verify run over a dataset of
// FLUENCE_BENCH_DATASET_MB megabytes (default 1024) in rows of 16 KiB; the CI
// smoke run sets it small.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>

#include "model/env/random.h"
#include "model/por/por.h"
#include "model/storage/dataset.h"

namespace fluence {
namespace {

constexpr size_t kRowBytes = 16 * 1024;

size_t dataset_megabytes() {
  const char* text = std::getenv("FLUENCE_BENCH_DATASET_MB");
  long mb = text ? std::atol(text) : 1024;
  return mb > 0 ? static_cast<size_t>(mb) : 1024;
}

std::vector<std::pair<Bytes, Bytes>> make_rows(size_t count, size_t row_bytes) {
  env::DeterministicRandom random(1);
  std::vector<std::pair<Bytes, Bytes>> rows(count);
  for (size_t i = 0; i < count; ++i) {
    Bytes key(16);
    for (int b = 0; b < 8; ++b) key[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    random.fill(std::span<uint8_t>(key.data() + 8, 8));
    rows[i].first = std::move(key);
    rows[i].second.resize(row_bytes);
    random.fill(rows[i].second);
  }
  return rows;  // keys increase: the first 8 bytes count up
}

// Raw BLAKE2b over every row: the hardware-and-library limit for the build.
void BM_RawBlake2bOverRows(benchmark::State& state) {
  auto rows = make_rows(4096, static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    for (const auto& [k, v] : rows) benchmark::DoNotOptimize(crypto::blake2b_256(v));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096 * state.range(0));
}
BENCHMARK(BM_RawBlake2bOverRows)->Arg(4096)->Arg(16384)->Arg(65536)->Unit(benchmark::kMillisecond);

// The state hash built from scratch over the same rows, as a replica does on
// open: hash every value, then build the treap in one pass.
void BM_MerkleBuild(benchmark::State& state) {
  auto rows = make_rows(4096, static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::vector<std::pair<Bytes, crypto::Hash256>> hashed;
    hashed.reserve(rows.size());
    for (const auto& [k, v] : rows) hashed.emplace_back(k, storage::value_hash(v));
    storage::MerkleTreap tree = storage::MerkleTreap::build_sorted(std::move(hashed));
    benchmark::DoNotOptimize(tree.root());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 4096 * state.range(0));
}
BENCHMARK(BM_MerkleBuild)->Arg(4096)->Arg(16384)->Arg(65536)->Unit(benchmark::kMillisecond);

// One write to a tree of n entries: the incremental cost per write.
void BM_MerkleIncrementalWrite(benchmark::State& state) {
  size_t n = static_cast<size_t>(state.range(0));
  storage::MerkleTreap tree;
  env::DeterministicRandom random(2);
  for (size_t i = 0; i < n; ++i) {
    Bytes key(16);
    random.fill(key);
    tree.put(key, crypto::Hash256{});
  }
  uint64_t counter = 0;
  for (auto _ : state) {
    Bytes key(16);
    random.fill(key);
    crypto::Hash256 value{};
    value[0] = static_cast<uint8_t>(++counter);
    tree.put(key, value);  // an insert: rehashes one path
    tree.erase(key);       // and back, so n stays fixed
  }
  state.counters["depth"] = tree.depth();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_MerkleIncrementalWrite)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// A dataset of FLUENCE_BENCH_DATASET_MB held once for the PoR benchmarks.
struct PorFixture {
  env::MemoryStore store;
  std::optional<storage::Dataset> dataset;
  crypto::SigningKey arbiter = crypto::SigningKey::from_seed(crypto::Secret<32>());
  crypto::SigningKey node_key = arbiter.clone();

  PorFixture() {
    dataset.emplace(std::move(*storage::Dataset::open(store, storage::DatasetId{1})));
    size_t rows = dataset_megabytes() * 1024 * 1024 / kRowBytes;
    env::DeterministicRandom random(3);
    uint64_t sequence = 0;
    for (size_t done = 0; done < rows;) {
      storage::JournalEntry entry{++sequence, {}};
      for (size_t i = 0; i < 256 && done < rows; ++i, ++done) {
        storage::Mutation m{storage::Mutation::Kind::kPutRow, Bytes(16), Bytes(kRowBytes), {}, {}};
        random.fill(m.row_key);
        random.fill(m.value);
        entry.mutations.push_back(std::move(m));
      }
      if (!dataset->apply(entry).is_ok()) std::abort();
    }
  }
  static PorFixture& get() {
    static PorFixture fixture;
    return fixture;
  }
};

void BM_PorProve(benchmark::State& state) {
  PorFixture& f = PorFixture::get();
  uint16_t c = static_cast<uint16_t>(state.range(0));
  uint64_t tick = 0;
  size_t response_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    por::PorChallenge challenge = por::PorChallenge::make(f.arbiter, f.dataset->id(), ++tick, f.dataset->state_root(),
                                                          f.dataset->entry_count(), c, std::min<uint16_t>(c, 4));
    state.ResumeTiming();
    por::Proved proved = por::prove(challenge, *f.dataset, f.node_key);
    response_bytes = codec::encode(proved.response).size();
    benchmark::DoNotOptimize(proved);
  }
  state.counters["response_bytes"] = static_cast<double>(response_bytes);
  state.counters["dataset_mb"] = static_cast<double>(dataset_megabytes());
}
BENCHMARK(BM_PorProve)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_PorVerify(benchmark::State& state) {
  PorFixture& f = PorFixture::get();
  uint16_t c = static_cast<uint16_t>(state.range(0));
  por::PorChallenge challenge = por::PorChallenge::make(f.arbiter, f.dataset->id(), 1, f.dataset->state_root(),
                                                        f.dataset->entry_count(), c, std::min<uint16_t>(c, 4));
  por::PorResponse response = por::prove(challenge, *f.dataset, f.node_key).response;
  std::vector<por::PorResponse> replicas(3, response);
  for (auto _ : state) {
    if (por::check_response(challenge, response) != por::Fault::kNone) state.SkipWithError("honest response failed");
    benchmark::DoNotOptimize(por::disagreements(challenge, replicas));
  }
  state.counters["response_bytes"] = static_cast<double>(codec::encode(response).size());
}
BENCHMARK(BM_PorVerify)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fluence
