// Macro benchmark: range queries over an order-revealing-encrypted index
// (Lewi-Wu, model/crypto/ore.h) beside a plaintext RocksDB range scan of the
// same rows, in the same run.
//
// Two RocksDB stores in a temporary directory hold the same N rows, each a
// uniform random 64-bit value:
// - plaintext index: key = big-endian value || big-endian row id, value = row
//   id. A range query seeks to lo and reads until the first value >= hi: it
//   examines only the rows in the range (plus the one that ends it).
// - ORE index: key = row id, value = the encoded right ciphertext of the
//   value (d = 8). Right ciphertexts cannot be ordered among themselves, so a
//   node cannot seek: a range query reads every row, decodes it and compares
//   it with left(lo) and left(hi). It examines all N rows.
// Both scans run on one thread, as a node's query handler would, and must
// return the same row ids (exit status 1 otherwise). "Examined rows/s" is the
// scan's own speed; "returned rows/s" is what the caller sees per second. The
// two measures give very different ORE/plaintext ratios, so both are printed.
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
#include "runtime/rocks_store.h"

namespace {

using fluence::Bytes;
using fluence::ByteView;
namespace crypto = fluence::crypto;
namespace env = fluence::env;
using fluence::runtime::RocksStore;

constexpr size_t kRowsPerBatch = 1000;  // one synced RocksDB write per batch

void put_be64(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
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
    if (ec) std::fprintf(stderr, "fluence-bench-ore-range: cannot remove %s: %s\n", path.c_str(), ec.message().c_str());
  }
};

std::unique_ptr<RocksStore> open_store(const std::filesystem::path& path) {
  auto store = RocksStore::open(path.string());
  if (!store) {
    std::fprintf(stderr, "fluence-bench-ore-range: %s\n", store.status().to_string().c_str());
    return nullptr;
  }
  return std::move(*store);
}

bool write_or_report(RocksStore& store, const env::WriteBatch& batch) {
  fluence::Status status = store.write(batch);
  if (!status.is_ok()) std::fprintf(stderr, "fluence-bench-ore-range: %s\n", status.to_string().c_str());
  return status.is_ok();
}

// Right ciphertexts, encoded, made on `threads` threads. Each thread draws its
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
  std::vector<uint64_t> row_ids;  // sorted
  uint64_t examined = 0;
  double wall_s = 0;
  double cpu_s = 0;
  bool ok = true;
};

// Seek to lo, read until the first value >= hi. Examined counts every entry
// the iterator produced, the one that ends the range included.
ScanResult plaintext_range(RocksStore& store, uint64_t lo, uint64_t hi) {
  ScanResult result;
  Stopwatch watch;
  Bytes start;
  put_be64(start, lo);
  auto it = store.iterate();
  for (it->seek(start); it->valid(); it->next()) {
    ++result.examined;
    if (get_be64(it->key()) >= hi) break;
    result.row_ids.push_back(get_be64(it->value()));
  }
  result.ok = it->status().is_ok();
  result.wall_s = watch.wall_s();
  result.cpu_s = watch.cpu_s();
  std::sort(result.row_ids.begin(), result.row_ids.end());
  return result;
}

// Every row: decode its right ciphertext, keep it when lo <= value < hi. The
// bounds' left ciphertexts are the client's work and are made before.
ScanResult ore_range(RocksStore& store, const crypto::OreLeftCiphertext& lo, const crypto::OreLeftCiphertext& hi) {
  ScanResult result;
  Stopwatch watch;
  auto it = store.iterate();
  for (it->seek({}); it->valid(); it->next()) {
    ++result.examined;
    auto right = fluence::codec::decode<crypto::OreRightCiphertext>(it->value());
    if (!right) {
      std::fprintf(stderr, "fluence-bench-ore-range: row %016llx: %s\n",
                   static_cast<unsigned long long>(get_be64(it->key())), right.status().to_string().c_str());
      result.ok = false;
      break;
    }
    auto vs_lo = crypto::ore_compare(lo, *right);  // order of lo relative to the row
    FL_ASSERT(vs_lo.is_ok());
    if (*vs_lo == std::strong_ordering::greater) continue;  // row < lo
    auto vs_hi = crypto::ore_compare(hi, *right);
    FL_ASSERT(vs_hi.is_ok());
    if (*vs_hi == std::strong_ordering::greater) result.row_ids.push_back(get_be64(it->key()));
  }
  result.ok = result.ok && it->status().is_ok();
  result.wall_s = watch.wall_s();
  result.cpu_s = watch.cpu_s();
  std::sort(result.row_ids.begin(), result.row_ids.end());
  return result;
}

