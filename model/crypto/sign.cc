#include "model/crypto/sign.h"

#include <sodium.h>

#include <map>

#include "model/crypto/sodium.h"

namespace fluence::crypto {

namespace {

bool modelled = false;

// Seeds of the keys that signed, by public key (modelled signatures only).
std::map<PublicKey, Secret<kSeedBytes>>& modelled_seeds() {
  static std::map<PublicKey, Secret<kSeedBytes>> seeds;
  return seeds;
}

Signature modelled_signature(const Secret<kSeedBytes>& seed, ByteView message) {
  Signature signature;
  int rc = crypto_generichash(signature.bytes.data(), signature.bytes.size(), message.data(), message.size(),
                              seed.data(), kSeedBytes);
  FL_ASSERT(rc == 0);
  return signature;
}

}  // namespace

void use_modelled_signatures() { modelled = true; }
bool signatures_modelled() { return modelled; }

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
  if (modelled) {
    auto& seeds = modelled_seeds();
    if (seeds.find(public_key_) == seeds.end()) seeds.emplace(public_key_, seed_.clone());
    return modelled_signature(seed_, message);
  }
  Signature signature;
  int rc = crypto_sign_detached(signature.bytes.data(), nullptr, message.data(), message.size(),
                                secret_key_.data());
  FL_ASSERT(rc == 0);
  return signature;
}

bool verify(const PublicKey& key, ByteView message, const Signature& signature) {
  ensure_sodium();
  if (modelled) {
    auto& seeds = modelled_seeds();
    auto it = seeds.find(key);
    return it != seeds.end() && modelled_signature(it->second, message) == signature;
  }
  return crypto_sign_verify_detached(signature.bytes.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

}  // namespace fluence::crypto
