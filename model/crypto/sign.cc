#include "model/crypto/sign.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::crypto {

static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeyBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
static_assert(crypto_sign_SEEDBYTES == kSeedBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

SigningKey SigningKey::from_seed(const Secret<kSeedBytes>& seed) {
  ensure_sodium();
  SigningKey key;
  key.seed_ = seed.clone();
  int rc = crypto_sign_seed_keypair(key.public_key_.bytes.data(), key.secret_key_.data(),
                                    seed.data());
  FL_ASSERT(rc == 0);
  return key;
}

Signature SigningKey::sign(ByteView message) const {
  Signature signature;
  int rc = crypto_sign_detached(signature.bytes.data(), nullptr, message.data(), message.size(),
                                secret_key_.data());
  FL_ASSERT(rc == 0);
  return signature;
}

bool verify(const PublicKey& key, ByteView message, const Signature& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.bytes.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

}  // namespace fluence::crypto
