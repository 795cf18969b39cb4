// Macro benchmark: range queries over an order-revealing-encrypted index
// (Lewi-Wu, model/crypto/ore.h) answered the way a node answers them, beside
// a plaintext RocksDB range scan of the same rows, in the same run.
//
// Two RocksDB stores (runtime/rocks_store.h, the node's store) in a temporary
// directory hold the same N documents, each indexed by a uniform random
// 64-bit value:
// - ORE index, as the gateway writes it (runtime/gateway/
//   encrypted_store_ore.cc) into a dataset replica (storage::Dataset), by
//   applying journal entries of kRowsPerEntry rows:
//     row key   = "o" || epoch (8) || index number (4) || row name (32)
//     row value = right ciphertext (529 bytes, d = 8) || located (65 bytes:
//                 the document row key and the hash of its row)
//   A query is storage::scan_ore paged to completion, as the admin "ore_scan"
//   runs it on a member (without the signature and the network): the node
//   cannot seek, so every query examines all N rows.
// - plaintext index: key = big-endian value || row name, value = the same 65
//   bytes. A query seeks to lo and reads until the first key >= hi: it
//   examines only the rows in the range (plus the one that ends it).
// Both scans run on one thread and must return the same rows (exit status 1
// otherwise). "Examined rows/s" is the scan's own speed; "returned rows/s" is
// what the caller sees per second. Then a breakdown: the same rows through the
// node's pieces one at a time (store iteration, the scanner over rows in
// memory, the comparisons alone), so that the cost per row can be split.
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/base/check.h"
#include "model/codec/codec.h"
#include "model/crypto/ore.h"
#include "model/env/random.h"
#include "model/storage/dataset.h"
#include "model/storage/ore_scan.h"
#include "runtime/rocks_store.h"

namespace {

using fluence::Bytes;
using fluence::ByteView;
namespace crypto = fluence::crypto;
namespace env = fluence::env;
namespace storage = fluence::storage;
using fluence::runtime::RocksStore;

constexpr size_t kRowsPerEntry = 1000;  // rows per journal entry: one synced batch each
constexpr size_t kRowNameBytes = 32;    // as runtime/gateway/encrypted_rows.h
constexpr size_t kLocatedBytes = 65;    // document row key (33) || hash of its row (32)
constexpr uint64_t kEpoch = 1;
const storage::DatasetId kDatasetId{0xda, 0x7a};
constexpr size_t kHotRows = 1000;  // rows of the breakdown's in-memory passes: about 0.6 MB
constexpr uint32_t kIndexNumber = 0;

const char* kProgram = "fluence-bench-ore-range";

void put_be(Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_be64(ByteView in) {
  FL_ASSERT(in.size() >= 8);
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall and this thread's CPU time of one piece of work.
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_s_(thread_cpu_s()) {}
  double wall_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(); }
  double cpu_s() const { return thread_cpu_s() - cpu_s_; }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_s_;
};

// Removes the temporary directory on every way out of main; the stores are
// declared after it, so they are closed first.
struct TempDir {
  std::filesystem::path path;
  ~TempDir() {
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) std::fprintf(stderr, "%s: cannot remove %s: %s\n", kProgram, path.c_str(), ec.message().c_str());
  }
};

bool report(const fluence::Status& status, const char* what) {
  if (!status.is_ok()) std::fprintf(stderr, "%s: %s: %s\n", kProgram, what, status.to_string().c_str());
  return status.is_ok();
}

std::unique_ptr<RocksStore> open_store(const std::filesystem::path& path) {
  auto store = RocksStore::open(path.string());
  if (!store) {
    report(store.status(), "opening a store");
    return nullptr;
  }
  return std::move(*store);
}

// The gateway's ORE row prefix for one index of one shard (encrypted_rows.h).
Bytes ore_prefix() {
  Bytes prefix{'o'};
  put_be(prefix, kEpoch, 8);
  put_be(prefix, kIndexNumber, 4);
  return prefix;
}

