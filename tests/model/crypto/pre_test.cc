// Threshold proxy re-encryption (model/crypto/pre.h): round trips, every
// rejection the contract promises, the canonical encodings, and test vectors
// whose algebra is re-checked with bare libsodium calls.
#include "model/crypto/pre.h"

#include <gtest/gtest.h>

#include <functional>

#include "model/crypto/hash.h"

namespace fluence::crypto::pre {
namespace {

Secret<32> seed(uint8_t fill) {
  std::array<uint8_t, 32> bytes;
  bytes.fill(fill);
  return Secret<32>(std::span<const uint8_t, 32>(bytes));
}

std::string key_hex(const SymmetricKey& key) { return to_hex(key.view()); }

template <typename T>
std::string encoding_hash(const T& value) {
  return to_hex(blake2b_256(codec::encode(value)));
}

// The owner (delegator), its Ed25519 identity, and one receiver.
struct Parties {
  KeyPair owner = KeyPair::from_seed(seed(1));
  KeyPair receiver = KeyPair::from_seed(seed(2));
  SigningKey signer = SigningKey::from_seed(seed(3));
};

class PreTest : public ::testing::Test {
 protected:
  std::vector<KeyFrag> kfrags(size_t m, size_t n, const Point& receiver) {
    Result<std::vector<KeyFrag>> made =
        generate_kfrags(p.owner, receiver, p.signer, m, n, random);
    EXPECT_TRUE(made.is_ok()) << made.status().to_string();
    return std::move(made).value();
  }
  std::vector<KeyFrag> kfrags(size_t m, size_t n) { return kfrags(m, n, p.receiver.public_key()); }

  CapsuleFrag cfrag(const KeyFrag& kfrag, const Capsule& capsule) {
    Result<CapsuleFrag> made = reencrypt(kfrag, capsule, random);
    EXPECT_TRUE(made.is_ok()) << made.status().to_string();
    return std::move(made).value();
  }

  Result<VerifiedCapsuleFrag> verify(const CapsuleFrag& c, const Capsule& capsule) {
    return verify_cfrag(c, capsule, p.owner.public_key(), p.receiver.public_key(),
                        p.signer.public_key());
  }

  VerifiedCapsuleFrag verified(const KeyFrag& kfrag, const Capsule& capsule) {
    Result<VerifiedCapsuleFrag> v = verify(cfrag(kfrag, capsule), capsule);
    EXPECT_TRUE(v.is_ok()) << v.status().to_string();
    return std::move(v).value();
  }

  Result<SymmetricKey> decrypt(const Capsule& capsule, const std::vector<VerifiedCapsuleFrag>& c) {
    return decrypt_reencrypted(p.receiver, p.owner.public_key(), capsule, c);
  }

  Encapsulation encapsulation() { return std::move(encapsulate(p.owner.public_key(), random)).value(); }

