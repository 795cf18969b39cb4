#include "model/crypto/kx.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::crypto {

static_assert(crypto_kx_PUBLICKEYBYTES == kKxPublicKeyBytes);
static_assert(crypto_kx_SECRETKEYBYTES == 32);
static_assert(crypto_kx_SEEDBYTES == 32);
static_assert(crypto_kx_SESSIONKEYBYTES == kAeadKeyBytes);

KxKeyPair KxKeyPair::from_seed(const Secret<32>& seed) {
  ensure_sodium();
  KxKeyPair pair;
  int rc = crypto_kx_seed_keypair(pair.public_key_.data(), pair.secret_key_.data(), seed.data());
  FL_ASSERT(rc == 0);
  return pair;
}

Result<SessionKeys> kx_session_keys(const KxKeyPair& own, const KxPublicKey& peer,
                                    bool initiator) {
  ensure_sodium();
  SessionKeys keys;
  int rc = initiator
               ? crypto_kx_client_session_keys(keys.receive.data(), keys.send.data(),
                                               own.public_key_.data(), own.secret_key_.data(),
                                               peer.data())
               : crypto_kx_server_session_keys(keys.receive.data(), keys.send.data(),
                                               own.public_key_.data(), own.secret_key_.data(),
                                               peer.data());
  if (rc != 0) {
    return Status::error(ErrorCode::kAuthentication, "peer's X25519 key is not acceptable");
  }
  return keys;
}

}  // namespace fluence::crypto
