// The property every decoder's fuzz target checks: untrusted bytes either
// fail to decode (with a Status, never a crash) or decode to a value whose
// encoding is exactly those bytes, which is what "canonical" promises to
// anything that hashes or signs them.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "model/codec/codec.h"

namespace fluence::fuzz {

template <codec::Encodable T>
int canonical_round_trip(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  Result<T> decoded = codec::decode<T>(input);
  if (!decoded) {
    if (decoded.status().message().empty()) __builtin_trap();  // errors must say what
    return 0;
  }
  Bytes again = codec::encode(*decoded);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  return 0;
}

}  // namespace fluence::fuzz
