#include "model/env/random.h"

#include <cstring>

#include "model/base/check.h"

namespace fluence::env {

void Random::fill(std::span<uint8_t> out) {
  size_t offset = 0;
  while (offset < out.size()) {
    uint64_t word = next_u64();
    size_t n = out.size() - offset < 8 ? out.size() - offset : 8;
    for (size_t i = 0; i < n; ++i) out[offset + i] = static_cast<uint8_t>(word >> (8 * i));
    offset += n;
  }
}

uint64_t Random::uniform(uint64_t bound) {
  FL_ASSERT(bound > 0);
  unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next_u64()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

double Random::unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

DeterministicRandom::DeterministicRandom(uint64_t seed) : DeterministicRandom(seed, 0) {}

DeterministicRandom::DeterministicRandom(uint64_t seed, uint64_t stream) {
  uint64_t x = seed;
  uint64_t mixed_stream = stream;
  x ^= splitmix64(mixed_stream);
  for (uint64_t& word : state_) word = splitmix64(x);
  FL_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

uint64_t DeterministicRandom::next_u64() {
  uint64_t result = rotl(state_[1] * 5, 7) * 9;
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

}  // namespace fluence::env