  Parties p;
  env::DeterministicRandom random{42};
};

TEST_F(PreTest, OwnerDecapsulatesTheEncapsulatedKey) {
  Encapsulation first = encapsulation();
  Result<SymmetricKey> opened = decapsulate(p.owner, first.capsule);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(key_hex(*opened), key_hex(first.key));
  Encapsulation second = encapsulation();
  EXPECT_NE(first.capsule, second.capsule);
  EXPECT_NE(key_hex(first.key), key_hex(second.key));
  Result<SymmetricKey> other = decapsulate(p.receiver, first.capsule);
  ASSERT_TRUE(other.is_ok());
  EXPECT_NE(key_hex(*other), key_hex(first.key));
}

TEST_F(PreTest, KeysFollowFromTheirSeedOrRandomStream) {
  EXPECT_EQ(KeyPair::from_seed(seed(1)).public_key(), p.owner.public_key());
  EXPECT_NE(p.owner.public_key(), p.receiver.public_key());
  env::DeterministicRandom a(5), b(5);
  EXPECT_EQ(KeyPair::generate(a).public_key(), KeyPair::generate(b).public_key());
  EXPECT_NE(KeyPair::generate(a).public_key(), p.owner.public_key());
  KeyPair copy = p.owner.clone();
  EXPECT_EQ(to_hex(copy.secret_scalar().view()), to_hex(p.owner.secret_scalar().view()));
}

class ThresholdTest : public PreTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(ThresholdTest, AnyMOfNFragmentsOpenTheOwnersKey) {
  const size_t m = GetParam(), n = m + 2;
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(m, n);
  ASSERT_EQ(frags.size(), n);
  std::vector<VerifiedCapsuleFrag> all;
  for (const KeyFrag& k : frags) {
    EXPECT_TRUE(verify_kfrag(k, p.owner.public_key(), p.receiver.public_key(), p.signer.public_key()).is_ok());
    all.push_back(verified(k, sealed.capsule));
  }
  // The first m, the last m in reverse, and every other one with wrap-around
  // (n is odd, so 2i mod n are distinct).
  std::vector<std::vector<size_t>> subsets = {{}, {}, {}};
  for (size_t i = 0; i < m; ++i) {
    subsets[0].push_back(i);
    subsets[1].push_back(n - 1 - i);
    subsets[2].push_back((2 * i) % n);
  }
  for (const std::vector<size_t>& subset : subsets) {
    std::vector<VerifiedCapsuleFrag> chosen;
    for (size_t i : subset) chosen.push_back(all[i]);
    Result<SymmetricKey> key = decrypt(sealed.capsule, chosen);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    EXPECT_EQ(key_hex(*key), key_hex(sealed.key));
  }
  // More than m: the first m are used, the extra ones are harmless.
  Result<SymmetricKey> with_all = decrypt(sealed.capsule, all);
  ASSERT_TRUE(with_all.is_ok());
  EXPECT_EQ(key_hex(*with_all), key_hex(sealed.key));
}

INSTANTIATE_TEST_SUITE_P(M, ThresholdTest, ::testing::Values(1, 3, 5));

TEST_F(PreTest, TooFewFragmentsFail) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(3, 5);
  std::vector<VerifiedCapsuleFrag> two = {verified(frags[0], sealed.capsule),
                                          verified(frags[4], sealed.capsule)};
  Result<SymmetricKey> key = decrypt(sealed.capsule, two);
  ASSERT_FALSE(key.is_ok());
  EXPECT_NE(key.status().message().find("needs 3 cfrags, got 2"), std::string::npos)
      << key.status().message();
  EXPECT_FALSE(decrypt(sealed.capsule, {}).is_ok());
}

TEST_F(PreTest, DuplicateFragmentsFail) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(3, 5);
  VerifiedCapsuleFrag a = verified(frags[0], sealed.capsule);
  // The same kfrag re-encrypting twice gives a different proof, same share.
  VerifiedCapsuleFrag a_again = verified(frags[0], sealed.capsule);
  VerifiedCapsuleFrag b = verified(frags[1], sealed.capsule);
  for (const std::vector<VerifiedCapsuleFrag>& set :
       {std::vector<VerifiedCapsuleFrag>{a, a, b}, std::vector<VerifiedCapsuleFrag>{a, b, a_again}}) {
    Result<SymmetricKey> key = decrypt(sealed.capsule, set);
    ASSERT_FALSE(key.is_ok());
    EXPECT_NE(key.status().message().find("duplicates"), std::string::npos) << key.status().message();
  }
}

TEST_F(PreTest, FragmentFromAnotherKfragSetFails) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> set_one = kfrags(2, 3), set_two = kfrags(2, 3);
  std::vector<VerifiedCapsuleFrag> mixed = {verified(set_one[0], sealed.capsule),
                                            verified(set_two[1], sealed.capsule)};
  Result<SymmetricKey> key = decrypt(sealed.capsule, mixed);
  ASSERT_FALSE(key.is_ok());
  EXPECT_NE(key.status().message().find("another kfrag set"), std::string::npos);
  // A cfrag verified for one capsule does not open another.
  Encapsulation other = encapsulation();
  std::vector<VerifiedCapsuleFrag> for_other = {verified(set_one[0], sealed.capsule),
                                                verified(set_one[1], sealed.capsule)};
  EXPECT_FALSE(decrypt(other.capsule, for_other).is_ok());
}

