// BLAKE2b (RFC 7693) through libsodium: the one hash of the model.
#pragma once

#include <array>
#include <initializer_list>
#include <string_view>

#include "model/base/bytes.h"

namespace fluence::crypto {

inline constexpr size_t kHashBytes = 32;
using Hash256 = std::array<uint8_t, kHashBytes>;

Hash256 blake2b_256(ByteView data);
// Hash of a domain label followed by the parts; a label keeps hashes made for
// different purposes from ever colliding (domain separation).
Hash256 blake2b_256(std::string_view domain, std::initializer_list<ByteView> parts);

// The 64-byte form of the same domain-separated hash, for reducing to a
// curve scalar without measurable bias (a 512-bit value mod a 253-bit order).
inline constexpr size_t kHash512Bytes = 64;
using Hash512 = std::array<uint8_t, kHash512Bytes>;
Hash512 blake2b_512(std::string_view domain, std::initializer_list<ByteView> parts);

// Incremental hashing for data that arrives in pieces.
class Blake2b {
 public:
  Blake2b();
  explicit Blake2b(std::string_view domain);
  Blake2b& update(ByteView data);
  Hash256 finish();

 private:
  alignas(64) unsigned char state_[384];  // crypto_generichash_state, opaque
  bool finished_ = false;
};

// Number of leading zero bits, most significant bit of byte 0 first.
int leading_zero_bits(ByteView bytes);

}  // namespace fluence::crypto