// Encoded right ciphertexts, made on `threads` threads. Each thread draws its
// nonces from its own stream; the key is shared read-only.
std::vector<Bytes> encrypt_rows(const crypto::OreKey& key, const std::vector<uint64_t>& values, uint64_t seed,
                                size_t threads) {
  std::vector<Bytes> encoded(values.size());
  std::atomic<size_t> next{0}, done{0};
  auto work = [&](size_t worker) {
    env::DeterministicRandom nonces(seed, 100 + worker);
    for (size_t i = next.fetch_add(1); i < values.size(); i = next.fetch_add(1)) {
      encoded[i] = fluence::codec::encode(crypto::ore_encrypt_right(key, values[i], nonces));
      done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
  // Progress on a terminal: this takes minutes at the default size.
  bool tty = isatty(STDERR_FILENO) != 0;
  for (size_t tick = 1; tty && done.load() < values.size(); ++tick) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (tick % 20 == 0) std::fprintf(stderr, "\r  right ciphertexts: %zu / %zu", done.load(), values.size());
  }
  for (std::thread& t : pool) t.join();
  if (tty) std::fprintf(stderr, "\r  right ciphertexts: %zu / %zu\n", values.size(), values.size());
  return encoded;
}

struct ScanResult {
  std::vector<Bytes> payloads;  // sorted
  uint64_t examined = 0;
  uint64_t pages = 0;
  uint64_t skipped = 0;  // ORE rows that were not index rows: none here
  double wall_s = 0;
  double cpu_s = 0;
  bool ok = true;
};

// Seek to lo, read until the first key >= hi. Examined counts every entry
// the iterator produced, the one that ends the range included.
ScanResult plaintext_range(RocksStore& store, uint64_t lo, uint64_t hi) {
  ScanResult result;
  Stopwatch watch;
  Bytes start;
  put_be(start, lo, 8);
  auto it = store.iterate();
  for (it->seek(start); it->valid(); it->next()) {
    ++result.examined;
    if (get_be64(it->key()) >= hi) break;
    ByteView value = it->value();
    result.payloads.emplace_back(value.begin(), value.end());
  }
  result.ok = report(it->status(), "plaintext scan");
  result.wall_s = watch.wall_s();
  result.cpu_s = watch.cpu_s();
  std::sort(result.payloads.begin(), result.payloads.end());
  return result;
}

// storage::scan_ore, one page after the other until the last, as a member
// answers a client's "ore_scan"s. Every page examines the rows after the
// previous one's resume key, so the query examines every row under the
// prefix once: `rows` of them.
ScanResult ore_range(const storage::Dataset& dataset, storage::OreScanQuery query, size_t rows) {
  ScanResult result;
  Stopwatch watch;
  while (true) {
    fluence::Result<storage::OreScanPage> page = storage::scan_ore(dataset, query);
    if (!page) {
      result.ok = report(page.status(), "ore scan");
      break;
    }
    ++result.pages;
    result.skipped += page->skipped;
    for (storage::OreScanRow& row : page->rows) result.payloads.push_back(std::move(row.payload));
    if (page->complete) break;
    query.after = std::move(page->resume_after);
  }
  result.wall_s = watch.wall_s();
  result.cpu_s = watch.cpu_s();
  if (result.skipped != 0) {
    std::fprintf(stderr, "%s: %llu rows skipped as not index rows\n", kProgram,
                 static_cast<unsigned long long>(result.skipped));
    result.ok = false;
  }
  result.examined = rows;
  std::sort(result.payloads.begin(), result.payloads.end());
  return result;
}

storage::OreScanQuery range_query(const crypto::OreKey& key, uint64_t lo, uint64_t hi) {
  storage::OreScanQuery query;
  query.prefix = ore_prefix();
  query.lower = storage::OreBound{crypto::ore_encrypt_left(key, lo), true};
  query.upper = storage::OreBound{crypto::ore_encrypt_left(key, hi), false};
  return query;
}

double per_s(double count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

// The median CPU time of `repeat` runs of `pass`.
template <typename Pass>
double median_cpu_s(int repeat, Pass&& pass) {
  std::vector<double> times;
  for (int r = 0; r < repeat; ++r) {
    Stopwatch watch;
    pass();
    times.push_back(watch.cpu_s());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The per-row cost of the ORE scan's parts, each measured alone over the same
// rows: iterating the dataset's rows in the store, the scanner over the rows
// held in memory (parsing and comparing, no store), and the comparisons
// alone. Returns false if a pass fails.
bool breakdown(RocksStore& store, const storage::Dataset& dataset, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
               const crypto::OreKey& key, double scan_cpu_s_per_row) {
  const Bytes prefix = ore_prefix();
  std::vector<std::pair<Bytes, Bytes>> rows;
  if (!report(dataset.visit_rows(prefix, {},
                                 [&](ByteView k, ByteView v) {
                                   rows.emplace_back(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
                                   return true;
                                 }),
              "copying the rows")) {
    return false;
  }
  const double n = static_cast<double>(rows.size());
  constexpr int kRepeat = 3;

  uint64_t sink = 0;
  bool ok = true;
  double iterate_s = median_cpu_s(kRepeat, [&] {
    ok = ok && report(dataset.visit_rows(prefix, {},
                                         [&](ByteView k, ByteView v) {
                                           sink += k.size() + v[v.size() / 2];
                                           return true;
                                         }),
                      "iterating the rows");
  });

  // The same rows straight from the store's iterator, without the dataset:
  // its key layout (dataset.h) is "d" || dataset id || "e" || "r" || row key.
  Bytes store_prefix{'d'};
  store_prefix.insert(store_prefix.end(), kDatasetId.begin(), kDatasetId.end());
  store_prefix.push_back('e');
  const Bytes entry_prefix = storage::row_entry_key(prefix);
  store_prefix.insert(store_prefix.end(), entry_prefix.begin(), entry_prefix.end());
  double raw_s = median_cpu_s(kRepeat, [&] {
    auto it = store.iterate();
    for (it->seek(store_prefix); it->valid(); it->next()) {
      ByteView k = it->key(), v = it->value();
      if (k.size() < store_prefix.size() || !std::equal(store_prefix.begin(), store_prefix.end(), k.begin())) break;
      sink += k.size() + v[v.size() / 2];
    }
    ok = ok && report(it->status(), "iterating the store");
  });

  // The CPU work alone: the first kHotRows rows, held in memory and in the
  // cache, passed over again and again, as many rows in all as the store holds.
  rows.resize(std::min(rows.size(), kHotRows));
  const size_t rounds = (static_cast<size_t>(n) + rows.size() - 1) / rows.size();
  const double visits = static_cast<double>(rounds * rows.size());

  // The scanner, a page per round, each round with the bounds of the next query.
  std::vector<storage::OreScanQuery> queries;
  for (const auto& [lo, hi] : ranges) queries.push_back(range_query(key, lo, hi));
  double scanner_s = median_cpu_s(kRepeat, [&] {
    for (size_t round = 0; round < rounds; ++round) {
      storage::OreScanner scanner(queries[round % queries.size()]);
      for (const auto& [k, v] : rows) scanner.offer(k, v);
      sink += std::move(scanner).finish().rows.size();
    }
  });

  // The check of each right ciphertext in place, alone.
  double check_s = median_cpu_s(kRepeat, [&] {
    for (size_t round = 0; round < rounds; ++round) {
      for (const auto& [k, v] : rows) sink += *crypto::ore_right_encoded_size(v);
    }
  });

  // The comparisons alone, as the scanner makes them (OreScanner::in_range):
  // the bound that has excluded more rows so far first, the other only for
  // rows inside it; counts start again with each page (here, each round).
  uint64_t compares = 0;
  double compare_s = median_cpu_s(kRepeat, [&] {
    compares = 0;
    for (size_t round = 0; round < rounds; ++round) {
      const crypto::OreLeftCiphertext& lower = queries[round % queries.size()].lower->left;
      const crypto::OreLeftCiphertext& upper = queries[round % queries.size()].upper->left;
      uint64_t below = 0, above = 0;
      for (const auto& [k, v] : rows) {
        const bool upper_first = above > below;
        ++compares;
        if (upper_first ? *crypto::ore_compare_encoded(upper, v) <= 0 : *crypto::ore_compare_encoded(lower, v) > 0) {
          ++(upper_first ? above : below);
          continue;
        }
        ++compares;
        if (upper_first ? *crypto::ore_compare_encoded(lower, v) > 0 : *crypto::ore_compare_encoded(upper, v) <= 0) {
          ++(upper_first ? below : above);
          continue;
        }
        ++sink;
      }
    }
  });
  if (!ok) return false;

  auto ns = [&](double s, double count) { return s * 1e9 / count; };
  const double store_ns = ns(iterate_s, n), raw_ns = ns(raw_s, n), scanner_ns = ns(scanner_s, visits), check_ns = ns(check_s, visits),
               compare_ns = ns(compare_s, visits);
  const double total_ns = scan_cpu_s_per_row * 1e9;
  std::printf("\nbreakdown of the ORE scan, CPU ns per examined row (median of %d passes; the store pass over\n"
              "all %.0f rows, the others over the first %zu rows held in memory, %zu times, with the bounds\n"
              "of each query in turn: %.2f comparisons per row)\n",
              kRepeat, n, rows.size(), rounds, static_cast<double>(compares) / visits);
  std::printf("  %-58s %8.0f\n", "scan_ore paged to completion (the queries above)", total_ns);
  std::printf("  %-58s %8.0f\n", "  store: Dataset::visit_rows over RocksDB, values touched", store_ns);
  std::printf("  %-58s %8.0f\n", "    of which RocksStore's iterator alone", raw_ns);
  std::printf("  %-58s %8.0f\n", "  OreScanner::offer over rows in memory (CPU work)", scanner_ns);
  std::printf("  %-58s %8.0f\n", "    of which checking the right ciphertext in place", check_ns);
  std::printf("  %-58s %8.0f\n", "    of which the ORE comparisons (BLAKE2b masks)", compare_ns);
  std::printf("  %-58s %8.0f\n", "    of which the scanner's own work (keys, pages, copies)",
              scanner_ns - check_ns - compare_ns);
  std::printf("  %-58s %8.0f\n", "  rest (paging, the two together)", total_ns - store_ns - scanner_ns);
  std::printf("(sink %llu)\n", static_cast<unsigned long long>(sink % 10));
  return true;
}

// The marker a completed setup leaves in a --keep-stores directory.
std::string read_marker(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return {};
  char line[128] = {};
  std::string out = std::fgets(line, sizeof line, file) != nullptr ? line : "";
  std::fclose(file);
  return out;
}

bool write_marker(const std::filesystem::path& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  bool ok = file != nullptr && std::fputs(text.c_str(), file) >= 0;
  if (file != nullptr && std::fclose(file) != 0) ok = false;
  if (!ok) std::fprintf(stderr, "%s: cannot write %s\n", kProgram, path.c_str());
  return ok;
}

// Setup: values, row names, payloads, right ciphertexts, and both stores,
// closed when it returns.
bool build_stores(const std::filesystem::path& plain_path, const std::filesystem::path& ore_path,
                  const crypto::OreKey& key, size_t rows, uint64_t seed, size_t threads) {
  env::DeterministicRandom value_random(seed);
  std::vector<uint64_t> values(rows);
  for (uint64_t& v : values) v = value_random.next_u64();
  // Row names and located values are pseudorandom bytes to the node, as the
  // gateway's PRF outputs and hashes are.
  std::vector<Bytes> names(rows, Bytes(kRowNameBytes)), located(rows, Bytes(kLocatedBytes));
  env::DeterministicRandom name_random(seed, 3);
  for (size_t i = 0; i < rows; ++i) {
    name_random.fill(names[i]);
    name_random.fill(located[i]);
    located[i][0] = 'd';  // a document row key starts with its tag
  }

  std::fprintf(stderr, "setup: %zu rows, right ciphertexts on %zu threads\n", rows, threads);
  auto setup_wall = std::chrono::steady_clock::now();
  std::clock_t setup_cpu = std::clock();  // the process: all threads
  std::vector<Bytes> encoded = encrypt_rows(key, values, seed, threads);
  double encrypt_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_wall).count();
  double encrypt_cpu_s = static_cast<double>(std::clock() - setup_cpu) / CLOCKS_PER_SEC;

  auto load_wall = std::chrono::steady_clock::now();
  const Bytes prefix = ore_prefix();
  uint64_t ore_value_bytes = 0;
  std::unique_ptr<RocksStore> plain = open_store(plain_path), ore = open_store(ore_path);
  if (!plain || !ore) return false;
  fluence::Result<storage::Dataset> dataset = storage::Dataset::open(*ore, kDatasetId);
  if (!dataset) return report(dataset.status(), "opening the dataset");
  for (size_t begin = 0; begin < rows; begin += kRowsPerEntry) {
    env::WriteBatch plain_batch;
    storage::JournalEntry entry{dataset->applied_sequence() + 1, {}};
    for (size_t i = begin; i < std::min(rows, begin + kRowsPerEntry); ++i) {
      Bytes row_key = prefix, plain_key;
      row_key.insert(row_key.end(), names[i].begin(), names[i].end());
      put_be(plain_key, values[i], 8);
      plain_key.insert(plain_key.end(), names[i].begin(), names[i].end());
      plain_batch.put(plain_key, located[i]);
      // As EncryptedStore::ore_rows makes the value.
      Bytes value = encoded[i];
      value.insert(value.end(), located[i].begin(), located[i].end());
      ore_value_bytes += value.size();
      entry.mutations.push_back({storage::Mutation::Kind::kPutRow, std::move(row_key), std::move(value), {}, {}});
    }
    if (!report(plain->write(plain_batch), "plaintext load") || !report(dataset->apply(entry), "ORE load")) {
      return false;
    }
  }
  std::printf("setup: %zu rows; right ciphertexts %.1f s wall on %zu threads, %.1f s CPU (%.2f ms CPU each); "
              "dataset (%zu journal entries) and plaintext load %.1f s; ORE row values %.1f MB\n",
              rows, encrypt_s, threads, encrypt_cpu_s, encrypt_cpu_s * 1e3 / static_cast<double>(rows),
              (rows + kRowsPerEntry - 1) / kRowsPerEntry,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - load_wall).count(),
              static_cast<double>(ore_value_bytes) / 1e6);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Range queries over a Lewi-Wu ORE index (d = 8) answered as a node answers them -- rows written\n"
               "as the gateway writes them into a storage::Dataset over RocksDB, each query storage::scan_ore\n"
               "paged to completion -- beside a plaintext RocksDB range scan (seek + iterate) of the same rows,\n"
               "in the same run; checks that both return the same rows, then splits the ORE scan's cost per\n"
               "row. Both stores live in a temporary directory removed at exit (see --keep-stores)."};
  size_t rows = 100'000, queries = 20, threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t seed = 1;
  double selectivity = 0.01;
  bool skip_breakdown = false;
  std::string keep_dir;
  std::string tmp_parent = std::filesystem::temp_directory_path().string();
  app.option_defaults()->always_capture_default();
  app.add_option("--rows", rows, "rows in each index")->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  app.add_option("--queries", queries, "range queries")->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--selectivity", selectivity, "width of each range as a fraction of the 64-bit domain")
      ->check(CLI::Range(1e-12, 0.9));
  app.add_option("--seed", seed, "seed of the values, the key, the nonces, the row names and the ranges");
  app.add_option("--threads", threads, "threads that make the right ciphertexts (setup only)")
      ->check(CLI::Range(size_t{1}, size_t{256}));
  app.add_option("--tmpdir", tmp_parent, "where to make the temporary directory");
  app.add_flag("--no-breakdown", skip_breakdown, "skip the per-row cost breakdown after the queries");
  app.add_option("--keep-stores", keep_dir,
                 "keep the stores in this directory instead of a temporary one, and reuse them when a run with\n"
                 "the same --rows and --seed made them (setup takes minutes at the default size)");
  CLI11_PARSE(app, argc, argv);

  std::array<uint8_t, 32> key_bytes{};
  env::DeterministicRandom(seed, 1).fill(key_bytes);
  crypto::OreKey key = crypto::OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(key_bytes)));

  TempDir tmp;
  std::filesystem::path dir = keep_dir;
  if (keep_dir.empty()) {
    std::string pattern = (std::filesystem::path(tmp_parent) / "fluence-ore-range-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "%s: cannot make a directory in %s\n", kProgram, tmp_parent.c_str());
      return 1;
    }
    tmp.path = dir = pattern;
  }
  const std::filesystem::path plain_path = dir / "plaintext", ore_path = dir / "ore", marker = dir / "complete";
  const std::string setup_name = "rows " + std::to_string(rows) + " seed " + std::to_string(seed) + "\n";
  if (!keep_dir.empty() && read_marker(marker) == setup_name) {
    std::printf("setup: %zu rows; stores reused from %s\n", rows, dir.c_str());
  } else {
    std::error_code ec;
    if (!keep_dir.empty() && (!std::filesystem::create_directories(dir, ec) && ec)) {
      std::fprintf(stderr, "%s: cannot make %s: %s\n", kProgram, dir.c_str(), ec.message().c_str());
      return 1;
    }
    std::filesystem::remove_all(plain_path, ec);
    std::filesystem::remove_all(ore_path, ec);
    if (!build_stores(plain_path, ore_path, key, rows, seed, threads)) return 1;
    if (!keep_dir.empty() && !write_marker(marker, setup_name)) return 1;
  }

  auto open_wall = std::chrono::steady_clock::now();
  // Reopening recovers the write-ahead log into table files, so queries read
  // SSTs through the block cache, as on a node that has been running, not
  // the memtable of a store that was just written. Dataset::open rebuilds
  // the replica's Merkle treap from the store, as a restarted node does.
  std::unique_ptr<RocksStore> plain = open_store(plain_path), ore = open_store(ore_path);
  if (!plain || !ore) return 1;
  fluence::Result<storage::Dataset> dataset = storage::Dataset::open(*ore, kDatasetId);
  if (!dataset) {
    report(dataset.status(), "reopening the dataset");
    return 1;
  }
  if (dataset->entry_count() != rows) {
    std::fprintf(stderr, "%s: the dataset holds %llu entries, not %zu\n", kProgram,
                 static_cast<unsigned long long>(dataset->entry_count()), rows);
    return 1;
  }
  std::printf("reopened both stores and the dataset (rebuilding its Merkle treap) in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - open_wall).count());

  // Warm-up: one untimed pass over each store, so the first query does not
  // pay for cold pages.
  {
    ScanResult warm_plain = plaintext_range(*plain, 0, UINT64_MAX);
    ScanResult warm_ore = ore_range(*dataset, range_query(key, 0, UINT64_MAX), rows);
    if (!warm_plain.ok || !warm_ore.ok) return 1;
  }

  // Queries: [lo, hi) of width selectivity * 2^64 at a uniform position.
  const double domain = 18446744073709551616.0;  // 2^64
  const uint64_t width = static_cast<uint64_t>(selectivity * domain);
  env::DeterministicRandom range_random(seed, 2);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (size_t q = 0; q < queries; ++q) {
    uint64_t lo = range_random.uniform(UINT64_MAX - width);
    ranges.emplace_back(lo, lo + width);
  }
  std::printf("\nqueries: %zu, selectivity %g (expected %.1f rows per query), one thread, wall time; the ORE\n"
              "query is scan_ore paged to completion (at most %zu rows examined per page)\n",
              queries, selectivity, selectivity * static_cast<double>(rows), storage::kOreScanMaxExamined);
  std::printf("%5s %8s | %9s %9s %13s %13s | %9s %5s %9s %13s %13s | %9s %9s\n", "query", "returned", "pt exam",
              "pt ms", "pt exam/s", "pt ret/s", "ore exam", "pages", "ore ms", "ore exam/s", "ore ret/s", "exam x",
              "ret x");
  struct Totals {
    double examined = 0, returned = 0, wall_s = 0, cpu_s = 0;
    void add(const ScanResult& r) {
      examined += static_cast<double>(r.examined);
      returned += static_cast<double>(r.payloads.size());
      wall_s += r.wall_s;
      cpu_s += r.cpu_s;
    }
  } plain_total, ore_total;
  std::vector<double> cpu_ratios, wall_ratios;
  for (size_t q = 0; q < queries; ++q) {
    const auto [lo, hi] = ranges[q];
    // The bounds' left ciphertexts are the client's work, made before.
    storage::OreScanQuery query = range_query(key, lo, hi);
    ScanResult p = plaintext_range(*plain, lo, hi);
    ScanResult o = ore_range(*dataset, std::move(query), rows);
    if (!p.ok || !o.ok) {
      std::fprintf(stderr, "%s: query %zu failed\n", kProgram, q);
      return 1;
    }
    if (p.payloads != o.payloads) {
      std::fprintf(stderr, "%s: query %zu [%016llx, %016llx): plaintext returned %zu rows, ORE %zu (or others)\n",
                   kProgram, q, static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi),
                   p.payloads.size(), o.payloads.size());
      return 1;
    }
    plain_total.add(p);
    ore_total.add(o);
    const double p_exam_n = static_cast<double>(p.examined), o_exam_n = static_cast<double>(o.examined);
    // Per query, examined-rows ratios: their median shrugs off a query that
    // another process descheduled or evicted from the cache, which sways the
    // sums above all on the plaintext side (a fraction of a millisecond each).
    if (p.cpu_s > 0 && o.cpu_s > 0) cpu_ratios.push_back((o_exam_n / o.cpu_s) / (p_exam_n / p.cpu_s));
    if (p.wall_s > 0 && o.wall_s > 0) wall_ratios.push_back((o_exam_n / o.wall_s) / (p_exam_n / p.wall_s));
    double ret = static_cast<double>(p.payloads.size());
    double p_exam = per_s(static_cast<double>(p.examined), p.wall_s), o_exam = per_s(static_cast<double>(o.examined), o.wall_s);
    double p_ret = per_s(ret, p.wall_s), o_ret = per_s(ret, o.wall_s);
    std::printf("%5zu %8zu | %9llu %9.3f %13.0f %13.0f | %9llu %5llu %9.1f %13.0f %13.0f | %9.3f %9.5f\n", q,
                p.payloads.size(), static_cast<unsigned long long>(p.examined), p.wall_s * 1e3, p_exam, p_ret,
                static_cast<unsigned long long>(o.examined), static_cast<unsigned long long>(o.pages), o.wall_s * 1e3,
                o_exam, o_ret, p_exam > 0 ? o_exam / p_exam : 0.0, p_ret > 0 ? o_ret / p_ret : 0.0);
    std::fflush(stdout);
  }

  std::printf("\noverall (sums over %zu queries; every query returned the same rows from both indexes)\n", queries);
  std::printf("%-10s %11s %11s %10s %10s %14s %14s %14s %14s %11s\n", "index", "examined", "returned", "wall s",
              "cpu s", "exam/s wall", "exam/s cpu", "ret/s wall", "ret/s cpu", "ns/row cpu");
  auto row = [](const char* name, const Totals& t) {
    std::printf("%-10s %11.0f %11.0f %10.3f %10.3f %14.0f %14.0f %14.0f %14.0f %11.0f\n", name, t.examined,
                t.returned, t.wall_s, t.cpu_s, per_s(t.examined, t.wall_s), per_s(t.examined, t.cpu_s),
                per_s(t.returned, t.wall_s), per_s(t.returned, t.cpu_s), t.examined > 0 ? t.cpu_s * 1e9 / t.examined : 0.0);
  };
  row("plaintext", plain_total);
  row("ore", ore_total);
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("ORE / plaintext, rows examined per second: %.3f× (cpu), %.3f× (wall)\n",
              ratio(per_s(ore_total.examined, ore_total.cpu_s), per_s(plain_total.examined, plain_total.cpu_s)),
              ratio(per_s(ore_total.examined, ore_total.wall_s), per_s(plain_total.examined, plain_total.wall_s)));
  std::printf("ORE / plaintext, rows returned per second: %.5f× (cpu), %.5f× (wall)\n",
              ratio(per_s(ore_total.returned, ore_total.cpu_s), per_s(plain_total.returned, plain_total.cpu_s)),
              ratio(per_s(ore_total.returned, ore_total.wall_s), per_s(plain_total.returned, plain_total.wall_s)));

  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  std::printf("ORE / plaintext, rows examined per second, median of the per-query ratios: %.3f× (cpu), %.3f× (wall)\n",
              median(cpu_ratios), median(wall_ratios));

  if (!skip_breakdown && !breakdown(*ore, *dataset, ranges, key, ore_total.cpu_s / ore_total.examined)) return 1;
  return 0;
}
