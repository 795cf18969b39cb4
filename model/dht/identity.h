// A node's identity: its Ed25519 key and the puzzle nonce that makes its id.
#pragma once

#include "model/base/status.h"
#include "model/crypto/sign.h"
#include "model/dht/node_id.h"
#include "model/env/random.h"

namespace fluence::dht {

struct Identity {
  crypto::SigningKey key;
  uint64_t nonce = 0;
  NodeId id;

  // Draws a key from `random` and solves the puzzle. Fails only if
  // 64 * 2^difficulty nonces do not suffice (probability e^-64).
  static Result<Identity> generate(env::Random& random, int difficulty);
  static Result<Identity> from_parts(const crypto::Secret<crypto::kSeedBytes>& seed, uint64_t nonce,
                                     int difficulty);
  Identity clone() const { return Identity{key.clone(), nonce, id}; }
};

}  // namespace fluence::dht
