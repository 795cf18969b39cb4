// The signature cost model (crypto::use_modelled_signatures) must behave
// like Ed25519 to the protocol: a signature verifies under its key and
// message only. It is switched on for the whole process, so it has a test
// binary of its own.
#include <gtest/gtest.h>

#include "model/crypto/sign.h"
#include "model/env/random.h"

namespace fluence::crypto {
namespace {

SigningKey key_from(uint64_t stream) {
  env::DeterministicRandom random(11, stream);
  Secret<kSeedBytes> seed;
  random.fill(std::span<uint8_t>(seed.data(), kSeedBytes));
  return SigningKey::from_seed(seed);
}

TEST(ModelledSignatureTest, VerifiesOnlyTheSignersMessage) {
  SigningKey alice = key_from(1), bob = key_from(2), never_signed = key_from(3);
  Bytes message = {1, 2, 3, 4};
  Signature real = alice.sign(message);  // Ed25519, before the switch
  EXPECT_TRUE(verify(alice.public_key(), message, real));

  use_modelled_signatures();
  ASSERT_TRUE(signatures_modelled());
  Signature modelled = alice.sign(message);
  EXPECT_NE(modelled, real);
  EXPECT_EQ(alice.sign(message), modelled) << "deterministic, as Ed25519 is";
  EXPECT_TRUE(verify(alice.public_key(), message, modelled));
  EXPECT_FALSE(verify(alice.public_key(), message, real)) << "one scheme per process";

  Bytes changed = message;
  changed[2] ^= 1;
  EXPECT_FALSE(verify(alice.public_key(), changed, modelled));
  Signature flipped = modelled;
  flipped.bytes[63] ^= 1;
  EXPECT_FALSE(verify(alice.public_key(), message, flipped));

  bob.sign(Bytes{9});
  EXPECT_FALSE(verify(bob.public_key(), message, modelled)) << "another signer's key";
  EXPECT_NE(bob.sign(message), modelled);
  // A key that never signed has no valid signature, not even a guessed one.
  EXPECT_FALSE(verify(never_signed.public_key(), message, modelled));
  // A clone signs as the original.
  EXPECT_EQ(alice.clone().sign(Bytes{5}), alice.sign(Bytes{5}));
}

}  // namespace
}  // namespace fluence::crypto
