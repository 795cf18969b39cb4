// Fixed-size secret bytes that are wiped when they die.
//
// Why not sodium_malloc: it spends guard pages and several memory mappings per
// allocation, and a simulation of 10^5 nodes would exhaust vm.max_map_count.
// We keep secrets inline, never copy them implicitly, and wipe with
// sodium_memzero (which the optimiser cannot elide) on destruction and move.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace fluence::crypto {

void wipe(void* data, size_t size);

template <size_t N>
class Secret {
 public:
  Secret() { bytes_.fill(0); }
  explicit Secret(std::span<const uint8_t, N> bytes) {
    for (size_t i = 0; i < N; ++i) bytes_[i] = bytes[i];
  }
  ~Secret() { wipe(bytes_.data(), N); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : bytes_(other.bytes_) { wipe(other.bytes_.data(), N); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      wipe(other.bytes_.data(), N);
    }
    return *this;
  }
  // Copies only where the caller says so, so every copy is visible in review.
  Secret clone() const { return Secret(std::span<const uint8_t, N>(bytes_)); }

  static constexpr size_t size() { return N; }
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  std::span<const uint8_t, N> view() const { return std::span<const uint8_t, N>(bytes_); }

 private:
  std::array<uint8_t, N> bytes_;
};

}  // namespace fluence::crypto
