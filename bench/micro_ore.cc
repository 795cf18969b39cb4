// Lewi-Wu ORE: the client's cost per value (left for a query bound, right for
// a stored row) and the node's cost per row of a range scan.
#include <benchmark/benchmark.h>

#include "model/crypto/ore.h"

namespace fluence {
namespace {

crypto::OreKey bench_key(crypto::OreBlockBits bits) {
  return crypto::OreKey::derive(crypto::Secret<32>(), bits);
}

crypto::OreBlockBits bits_arg(const benchmark::State& state) {
  return static_cast<crypto::OreBlockBits>(state.range(0));
}

void BM_OreEncryptLeft(benchmark::State& state) {
  crypto::OreKey key = bench_key(bits_arg(state));
  uint64_t value = 0x0123456789abcdef;
  for (auto _ : state) benchmark::DoNotOptimize(crypto::ore_encrypt_left(key, value++));
}
BENCHMARK(BM_OreEncryptLeft)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

void BM_OreEncryptRight(benchmark::State& state) {
  crypto::OreKey key = bench_key(bits_arg(state));
  env::DeterministicRandom random(1);
  uint64_t value = 0x0123456789abcdef;
  for (auto _ : state) benchmark::DoNotOptimize(crypto::ore_encrypt_right(key, value++, random));
}
BENCHMARK(BM_OreEncryptRight)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

// Values that differ in the first block stop the comparison there; equal
// values walk every block, the worst case.
void BM_OreCompare(benchmark::State& state) {
  crypto::OreKey key = bench_key(crypto::kOreDefaultBlockBits);
  env::DeterministicRandom random(2);
  bool equal = state.range(0) == 1;
  crypto::OreLeftCiphertext left = crypto::ore_encrypt_left(key, 0x0123456789abcdef);
  crypto::OreRightCiphertext right =
      crypto::ore_encrypt_right(key, equal ? 0x0123456789abcdef : 0xf123456789abcdef, random);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::ore_compare(left, right));
  state.SetLabel(equal ? "equal (8 blocks)" : "first block differs");
}
BENCHMARK(BM_OreCompare)->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

// The shape of a range query on a node: one bound against 100,000 stored
// rows, uniform over the domain (so most differ from the bound in the first
// block). A right ciphertext takes about a millisecond to make, so the rows
// are 2,000 distinct ciphertexts each stored 50 times, interleaved: every row
// is its own allocation, and the cost of a compare depends only on the value
// distribution, which copies keep.
const std::vector<crypto::OreRightCiphertext>& scan_rows(const crypto::OreKey& key) {
  static const std::vector<crypto::OreRightCiphertext> rows = [&] {
    constexpr size_t kDistinct = 2000, kRows = 100000;
    env::DeterministicRandom random(3);
    std::vector<crypto::OreRightCiphertext> distinct;
    for (size_t i = 0; i < kDistinct; ++i) {
      distinct.push_back(crypto::ore_encrypt_right(key, random.next_u64(), random));
    }
    std::vector<crypto::OreRightCiphertext> out;
    out.reserve(kRows);
    for (size_t i = 0; i < kRows; ++i) out.push_back(distinct[i % kDistinct]);
    return out;
  }();
  return rows;
}

void BM_OreRangeScan(benchmark::State& state) {
  crypto::OreKey key = bench_key(crypto::kOreDefaultBlockBits);
  const std::vector<crypto::OreRightCiphertext>& rows = scan_rows(key);
  crypto::OreLeftCiphertext bound = crypto::ore_encrypt_left(key, uint64_t{1} << 63);
  size_t below = 0;
  for (auto _ : state) {
    below = 0;
    for (const crypto::OreRightCiphertext& row : rows) {
      below += *crypto::ore_compare(bound, row) == std::strong_ordering::greater ? 1 : 0;
    }
    benchmark::DoNotOptimize(below);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows.size()));
  state.counters["rows_below_bound"] = static_cast<double>(below);
}
BENCHMARK(BM_OreRangeScan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fluence