TEST_F(PreTest, FragmentMadeForAnotherReceiverFails) {
  KeyPair stranger = KeyPair::from_seed(seed(4));
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(1, 1, stranger.public_key());
  CapsuleFrag c = cfrag(frags[0], sealed.capsule);
  Result<VerifiedCapsuleFrag> as_ours = verify(c, sealed.capsule);
  ASSERT_FALSE(as_ours.is_ok());
  EXPECT_EQ(as_ours.status().code(), ErrorCode::kAuthentication);
  // Verified for the stranger, then handed to our receiver: refused.
  Result<VerifiedCapsuleFrag> as_strangers =
      verify_cfrag(c, sealed.capsule, p.owner.public_key(), stranger.public_key(), p.signer.public_key());
  ASSERT_TRUE(as_strangers.is_ok());
  EXPECT_FALSE(decrypt(sealed.capsule, {*as_strangers}).is_ok());
  Result<SymmetricKey> strangers_key =
      decrypt_reencrypted(stranger, p.owner.public_key(), sealed.capsule, std::vector{*as_strangers});
  ASSERT_TRUE(strangers_key.is_ok());
  EXPECT_EQ(key_hex(*strangers_key), key_hex(sealed.key));
}

TEST_F(PreTest, ReceiverWithTheWrongSecretKeyIsRefused) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(1, 1);
  std::vector<VerifiedCapsuleFrag> one = {verified(frags[0], sealed.capsule)};
  KeyPair impostor = KeyPair::from_seed(seed(5));
  EXPECT_FALSE(decrypt_reencrypted(impostor, p.owner.public_key(), sealed.capsule, one).is_ok());
  // Naming the wrong delegator is refused too.
  EXPECT_FALSE(decrypt_reencrypted(p.receiver, impostor.public_key(), sealed.capsule, one).is_ok());
}

TEST_F(PreTest, EveryForgedCfragFieldIsRejected) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(2, 2);
  const CapsuleFrag good = cfrag(frags[0], sealed.capsule);
  ASSERT_TRUE(verify(good, sealed.capsule).is_ok());
  const Point elsewhere = KeyPair::from_seed(seed(9)).public_key();
  std::vector<std::pair<std::string, std::function<void(CapsuleFrag&)>>> forgeries = {
      {"e1", [&](CapsuleFrag& c) { c.e1 = elsewhere; }},
      {"v1", [&](CapsuleFrag& c) { c.v1 = elsewhere; }},
      {"e2", [&](CapsuleFrag& c) { c.proof.e2 = elsewhere; }},
      {"v2", [&](CapsuleFrag& c) { c.proof.v2 = elsewhere; }},
      {"u2", [&](CapsuleFrag& c) { c.proof.u2 = elsewhere; }},
      {"rho", [&](CapsuleFrag& c) { c.proof.rho.bytes[0] ^= 1; }},
      {"e1 and v1 swapped", [&](CapsuleFrag& c) { std::swap(c.e1, c.v1); }},
      {"commitment", [&](CapsuleFrag& c) { c.share.commitment = elsewhere; }},
      {"precursor", [&](CapsuleFrag& c) { c.share.precursor = elsewhere; }},
      {"id", [&](CapsuleFrag& c) { c.share.id[0] ^= 1; }},
      {"threshold", [&](CapsuleFrag& c) { c.share.threshold = 1; }},
      {"signature", [&](CapsuleFrag& c) { c.share.signature.bytes[5] ^= 1; }},
      {"other kfrag's share", [&](CapsuleFrag& c) { c.share = frags[1].share; }},
  };
  for (const auto& [name, forge] : forgeries) {
    CapsuleFrag forged = good;
    forge(forged);
    EXPECT_FALSE(verify(forged, sealed.capsule).is_ok()) << name;
  }
  // Honest cfrag, wrong context.
  EXPECT_FALSE(verify_cfrag(good, sealed.capsule, p.receiver.public_key(), p.receiver.public_key(),
                            p.signer.public_key()).is_ok());
  EXPECT_FALSE(verify_cfrag(good, sealed.capsule, p.owner.public_key(), p.receiver.public_key(),
                            SigningKey::from_seed(seed(8)).public_key()).is_ok());
  EXPECT_FALSE(verify(good, encapsulation().capsule).is_ok());
}

