#include "model/crypto/hash.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384, "Blake2b state buffer too small");

Hash256 blake2b_256(ByteView data) {
  ensure_sodium();
  Hash256 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Hash256 blake2b_256(std::string_view domain, std::initializer_list<ByteView> parts) {
  Blake2b hasher(domain);
  for (ByteView part : parts) hasher.update(part);
  return hasher.finish();
}

Hash512 blake2b_512(std::string_view domain, std::initializer_list<ByteView> parts) {
  ensure_sodium();
  FL_ASSERT(domain.size() < 256);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kHash512Bytes);
  // The same length-prefixed label as Blake2b(domain), so the two widths
  // frame their input identically.
  uint8_t length = static_cast<uint8_t>(domain.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, as_bytes(domain).data(), domain.size());
  for (ByteView part : parts) crypto_generichash_update(&state, part.data(), part.size());
  Hash512 out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

Blake2b::Blake2b() {
  ensure_sodium();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0,
                          kHashBytes);
}

Blake2b::Blake2b(std::string_view domain) : Blake2b() {
  // The label is length-prefixed so that ("ab", "c") and ("a", "bc") differ.
  uint8_t length = static_cast<uint8_t>(domain.size());
  FL_ASSERT(domain.size() < 256);
  update(ByteView(&length, 1));
  update(as_bytes(domain));
}

Blake2b& Blake2b::update(ByteView data) {
  FL_ASSERT(!finished_);
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(),
                            data.size());
  return *this;
}

Hash256 Blake2b::finish() {
  FL_ASSERT(!finished_);
  finished_ = true;
  Hash256 out;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.data(),
                           out.size());
  return out;
}

int leading_zero_bits(ByteView bytes) {
  int bits = 0;
  for (uint8_t b : bytes) {
    if (b == 0) {
      bits += 8;
      continue;
    }
    return bits + __builtin_clz(static_cast<unsigned>(b)) - 24;
  }
  return bits;
}

}  // namespace fluence::crypto
