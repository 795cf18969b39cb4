// Test vectors and canonical encodings of model/crypto/pre.h. The vectors
// were produced once by this implementation; the algebra behind them is then
// re-derived with bare libsodium calls, so that a vector cannot just replay a
// mistake in pre.cc.
#include <gtest/gtest.h>
#include <sodium.h>

#include "model/crypto/hash.h"
#include "model/crypto/pre.h"

namespace fluence::crypto::pre {
namespace {

using Bytes32 = std::array<uint8_t, 32>;

Secret<32> seed(uint8_t fill) {
  Bytes32 bytes;
  bytes.fill(fill);
  return Secret<32>(std::span<const uint8_t, 32>(bytes));
}

// The model's domain framing (label length, label, parts), spelled out.
template <size_t N>
std::array<uint8_t, N> framed_blake2b(std::string_view label, std::initializer_list<ByteView> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, N);
  uint8_t length = static_cast<uint8_t>(label.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(label.data()), label.size());
  for (ByteView part : parts) crypto_generichash_update(&state, part.data(), part.size());
  std::array<uint8_t, N> digest;
  crypto_generichash_final(&state, digest.data(), N);
  return digest;
}

Bytes32 hash_scalar(std::string_view label, std::initializer_list<ByteView> parts) {
  std::array<uint8_t, 64> wide = framed_blake2b<64>(label, parts);
  Bytes32 scalar;
  crypto_core_ristretto255_scalar_reduce(scalar.data(), wide.data());
  return scalar;
}

Bytes32 mul(ByteView scalar, ByteView point) {
  Bytes32 product;
  EXPECT_EQ(crypto_scalarmult_ristretto255(product.data(), scalar.data(), point.data()), 0);
  return product;
}

Bytes32 mul_base(ByteView scalar) {
  Bytes32 product;
  EXPECT_EQ(crypto_scalarmult_ristretto255_base(product.data(), scalar.data()), 0);
  return product;
}

Bytes32 add(ByteView p, ByteView q) {
  Bytes32 sum;
  EXPECT_EQ(crypto_core_ristretto255_add(sum.data(), p.data(), q.data()), 0);
  return sum;
}

Bytes32 scalar_mul(ByteView a, ByteView b) {
  Bytes32 product;
  crypto_core_ristretto255_scalar_mul(product.data(), a.data(), b.data());
  return product;
}

struct Vectors {
  KeyPair owner = KeyPair::from_seed(seed(1));
  KeyPair receiver = KeyPair::from_seed(seed(2));
  SigningKey signer = SigningKey::from_seed(seed(3));
  env::DeterministicRandom random{2026};
  Encapsulation sealed = std::move(encapsulate(owner.public_key(), random)).value();
  std::vector<KeyFrag> kfrags =
      std::move(generate_kfrags(owner, receiver.public_key(), signer, 2, 3, random)).value();
  CapsuleFrag cfrag0 = std::move(reencrypt(kfrags[0], sealed.capsule, random)).value();
  CapsuleFrag cfrag2 = std::move(reencrypt(kfrags[2], sealed.capsule, random)).value();
};

TEST(PreVectorsTest, FixedSeedsGiveFixedValues) {
  Vectors v;
  std::vector<VerifiedCapsuleFrag> verified;
  for (const CapsuleFrag* c : {&v.cfrag0, &v.cfrag2}) {
    Result<VerifiedCapsuleFrag> ok = verify_cfrag(*c, v.sealed.capsule, v.owner.public_key(),
                                                  v.receiver.public_key(), v.signer.public_key());
    ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
    verified.push_back(*ok);
  }
  Result<SymmetricKey> opened =
      decrypt_reencrypted(v.receiver, v.owner.public_key(), v.sealed.capsule, verified);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();

  EXPECT_EQ(to_hex(v.owner.public_key().bytes), "eabc68b806ef0d934be5e1093c2f7a87057a555e4bd0230f64fc20e48e47df6b");
  EXPECT_EQ(to_hex(v.receiver.public_key().bytes), "ea805c99f5ab5d060ec05a66c7636ec059d74cdaeaa1324248d51ff1f6b7c649");
  EXPECT_EQ(to_hex(codec::encode(v.sealed.capsule)), "90c6140aec73f0a060fcf6f35c48f16bb98cd4446fac94bb7937e2828d6211250887f8199e1f67c3c7473dccd9f366b3210dd2d20f25c5417f24f82c9b0e982c24011e86e0c8cc0afc89d2b1c64eccce3c5701478b1a426a9bd5584aba246804");
  EXPECT_EQ(to_hex(v.sealed.key.view()), "612c55db0909cdf854fbb1bdc7a0ed89851d9db53ad035db6daf69a52fced0fd");
  EXPECT_EQ(to_hex(blake2b_256(codec::encode(v.kfrags[0]))), "f0a720c2ba834885722ca933ee7c53c50797f4205c63325eee5562a03fa1784f");
  EXPECT_EQ(to_hex(blake2b_256(codec::encode(v.cfrag0))), "a38ecad9f8a1418c53473bc074b53a6b0d0621ff4921ba5a39826f3bdda5789c");
  EXPECT_EQ(to_hex(opened->view()), "612c55db0909cdf854fbb1bdc7a0ed89851d9db53ad035db6daf69a52fced0fd");
}

TEST(PreVectorsTest, TheVectorsSatisfyTheSchemesAlgebra) {
  Vectors v;
  const Point& a_pub = v.owner.public_key();
  const Point& b_pub = v.receiver.public_key();
  ByteView a = v.owner.secret_scalar().view();
  ByteView b = v.receiver.secret_scalar().view();
  const Capsule& capsule = v.sealed.capsule;

  // Key pairs: a = H(seed), A = a·G.
  EXPECT_EQ(to_hex(a), to_hex(hash_scalar("fluence/pre/secret-key", {seed(1).view()})));
  EXPECT_EQ(a_pub.bytes, mul_base(a));

  // Capsule: s·G = V + h(E, V)·E, and K = KDF(a·(E + V)).
  Bytes32 h = hash_scalar("fluence/pre/capsule", {capsule.e.view(), capsule.v.view()});
  EXPECT_EQ(mul_base(capsule.s.bytes), add(capsule.v.bytes, mul(h, capsule.e.bytes)));
  Bytes32 shared = mul(a, add(capsule.e.bytes, capsule.v.bytes));
  EXPECT_EQ(to_hex(v.sealed.key.view()), to_hex(framed_blake2b<32>("fluence/pre/key", {shared})));

  // KeyFrags: U1 = rk·U, with U the hash-to-point of its own label.
  Bytes32 u;
  ASSERT_EQ(crypto_core_ristretto255_from_hash(u.data(), framed_blake2b<64>("fluence/pre/generator-u", {}).data()), 0);
  for (const KeyFrag& k : v.kfrags) EXPECT_EQ(k.share.commitment.bytes, mul(k.rekey.view(), u));

  // Shares interpolate to a·d⁻¹: m shares and b give back a, which is the
  // collusion the header warns about.
  const Point& precursor = v.kfrags[0].share.precursor;
  Bytes32 dh = mul(b, precursor.bytes);
  Bytes32 d = hash_scalar("fluence/pre/blinding", {precursor.view(), b_pub.view(), dh});
  Bytes32 x0 = hash_scalar("fluence/pre/share-index",
                           {a_pub.view(), b_pub.view(), precursor.view(), dh, v.kfrags[0].share.id});
  Bytes32 x2 = hash_scalar("fluence/pre/share-index",
                           {a_pub.view(), b_pub.view(), precursor.view(), dh, v.kfrags[2].share.id});
  Bytes32 x2_minus_x0, x0_minus_x2, inverse, lambda0, lambda2, sum;
  crypto_core_ristretto255_scalar_sub(x2_minus_x0.data(), x2.data(), x0.data());
  crypto_core_ristretto255_scalar_sub(x0_minus_x2.data(), x0.data(), x2.data());
  ASSERT_EQ(crypto_core_ristretto255_scalar_invert(inverse.data(), x2_minus_x0.data()), 0);
  lambda0 = scalar_mul(x2, inverse);
  ASSERT_EQ(crypto_core_ristretto255_scalar_invert(inverse.data(), x0_minus_x2.data()), 0);
  lambda2 = scalar_mul(x0, inverse);
  crypto_core_ristretto255_scalar_add(sum.data(), scalar_mul(lambda0, v.kfrags[0].rekey.view()).data(),
                                      scalar_mul(lambda2, v.kfrags[2].rekey.view()).data());
  EXPECT_EQ(to_hex(scalar_mul(d, sum)), to_hex(a));

  // CapsuleFrags: E1 = rk·E, V1 = rk·V, and the proof's three equations.
  const CapsuleFrag& c = v.cfrag0;
  const ByteView rk = v.kfrags[0].rekey.view();
  EXPECT_EQ(c.e1.bytes, mul(rk, capsule.e.bytes));
  EXPECT_EQ(c.v1.bytes, mul(rk, capsule.v.bytes));
  uint8_t threshold = c.share.threshold;
  Bytes32 challenge = hash_scalar(
      "fluence/pre/reencryption-proof",
      {capsule.e.view(), c.e1.view(), c.proof.e2.view(), capsule.v.view(), c.v1.view(), c.proof.v2.view(), u,
       c.share.commitment.view(), c.proof.u2.view(), c.share.id, ByteView(&threshold, 1), c.share.precursor.view()});
  EXPECT_EQ(mul(c.proof.rho.bytes, capsule.e.bytes), add(c.proof.e2.bytes, mul(challenge, c.e1.bytes)));
  EXPECT_EQ(mul(c.proof.rho.bytes, capsule.v.bytes), add(c.proof.v2.bytes, mul(challenge, c.v1.bytes)));
  EXPECT_EQ(mul(c.proof.rho.bytes, u), add(c.proof.u2.bytes, mul(challenge, c.share.commitment.bytes)));

  // The delegator signed what the cfrag carries.
  EXPECT_TRUE(c.share.signature_valid(a_pub, b_pub, v.signer.public_key()));
}

TEST(PreCodecTest, EncodingsRoundTripAtTheirFixedSizes) {
  Vectors v;
  Bytes capsule = codec::encode(v.sealed.capsule);
  Bytes kfrag = codec::encode(v.kfrags[1]);
  Bytes cfrag = codec::encode(v.cfrag0);
  EXPECT_EQ(capsule.size(), 96u);
  EXPECT_EQ(kfrag.size(), 161u + 32u);
  EXPECT_EQ(cfrag.size(), 64u + 161u + 128u);

  Result<Capsule> capsule_back = codec::decode<Capsule>(capsule);
  ASSERT_TRUE(capsule_back.is_ok()) << capsule_back.status().to_string();
  EXPECT_EQ(*capsule_back, v.sealed.capsule);
  Result<KeyFrag> kfrag_back = codec::decode<KeyFrag>(kfrag);
  ASSERT_TRUE(kfrag_back.is_ok()) << kfrag_back.status().to_string();
  EXPECT_EQ(kfrag_back->share, v.kfrags[1].share);
  EXPECT_EQ(to_hex(kfrag_back->rekey.view()), to_hex(v.kfrags[1].rekey.view()));
  Result<CapsuleFrag> cfrag_back = codec::decode<CapsuleFrag>(cfrag);
  ASSERT_TRUE(cfrag_back.is_ok()) << cfrag_back.status().to_string();
  EXPECT_EQ(*cfrag_back, v.cfrag0);

  EXPECT_FALSE(codec::decode<Capsule>(ByteView(capsule).first(95)).is_ok());
  capsule.push_back(0);
  EXPECT_FALSE(codec::decode<Capsule>(capsule).is_ok());
}

// Rewrites bytes [offset, offset + 32) of an encoding and expects the decoder
// to name `field`.
template <typename T>
void expect_rejected(Bytes encoding, size_t offset, const Bytes32& replacement, const std::string& field) {
  std::copy(replacement.begin(), replacement.end(), encoding.begin() + static_cast<ptrdiff_t>(offset));
  Result<T> decoded = codec::decode<T>(encoding);
  ASSERT_FALSE(decoded.is_ok()) << field;
  EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(decoded.status().message().rfind(field + ":", 0), 0u) << decoded.status().message();
}

TEST(PreCodecTest, DecodersRejectNonCanonicalPointsAndScalars) {
  Vectors v;
  // s = p = 2^255 − 19: the identity's non-canonical twin. Also the
  // identity itself, a "negative" field element (odd), and a valid point
  // with the unused top bit set.
  Bytes32 p_encoding;
  p_encoding.fill(0xff);
  p_encoding[0] = 0xed;
  p_encoding[31] = 0x7f;
  Bytes32 identity{};
  Bytes32 odd{};
  odd[0] = 1;
  Bytes32 top_bit = v.owner.public_key().bytes;
  top_bit[31] |= 0x80;
  // ℓ itself, ℓ + 1 and 2^256 − 1 are not reduced.
  Bytes32 order = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                   0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  Bytes32 order_plus_one = order;
  order_plus_one[0] += 1;
  Bytes32 all_ones;
  all_ones.fill(0xff);

  Bytes capsule = codec::encode(v.sealed.capsule);
  Bytes kfrag = codec::encode(v.kfrags[0]);
  Bytes cfrag = codec::encode(v.cfrag0);
  for (const Bytes32& bad_point : {p_encoding, identity, odd, top_bit}) {
    expect_rejected<Capsule>(capsule, 0, bad_point, "capsule.e");
    expect_rejected<Capsule>(capsule, 32, bad_point, "capsule.v");
    expect_rejected<KeyFrag>(kfrag, 33, bad_point, "share.precursor");
    expect_rejected<KeyFrag>(kfrag, 65, bad_point, "share.commitment");
    expect_rejected<CapsuleFrag>(cfrag, 0, bad_point, "cfrag.e1");
    expect_rejected<CapsuleFrag>(cfrag, 32, bad_point, "cfrag.v1");
    expect_rejected<CapsuleFrag>(cfrag, 64 + 33, bad_point, "share.precursor");
    expect_rejected<CapsuleFrag>(cfrag, 225, bad_point, "cfrag.proof.e2");
    expect_rejected<CapsuleFrag>(cfrag, 257, bad_point, "cfrag.proof.v2");
    expect_rejected<CapsuleFrag>(cfrag, 289, bad_point, "cfrag.proof.u2");
  }
  for (const Bytes32& bad_scalar : {order, order_plus_one, all_ones}) {
    expect_rejected<Capsule>(capsule, 64, bad_scalar, "capsule.s");
    expect_rejected<KeyFrag>(kfrag, 161, bad_scalar, "kfrag.rekey");
    expect_rejected<CapsuleFrag>(cfrag, 321, bad_scalar, "cfrag.proof.rho");
  }
  // The largest reduced scalar, ℓ − 1, is accepted.
  Bytes32 order_minus_one = order;
  order_minus_one[0] -= 1;
  std::copy(order_minus_one.begin(), order_minus_one.end(), capsule.begin() + 64);
  EXPECT_TRUE(codec::decode<Capsule>(capsule).is_ok());

  kfrag[32] = 0;  // threshold
  Result<KeyFrag> no_threshold = codec::decode<KeyFrag>(kfrag);
  ASSERT_FALSE(no_threshold.is_ok());
  EXPECT_EQ(no_threshold.status().message().rfind("share.threshold:", 0), 0u);
}

TEST(PreCodecTest, PointFromBytesChecksLengthAndValidity) {
  Vectors v;
  EXPECT_TRUE(point_from_bytes(v.owner.public_key().bytes).is_ok());
  EXPECT_FALSE(point_from_bytes(ByteView(v.owner.public_key().bytes).first(31)).is_ok());
  EXPECT_FALSE(point_from_bytes(Bytes32{}).is_ok());
}

}  // namespace
}  // namespace fluence::crypto::pre