TEST_F(PreTest, KfragWithBadSignatureOrShareIsRejected) {
  std::vector<KeyFrag> frags = kfrags(2, 3);
  auto check = [&](const KeyFrag& k) {
    return verify_kfrag(k, p.owner.public_key(), p.receiver.public_key(), p.signer.public_key());
  };
  ASSERT_TRUE(check(frags[0]).is_ok());
  KeyFrag bad_signature = frags[0].clone();
  bad_signature.share.signature.bytes[0] ^= 1;
  EXPECT_EQ(check(bad_signature).code(), ErrorCode::kAuthentication);
  KeyFrag other_threshold = frags[0].clone();
  other_threshold.share.threshold = 3;
  EXPECT_EQ(check(other_threshold).code(), ErrorCode::kAuthentication);
  // A share that does not match its signed commitment.
  KeyFrag swapped = frags[0].clone();
  swapped.rekey = frags[1].rekey.clone();
  Status mismatch = check(swapped);
  EXPECT_EQ(mismatch.code(), ErrorCode::kAuthentication);
  EXPECT_NE(mismatch.message().find("commitment"), std::string::npos);
  EXPECT_FALSE(verify_kfrag(frags[0], p.owner.public_key(), p.receiver.public_key(),
                            SigningKey::from_seed(seed(8)).public_key()).is_ok());
  EXPECT_FALSE(verify_kfrag(frags[0], p.owner.public_key(), p.owner.public_key(), p.signer.public_key()).is_ok());
  // Its cfrags do not verify either.
  Encapsulation sealed = encapsulation();
  EXPECT_FALSE(verify(cfrag(bad_signature, sealed.capsule), sealed.capsule).is_ok());
  EXPECT_FALSE(verify(cfrag(swapped, sealed.capsule), sealed.capsule).is_ok());
}

TEST_F(PreTest, TamperedCapsuleIsRejectedEverywhere) {
  Encapsulation sealed = encapsulation();
  std::vector<KeyFrag> frags = kfrags(1, 1);
  CapsuleFrag c = cfrag(frags[0], sealed.capsule);
  std::vector<Capsule> tampered(4, sealed.capsule);
  tampered[0].s.bytes[0] ^= 1;
  std::swap(tampered[1].e, tampered[1].v);
  tampered[2].e = p.receiver.public_key();
  tampered[3].v = p.receiver.public_key();
  for (const Capsule& t : tampered) {
    EXPECT_FALSE(verify_capsule(t).is_ok());
    EXPECT_FALSE(decapsulate(p.owner, t).is_ok());
    EXPECT_FALSE(reencrypt(frags[0], t, random).is_ok());
    EXPECT_FALSE(verify(c, t).is_ok());
  }
  EXPECT_TRUE(verify_capsule(sealed.capsule).is_ok());
}

TEST_F(PreTest, GenerateKfragsChecksItsBounds) {
  EXPECT_FALSE(generate_kfrags(p.owner, p.receiver.public_key(), p.signer, 0, 3, random).is_ok());
  EXPECT_FALSE(generate_kfrags(p.owner, p.receiver.public_key(), p.signer, 4, 3, random).is_ok());
  EXPECT_FALSE(generate_kfrags(p.owner, p.receiver.public_key(), p.signer, 1, kMaxShares + 1, random).is_ok());
  EXPECT_FALSE(generate_kfrags(p.owner, Point{}, p.signer, 1, 1, random).is_ok());
  EXPECT_FALSE(encapsulate(Point{}, random).is_ok());
  Result<std::vector<KeyFrag>> most = generate_kfrags(p.owner, p.receiver.public_key(), p.signer, 2, kMaxShares, random);
  ASSERT_TRUE(most.is_ok());
  EXPECT_EQ(most->size(), kMaxShares);
}

}  // namespace
}  // namespace fluence::crypto::pre
