// Ed25519 identities and signatures (RFC 8032) through libsodium.
#pragma once

#include <array>

#include "model/base/bytes.h"
#include "model/crypto/secret.h"

namespace fluence::crypto {

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSignatureBytes = 64;
inline constexpr size_t kSeedBytes = 32;

struct PublicKey {
  std::array<uint8_t, kPublicKeyBytes> bytes{};
  auto operator<=>(const PublicKey&) const = default;
  ByteView view() const { return bytes; }
};

struct Signature {
  std::array<uint8_t, kSignatureBytes> bytes{};
  bool operator==(const Signature&) const = default;
  ByteView view() const { return bytes; }
};

class SigningKey {
 public:
  // Deterministic: the sim draws the seed from the node's seeded rng; the
  // runtime from the OS, once, and keeps it in the node's key file.
  static SigningKey from_seed(const Secret<kSeedBytes>& seed);

  const PublicKey& public_key() const { return public_key_; }
  const Secret<kSeedBytes>& seed() const { return seed_; }
  Signature sign(ByteView message) const;
  SigningKey clone() const { return from_seed(seed_); }

 private:
  SigningKey() = default;
  Secret<kSeedBytes> seed_;
  Secret<64> secret_key_;  // libsodium's expanded form: seed || public key
  PublicKey public_key_;
};

bool verify(const PublicKey& key, ByteView message, const Signature& signature);

}  // namespace fluence::crypto
