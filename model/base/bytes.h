// Byte strings: owned (Bytes) and borrowed (ByteView), and their hex form.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/base/status.h"

namespace fluence {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string to_hex(ByteView bytes);
Result<Bytes> from_hex(std::string_view hex);

// Parses exactly N bytes of hex; the error names `what`.
template <size_t N>
Result<std::array<uint8_t, N>> fixed_from_hex(std::string_view hex, std::string_view what) {
  if (hex.size() != 2 * N) {
    return Status::error(ErrorCode::kMalformed, std::string(what) + ": expected " +
                                                    std::to_string(2 * N) + " hex digits, got " +
                                                    std::to_string(hex.size()));
  }
  Result<Bytes> bytes = from_hex(hex);
  if (!bytes) return bytes.status().with_context(std::string(what));
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

}  // namespace fluence
