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

// The cost model DESIGN.md allows for very large simulations, where Ed25519
// (about 25 us a signature, 35 us a check) would dominate the run. Once
// switched on, for the rest of the process:
//  - a signature is BLAKE2b-512 keyed with the signer's seed over the
//    message, and the first signature by a key records (public key, seed);
//  - verify() recomputes it from the recorded seed; a key that never signed
//    has no valid signature, and a changed byte fails, as with Ed25519.
// Protocol code behaves the same (the sim still charges Work::kSign and
// kVerify at Ed25519's cost), but the signatures are unforgeable only by
// convention: code holding no seed could look one up here. Only fluence-sim
// turns it on, for scenarios that ask, and its report says so. Not
// thread-safe: a simulation runs its nodes on one thread.
void use_modelled_signatures();
bool signatures_modelled();

}  // namespace fluence::crypto
