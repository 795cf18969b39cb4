// X25519 key exchange (RFC 7748) through libsodium's crypto_kx, which hashes
// the shared point with both public keys (BLAKE2b) into one key per direction.
#pragma once

#include <array>

#include "model/base/status.h"
#include "model/crypto/aead.h"
#include "model/crypto/secret.h"

namespace fluence::crypto {

inline constexpr size_t kKxPublicKeyBytes = 32;
using KxPublicKey = std::array<uint8_t, kKxPublicKeyBytes>;

struct SessionKeys {
  AeadKey receive;
  AeadKey send;
};

class KxKeyPair;
// `initiator` picks the side of the exchange so both ends agree on which key
// is for which direction. Fails if the peer's key is a low-order point.
Result<SessionKeys> kx_session_keys(const KxKeyPair& own, const KxPublicKey& peer, bool initiator);

class KxKeyPair {
 public:
  // Ephemeral pairs are made per connection from fresh randomness.
  static KxKeyPair from_seed(const Secret<32>& seed);
  const KxPublicKey& public_key() const { return public_key_; }

 private:
  friend Result<SessionKeys> kx_session_keys(const KxKeyPair&, const KxPublicKey&, bool);
  KxKeyPair() = default;
  Secret<32> secret_key_;
  KxPublicKey public_key_{};
};

}  // namespace fluence::crypto
