// Micro-benchmarks of threshold proxy re-encryption (model/crypto/pre.h),
// beside the raw ristretto255 scalar multiplication that dominates each step,
// so the figures read as "so many scalar multiplications".
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "model/crypto/pre.h"

namespace fluence {
namespace {

namespace pre = crypto::pre;

crypto::Secret<32> bench_seed(uint8_t fill) {
  std::array<uint8_t, 32> bytes;
  bytes.fill(fill);
  return crypto::Secret<32>(std::span<const uint8_t, 32>(bytes));
}

// A delegation of m of m + 2 shares, with one capsule and all its cfrags
// verified.
struct Delegation {
  explicit Delegation(size_t m) {
    capsule = std::move(pre::encapsulate(owner.public_key(), random)).value().capsule;
    kfrags = std::move(pre::generate_kfrags(owner, receiver.public_key(), signer, m, m + 2, random))
                 .value();
    for (const pre::KeyFrag& kfrag : kfrags) {
      cfrags.push_back(std::move(pre::reencrypt(kfrag, capsule, random)).value());
      verified.push_back(std::move(pre::verify_cfrag(cfrags.back(), capsule, owner.public_key(),
                                                     receiver.public_key(), signer.public_key()))
                             .value());
    }
  }
  env::DeterministicRandom random{7};
  pre::KeyPair owner = pre::KeyPair::from_seed(bench_seed(1));
  pre::KeyPair receiver = pre::KeyPair::from_seed(bench_seed(2));
  crypto::SigningKey signer = crypto::SigningKey::from_seed(bench_seed(3));
  pre::Capsule capsule;
  std::vector<pre::KeyFrag> kfrags;
  std::vector<pre::CapsuleFrag> cfrags;
  std::vector<pre::VerifiedCapsuleFrag> verified;
};

void BM_Ristretto255ScalarMult(benchmark::State& state) {
  pre::KeyPair pair = pre::KeyPair::from_seed(bench_seed(4));
  std::array<uint8_t, 32> scalar{};
  scalar[0] = 0x5a;
  scalar[17] = 0x33;
  std::array<uint8_t, 32> product;
  for (auto _ : state) {
    const uint8_t* point = pair.public_key().bytes.data();
    if (crypto_scalarmult_ristretto255(product.data(), scalar.data(), point) != 0) {
      state.SkipWithError("scalar multiplication failed");
      break;
    }
    benchmark::DoNotOptimize(product);
  }
}
BENCHMARK(BM_Ristretto255ScalarMult)->Unit(benchmark::kMicrosecond);

void BM_PreEncapsulate(benchmark::State& state) {
  Delegation d(1);
  for (auto _ : state) benchmark::DoNotOptimize(pre::encapsulate(d.owner.public_key(), d.random));
}
BENCHMARK(BM_PreEncapsulate)->Unit(benchmark::kMicrosecond);

void BM_PreDecapsulateByOwner(benchmark::State& state) {
  Delegation d(1);
  for (auto _ : state) benchmark::DoNotOptimize(pre::decapsulate(d.owner, d.capsule));
}
BENCHMARK(BM_PreDecapsulateByOwner)->Unit(benchmark::kMicrosecond);

void BM_PreReencryptWithProof(benchmark::State& state) {
  Delegation d(1);
  for (auto _ : state) benchmark::DoNotOptimize(pre::reencrypt(d.kfrags[0], d.capsule, d.random));
}
BENCHMARK(BM_PreReencryptWithProof)->Unit(benchmark::kMicrosecond);

void BM_PreVerifyCfrag(benchmark::State& state) {
  Delegation d(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pre::verify_cfrag(d.cfrags[0], d.capsule, d.owner.public_key(),
                                               d.receiver.public_key(), d.signer.public_key()));
  }
}
BENCHMARK(BM_PreVerifyCfrag)->Unit(benchmark::kMicrosecond);

// The receiver's combination alone; each cfrag's verification is above.
void BM_PreDecryptReencrypted(benchmark::State& state) {
  const size_t m = static_cast<size_t>(state.range(0));
  Delegation d(m);
  std::span<const pre::VerifiedCapsuleFrag> first_m(d.verified.data(), m);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        pre::decrypt_reencrypted(d.receiver, d.owner.public_key(), d.capsule, first_m));
  }
}
BENCHMARK(BM_PreDecryptReencrypted)->Arg(1)->Arg(3)->Arg(5)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fluence