double per_s(double count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Range queries over a Lewi-Wu ORE index (full scan of right ciphertexts, d = 8) beside a\n"
               "plaintext RocksDB range scan (seek + iterate) of the same rows, in the same run; checks that\n"
               "both return the same row ids. Both stores live in a temporary directory removed at exit."};
  size_t rows = 100'000, queries = 20, threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t seed = 1;
  double selectivity = 0.01;
  std::string tmp_parent = std::filesystem::temp_directory_path().string();
  app.option_defaults()->always_capture_default();
  app.add_option("--rows", rows, "rows in each index")->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  app.add_option("--queries", queries, "range queries")->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--selectivity", selectivity, "width of each range as a fraction of the 64-bit domain")
      ->check(CLI::Range(1e-12, 0.9));
  app.add_option("--seed", seed, "seed of the values, the key, the nonces and the ranges");
  app.add_option("--threads", threads, "threads that make the right ciphertexts (setup only)")
      ->check(CLI::Range(size_t{1}, size_t{256}));
  app.add_option("--tmpdir", tmp_parent, "where to make the temporary directory");
  CLI11_PARSE(app, argc, argv);

  TempDir tmp;
  {
    std::string pattern = (std::filesystem::path(tmp_parent) / "fluence-ore-range-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "fluence-bench-ore-range: cannot make a directory in %s\n", tmp_parent.c_str());
      return 1;
    }
    tmp.path = pattern;
  }

  // Setup: values, key, ciphertexts, both stores.
  env::DeterministicRandom value_random(seed);
  std::vector<uint64_t> values(rows);
  for (uint64_t& v : values) v = value_random.next_u64();
  std::array<uint8_t, 32> key_bytes{};
  env::DeterministicRandom(seed, 1).fill(key_bytes);
  crypto::OreKey key = crypto::OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(key_bytes)));

  std::fprintf(stderr, "setup: %zu rows, right ciphertexts on %zu threads\n", rows, threads);
  auto setup_wall = std::chrono::steady_clock::now();
  std::clock_t setup_cpu = std::clock();  // the process: all threads
  std::vector<Bytes> encoded = encrypt_rows(key, values, seed, threads);
  double encrypt_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_wall).count();
  double encrypt_cpu_s = static_cast<double>(std::clock() - setup_cpu) / CLOCKS_PER_SEC;

  auto load_wall = std::chrono::steady_clock::now();
  const std::filesystem::path plain_path = tmp.path / "plaintext", ore_path = tmp.path / "ore";
  {
    std::unique_ptr<RocksStore> plain = open_store(plain_path), ore = open_store(ore_path);
    if (!plain || !ore) return 1;
    for (size_t begin = 0; begin < rows; begin += kRowsPerBatch) {
      env::WriteBatch plain_batch, ore_batch;
      for (size_t i = begin; i < std::min(rows, begin + kRowsPerBatch); ++i) {
        Bytes row_id, plain_key;
        put_be64(row_id, i);
        put_be64(plain_key, values[i]);
        put_be64(plain_key, i);
        plain_batch.put(plain_key, row_id);
        ore_batch.put(row_id, encoded[i]);
      }
      if (!write_or_report(*plain, plain_batch) || !write_or_report(*ore, ore_batch)) return 1;
    }
  }
  uint64_t ore_bytes = 0;
  for (const Bytes& e : encoded) ore_bytes += e.size();
  encoded = {};
  // Reopening recovers the write-ahead log into table files, so queries read
  // SSTs through the block cache, as on a node that has been running, not
  // the memtable of a store that was just written.
  std::unique_ptr<RocksStore> plain = open_store(plain_path), ore = open_store(ore_path);
  if (!plain || !ore) return 1;
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_wall).count();
  std::printf("setup: %zu rows; right ciphertexts %.1f s wall on %zu threads, %.1f s CPU (%.2f ms CPU each); "
              "RocksDB load + reopen %.1f s; ORE values %.1f MB\n",
              rows, encrypt_s, threads, encrypt_cpu_s, encrypt_cpu_s * 1e3 / static_cast<double>(rows), load_s,
              static_cast<double>(ore_bytes) / 1e6);

  // Warm-up: one untimed pass over each store, so the first query does not
  // pay for cold pages.
  {
    ScanResult warm_plain = plaintext_range(*plain, 0, UINT64_MAX);
    crypto::OreLeftCiphertext none = crypto::ore_encrypt_left(key, UINT64_MAX);
    ScanResult warm_ore = ore_range(*ore, none, none);
    if (!warm_plain.ok || !warm_ore.ok) return 1;
  }

  // Queries: [lo, hi) of width selectivity * 2^64 at a uniform position.
  const double domain = 18446744073709551616.0;  // 2^64
  const uint64_t width = static_cast<uint64_t>(selectivity * domain);
  env::DeterministicRandom range_random(seed, 2);
  std::printf("\nqueries: %zu, selectivity %g (expected %.1f rows per query), one thread, wall time\n", queries,
              selectivity, selectivity * static_cast<double>(rows));
  std::printf("%5s %8s | %9s %9s %13s %13s | %9s %9s %13s %13s | %9s %9s\n", "query", "returned", "pt exam",
              "pt ms", "pt exam/s", "pt ret/s", "ore exam", "ore ms", "ore exam/s", "ore ret/s", "exam x", "ret x");
  struct Totals {
    double examined = 0, returned = 0, wall_s = 0, cpu_s = 0;
    void add(const ScanResult& r) {
      examined += static_cast<double>(r.examined);
      returned += static_cast<double>(r.row_ids.size());
      wall_s += r.wall_s;
      cpu_s += r.cpu_s;
    }
  } plain_total, ore_total;
  for (size_t q = 0; q < queries; ++q) {
    uint64_t lo = range_random.uniform(UINT64_MAX - width);
    uint64_t hi = lo + width;
    crypto::OreLeftCiphertext left_lo = crypto::ore_encrypt_left(key, lo), left_hi = crypto::ore_encrypt_left(key, hi);
    ScanResult p = plaintext_range(*plain, lo, hi);
    ScanResult o = ore_range(*ore, left_lo, left_hi);
    if (!p.ok || !o.ok) {
      std::fprintf(stderr, "fluence-bench-ore-range: query %zu: store iteration failed\n", q);
      return 1;
    }
    if (p.row_ids != o.row_ids) {
      std::fprintf(stderr, "fluence-bench-ore-range: query %zu [%016llx, %016llx): plaintext returned %zu rows, ORE %zu\n",
                   q, static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi), p.row_ids.size(),
                   o.row_ids.size());
      return 1;
    }
    plain_total.add(p);
    ore_total.add(o);
    double ret = static_cast<double>(p.row_ids.size());
    double p_exam = per_s(static_cast<double>(p.examined), p.wall_s), o_exam = per_s(static_cast<double>(o.examined), o.wall_s);
    double p_ret = per_s(ret, p.wall_s), o_ret = per_s(ret, o.wall_s);
    std::printf("%5zu %8zu | %9llu %9.3f %13.0f %13.0f | %9llu %9.1f %13.0f %13.0f | %9.3f %9.5f\n", q, p.row_ids.size(),
                static_cast<unsigned long long>(p.examined), p.wall_s * 1e3, p_exam, p_ret,
                static_cast<unsigned long long>(o.examined), o.wall_s * 1e3, o_exam, o_ret,
                p_exam > 0 ? o_exam / p_exam : 0.0, p_ret > 0 ? o_ret / p_ret : 0.0);
    std::fflush(stdout);
  }

  std::printf("\noverall (sums over %zu queries; every query returned the same row ids from both indexes)\n", queries);
  std::printf("%-10s %11s %11s %10s %10s %14s %14s %14s %14s\n", "index", "examined", "returned", "wall s", "cpu s",
              "exam/s wall", "exam/s cpu", "ret/s wall", "ret/s cpu");
  auto row = [](const char* name, const Totals& t) {
    std::printf("%-10s %11.0f %11.0f %10.3f %10.3f %14.0f %14.0f %14.0f %14.0f\n", name, t.examined, t.returned,
                t.wall_s, t.cpu_s, per_s(t.examined, t.wall_s), per_s(t.examined, t.cpu_s), per_s(t.returned, t.wall_s),
                per_s(t.returned, t.cpu_s));
  };
  row("plaintext", plain_total);
  row("ore", ore_total);
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("ORE / plaintext, rows examined per second: %.3f× (wall), %.3f× (cpu)\n",
              ratio(per_s(ore_total.examined, ore_total.wall_s), per_s(plain_total.examined, plain_total.wall_s)),
              ratio(per_s(ore_total.examined, ore_total.cpu_s), per_s(plain_total.examined, plain_total.cpu_s)));
  std::printf("ORE / plaintext, rows returned per second: %.5f× (wall), %.5f× (cpu)\n",
              ratio(per_s(ore_total.returned, ore_total.wall_s), per_s(plain_total.returned, plain_total.wall_s)),
              ratio(per_s(ore_total.returned, ore_total.cpu_s), per_s(plain_total.returned, plain_total.cpu_s)));
  return 0;
}
