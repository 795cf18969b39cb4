// Published test vectors for the primitives, and the properties callers rely on.
#include <gtest/gtest.h>

#include "model/crypto/aead.h"
#include "model/crypto/hash.h"
#include "model/crypto/kx.h"
#include "model/crypto/sign.h"

namespace fluence::crypto {
namespace {

Bytes hex(std::string_view text) { return *from_hex(text); }

// RFC 8032, section 7.1, test 1 (empty message).
TEST(CryptoTest, Ed25519Rfc8032Vector1) {
  Bytes seed_bytes = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  Secret<32> seed{std::span<const uint8_t, 32>(seed_bytes.data(), 32)};
  SigningKey key = SigningKey::from_seed(seed);
  EXPECT_EQ(to_hex(key.public_key().bytes), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature s = key.sign({});
  EXPECT_EQ(to_hex(s.bytes),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(verify(key.public_key(), {}, s));
  s.bytes[10] ^= 1;
  EXPECT_FALSE(verify(key.public_key(), {}, s));
  EXPECT_FALSE(verify(key.public_key(), as_bytes("x"), key.sign({})));
}

// BLAKE2b with a 32-byte digest (python3: hashlib.blake2b(m, digest_size=32)).
TEST(CryptoTest, Blake2b256KnownAnswers) {
  EXPECT_EQ(to_hex(blake2b_256({})), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(to_hex(blake2b_256(as_bytes("abc"))), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  Blake2b incremental;
  incremental.update(as_bytes("a")).update(as_bytes("bc"));
  EXPECT_EQ(incremental.finish(), blake2b_256(as_bytes("abc")));
  // Domain separation: labels and boundaries both matter.
  EXPECT_NE(blake2b_256("x", {as_bytes("ab")}), blake2b_256("y", {as_bytes("ab")}));
  EXPECT_NE(blake2b_256("ab", {as_bytes("c")}), blake2b_256("a", {as_bytes("bc")}));
  EXPECT_EQ(leading_zero_bits(Bytes{0, 0x1f}), 11);
  EXPECT_EQ(leading_zero_bits(Bytes{0x80}), 0);
}

TEST(CryptoTest, AeadRejectsEveryKindOfTampering) {
  AeadKey key;
  key.data()[0] = 1;
  AeadNonce nonce{};
  nonce[3] = 9;
  Bytes sealed = aead_seal(key, nonce, as_bytes("ad"), as_bytes("secret row"));
  EXPECT_EQ(sealed.size(), 10 + kAeadTagBytes);
  Result<Bytes> opened = aead_open(key, nonce, as_bytes("ad"), sealed);
  ASSERT_TRUE(opened.is_ok());
  EXPECT_EQ(std::string(opened->begin(), opened->end()), "secret row");
  Bytes flipped = sealed;
  flipped[0] ^= 1;
  EXPECT_EQ(aead_open(key, nonce, as_bytes("ad"), flipped).status().code(), ErrorCode::kAuthentication);
  EXPECT_FALSE(aead_open(key, nonce, as_bytes("other"), sealed).is_ok());
  AeadKey wrong;
  EXPECT_FALSE(aead_open(wrong, nonce, as_bytes("ad"), sealed).is_ok());
  EXPECT_FALSE(aead_open(key, nonce, as_bytes("ad"), Bytes(sealed.begin(), sealed.begin() + 5)).is_ok());
}

TEST(CryptoTest, KeyExchangeAgreesAcrossSidesAndSecretsWipeOnMove) {
  Secret<32> a_seed, b_seed;
  a_seed.data()[0] = 1;
  b_seed.data()[0] = 2;
  KxKeyPair a = KxKeyPair::from_seed(a_seed), b = KxKeyPair::from_seed(b_seed);
  Result<SessionKeys> ka = kx_session_keys(a, b.public_key(), true);
  Result<SessionKeys> kb = kx_session_keys(b, a.public_key(), false);
  ASSERT_TRUE(ka.is_ok() && kb.is_ok());
  EXPECT_TRUE(std::equal(ka->send.data(), ka->send.data() + 32, kb->receive.data()));
  EXPECT_TRUE(std::equal(ka->receive.data(), ka->receive.data() + 32, kb->send.data()));
  EXPECT_FALSE(std::equal(ka->send.data(), ka->send.data() + 32, ka->receive.data()));
  Secret<32> moved = std::move(a_seed);
  EXPECT_EQ(moved.data()[0], 1);
  EXPECT_EQ(a_seed.data()[0], 0) << "a moved-from secret is wiped";  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace fluence::crypto
