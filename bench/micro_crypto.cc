// Micro-benchmarks of the primitives every protocol pays for: the codec,
// Ed25519, BLAKE2b, XChaCha20-Poly1305 and the id puzzle.
#include <benchmark/benchmark.h>

#include "model/crypto/aead.h"
#include "model/crypto/hash.h"
#include "model/dht/identity.h"
#include "model/dht/messages.h"

namespace fluence {
namespace {

crypto::SigningKey bench_key() { return crypto::SigningKey::from_seed(crypto::Secret<32>()); }

dht::DhtMessage twenty_contacts() {
  dht::DhtMessage m;
  m.type = dht::MessageType::kNodes;
  env::DeterministicRandom random(1);
  for (int i = 0; i < 21; ++i) {
    dht::Identity id = std::move(*dht::Identity::generate(random, 0));
    dht::Contact c{id.id, id.key.public_key(), id.nonce, "10.0.0." + std::to_string(i) + ":7001"};
    if (i == 0) {
      m.sender = c;
    } else {
      m.contacts.push_back(c);
    }
  }
  return m;
}

void BM_EncodeNodesMessage(benchmark::State& state) {
  dht::DhtMessage m = twenty_contacts();
  size_t bytes = 0;
  for (auto _ : state) {
    Bytes encoded = codec::encode(m);
    bytes = encoded.size();
    benchmark::DoNotOptimize(encoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_EncodeNodesMessage);

void BM_DecodeNodesMessage(benchmark::State& state) {
  Bytes encoded = codec::encode(twenty_contacts());
  for (auto _ : state) benchmark::DoNotOptimize(codec::decode<dht::DhtMessage>(encoded));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_DecodeNodesMessage);

void BM_Ed25519Sign(benchmark::State& state) {
  crypto::SigningKey key = bench_key();
  Bytes message(64, 1);
  for (auto _ : state) benchmark::DoNotOptimize(key.sign(message));
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  crypto::SigningKey key = bench_key();
  Bytes message(64, 1);
  crypto::Signature signature = key.sign(message);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::verify(key.public_key(), message, signature));
}
BENCHMARK(BM_Ed25519Verify);

void BM_Blake2b256(benchmark::State& state) {
  Bytes data(static_cast<size_t>(state.range(0)), 7);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::blake2b_256(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Blake2b256)->Arg(64)->Arg(1024)->Arg(64 * 1024)->Arg(1024 * 1024);

void BM_AeadSeal(benchmark::State& state) {
  crypto::AeadKey key;
  crypto::AeadNonce nonce{};
  Bytes plaintext(static_cast<size_t>(state.range(0)), 3);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::aead_seal(key, nonce, {}, plaintext));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AeadSeal)->Arg(1024)->Arg(64 * 1024);

void BM_AeadOpen(benchmark::State& state) {
  crypto::AeadKey key;
  crypto::AeadNonce nonce{};
  Bytes sealed = crypto::aead_seal(key, nonce, {}, Bytes(static_cast<size_t>(state.range(0)), 3));
  for (auto _ : state) benchmark::DoNotOptimize(crypto::aead_open(key, nonce, {}, sealed));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_AeadOpen)->Arg(1024)->Arg(64 * 1024);

// Cost of a valid id at each difficulty: ~2^d hashes.
void BM_SolveIdPuzzle(benchmark::State& state) {
  env::DeterministicRandom random(5);
  for (auto _ : state) {
    benchmark::DoNotOptimize(dht::Identity::generate(random, static_cast<int>(state.range(0))));
  }
}
BENCHMARK(BM_SolveIdPuzzle)->Arg(8)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fluence
