// Randomness as the model sees it: a per-node stream supplied by the binding.
//
// The sim seeds it from (scenario seed, node index) so that a run is a
// function of (scenario, seed); the runtime fills it from the OS. All
// distributions are computed here from raw 64-bit draws, never with std::
// distributions, whose output differs between standard libraries.
#pragma once

#include <cstdint>
#include <span>

namespace fluence::env {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t next_u64() = 0;

  void fill(std::span<uint8_t> out);
  // Uniform in [0, bound); bound > 0. Lemire's nearly divisionless method.
  uint64_t uniform(uint64_t bound);
  // Uniform in [0, 1) with 53 bits of precision.
  double unit();
  bool chance(double probability) { return unit() < probability; }
};

// xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64: fast,
// small state, and the same sequence on every platform.
class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(uint64_t seed);
  // A stream for one (seed, stream) pair, e.g. (scenario seed, node index).
  DeterministicRandom(uint64_t seed, uint64_t stream);
  uint64_t next_u64() override;

 private:
  uint64_t state_[4];
};

}  // namespace fluence::env
