#include "model/client/grant.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/codec/codec.h"
#include "tests/model/client/key_tree_fixtures.h"

namespace fluence::client {
namespace {

namespace pre = crypto::pre;

using testing::dataset;
using testing::path;

std::string hex(const crypto::Secret<32>& secret) { return to_hex(secret.view()); }

// An owner with one dataset, a receiver, and five proxies of which any three
// re-encrypt: the white paper's sharing through Cluster Nodes.
class GrantTest : public ::testing::Test {
 protected:
  static constexpr size_t kThreshold = 3;
  static constexpr size_t kProxies = 5;

  GrantTest() : owner_(dataset(1), random_root()), receiver_(pre::KeyPair::generate(random_)) {}

  RootSecret random_root() {
    RootSecret root;
    random_.fill(std::span<uint8_t>(root.data(), root.size()));
    return root;
  }

  // The owner's side: a grant of `shared` and its kfrags towards the receiver.
  MadeGrant share(const KeyPath& shared, std::vector<pre::KeyFrag>& kfrags) {
    Result<MadeGrant> made = make_grant(owner_, shared, random_);
    FL_ASSERT(made.is_ok());
    Result<std::vector<pre::KeyFrag>> split = pre::generate_kfrags(
        made->delegation, receiver_.public_key(), owner_.owner(), kThreshold, kProxies, random_);
    FL_ASSERT(split.is_ok());
    kfrags = std::move(*split);
    return std::move(*made);
  }

  // What the proxies send back, each having checked its kfrag first.
  std::vector<pre::CapsuleFrag> reencrypt(const Grant& grant,
                                          const std::vector<pre::KeyFrag>& kfrags, size_t count) {
    std::vector<pre::CapsuleFrag> cfrags;
    for (size_t i = 0; i < count; ++i) {
      EXPECT_TRUE(pre::verify_kfrag(kfrags[i], grant.delegator, receiver_.public_key(),
                                    owner_.owner().public_key())
                      .is_ok());
      Result<pre::CapsuleFrag> cfrag = pre::reencrypt(kfrags[i], grant.capsule, random_);
      FL_ASSERT(cfrag.is_ok());
      cfrags.push_back(std::move(*cfrag));
    }
    return cfrags;
  }

  env::DeterministicRandom random_{17};
  DatasetKeys owner_;
  pre::KeyPair receiver_;
};

TEST_F(GrantTest, EndToEndTheReceiverReadsARowBelowItsGrant) {
  // The owner writes a row under the per-row key of users/alice.
  KeyPath row_path = path({"users", "alice"});
  Result<Bytes> row = node_key(owner_, row_path)
                          .row_cipher()
                          .encrypt_row(as_bytes("users/alice"), as_bytes("alice's row"), random_);
  ASSERT_TRUE(row.is_ok());

  // It shares users/ and publishes the grant; the grant crosses the network.
  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"users"}), kfrags);
  ASSERT_EQ(kfrags.size(), kProxies);
  Result<Grant> received = codec::decode<Grant>(codec::encode(made.grant));
  ASSERT_TRUE(received.is_ok()) << received.status().to_string();
  EXPECT_EQ(*received, made.grant);

  // Proxies 2, 4 and 0 answer (any three do); the receiver combines them.
  std::vector<pre::CapsuleFrag> all = reencrypt(*received, kfrags, kProxies);
  std::vector<pre::CapsuleFrag> three = {all[2], all[4], all[0]};
  Result<NodeKey> users = receive_grant(*received, owner_.owner().public_key(), receiver_, three);
  ASSERT_TRUE(users.is_ok()) << users.status().to_string();
  EXPECT_EQ(users->path(), path({"users"}));
  EXPECT_EQ(users->dataset(), owner_.dataset());
  EXPECT_EQ(hex(users->secret()), hex(node_key(owner_, path({"users"})).secret()));

  // The same by hand: verify, decrypt_reencrypted, open_grant.
  std::vector<pre::VerifiedCapsuleFrag> verified;
  for (const pre::CapsuleFrag& cfrag : three) {
    verified.push_back(*pre::verify_cfrag(cfrag, received->capsule, received->delegator,
                                          receiver_.public_key(), owner_.owner().public_key()));
  }
  Result<pre::SymmetricKey> k =
      pre::decrypt_reencrypted(receiver_, received->delegator, received->capsule, verified);
  ASSERT_TRUE(k.is_ok()) << k.status().to_string();
  Result<NodeKey> by_hand = open_grant(*received, owner_.owner().public_key(), *k);
  ASSERT_TRUE(by_hand.is_ok());
  EXPECT_TRUE(by_hand->has_secret(users->secret()));

  // It derives the row's key and reads the row.
  Result<Bytes> opened =
      users->descendant(row_path)->row_cipher().decrypt_row(as_bytes("users/alice"), *row);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(std::string(opened->begin(), opened->end()), "alice's row");
}

TEST_F(GrantTest, FewerThanTheThresholdOfCfragsOpenNothing) {
  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"users"}), kfrags);
  std::vector<pre::CapsuleFrag> two = reencrypt(made.grant, kfrags, kThreshold - 1);
  Result<NodeKey> opened = receive_grant(made.grant, owner_.owner().public_key(), receiver_, two);
  EXPECT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().message().find("needs 3"), std::string::npos)
      << opened.status().to_string();
  EXPECT_FALSE(receive_grant(made.grant, owner_.owner().public_key(), receiver_, {}).is_ok());
  // The same fragment three times is not three shares.
  std::vector<pre::CapsuleFrag> repeated = {two[0], two[0], two[1]};
  EXPECT_FALSE(receive_grant(made.grant, owner_.owner().public_key(), receiver_, repeated).is_ok());
}

TEST_F(GrantTest, ASiblingsGrantDoesNotReadTheRow) {
  KeyPath row_path = path({"users", "alice"});
  Result<Bytes> row = node_key(owner_, row_path)
                          .row_cipher()
                          .encrypt_row(as_bytes("users/alice"), as_bytes("alice's row"), random_);
  ASSERT_TRUE(row.is_ok());

  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"orders"}), kfrags);
  Result<NodeKey> orders = receive_grant(made.grant, owner_.owner().public_key(), receiver_,
                                         reencrypt(made.grant, kfrags, kThreshold));
  ASSERT_TRUE(orders.is_ok()) << orders.status().to_string();
  // It cannot derive users/alice, and whatever key it holds fails the tag.
  EXPECT_EQ(orders->descendant(row_path).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(orders->row_cipher().decrypt_row(as_bytes("users/alice"), *row).status().code(),
            ErrorCode::kAuthentication);
  RowCipher guess(owner_.dataset(), node_key(owner_, row_path).row_key_id(),
                  orders->descendant(path({"orders", "alice"}))->row_key());
  EXPECT_EQ(guess.decrypt_row(as_bytes("users/alice"), *row).status().code(),
            ErrorCode::kAuthentication);
}

TEST_F(GrantTest, DelegationKeysArePerSubtree) {
  std::set<pre::Point> keys;
  for (const KeyPath& p :
       {KeyPath(), path({"users"}), path({"orders"}), path({"users", "alice"})}) {
    keys.insert(delegation_key(owner_, p).public_key());
  }
  EXPECT_EQ(keys.size(), 4u);
  // Not the key a dataset-wide delegation would use either.
  EXPECT_FALSE(keys.contains(pre::KeyPair::from_seed(owner_.pre_seed()).public_key()));
  // Deterministic: the owner needs to store none of them.
  EXPECT_EQ(delegation_key(owner_, path({"users"})).public_key(),
            make_grant(owner_, path({"users"}), random_)->grant.delegator);
}

TEST_F(GrantTest, AForgedOrAlteredGrantDoesNotOpen) {
  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"users"}), kfrags);
  const crypto::PublicKey& owner = owner_.owner().public_key();
  Result<pre::SymmetricKey> k = pre::decapsulate(made.delegation, made.grant.capsule);
  ASSERT_TRUE(k.is_ok());
  ASSERT_TRUE(open_grant(made.grant, owner, *k).is_ok());

  // Another path, another dataset, or a changed sealed key: the signature fails.
  Grant moved = made.grant;
  moved.path = path({"orders"});
  Grant other_dataset = made.grant;
  other_dataset.dataset = dataset(2);
  Grant flipped = made.grant;
  flipped.sealed_key[0] ^= 1;
  for (const Grant* bad : {&moved, &other_dataset, &flipped}) {
    Result<NodeKey> opened = open_grant(*bad, owner, *k);
    EXPECT_EQ(opened.status().code(), ErrorCode::kAuthentication);
    EXPECT_NE(opened.status().message().find("not signed"), std::string::npos);
  }

  // A grant a node made itself, to the public delegation key, and signed
  // with its own key: the owner's key refuses it, though K would open it.
  DatasetKeys impostor(dataset(1), random_root());
  Grant forged = made.grant;
  Result<pre::Encapsulation> encapsulation = pre::encapsulate(forged.delegator, random_);
  ASSERT_TRUE(encapsulation.is_ok());
  forged.capsule = encapsulation->capsule;
  forged.signature = impostor.owner().sign(forged.signed_bytes());
  EXPECT_EQ(open_grant(forged, owner, encapsulation->key).status().code(),
            ErrorCode::kAuthentication);

  // The owner's signature but the wrong K (another grant's): the tag fails.
  MadeGrant second = share(path({"users"}), kfrags);
  Result<pre::SymmetricKey> other_k = pre::decapsulate(second.delegation, second.grant.capsule);
  Result<NodeKey> wrong = open_grant(made.grant, owner, *other_k);
  EXPECT_EQ(wrong.status().code(), ErrorCode::kAuthentication);
  EXPECT_NE(wrong.status().message().find("does not open"), std::string::npos);
  // The capsule is the sealed key's associated data (as pre.h asks): with
  // another capsule in its place, even re-signed by the owner, the grant's
  // own K no longer opens it.
  Grant swapped = made.grant;
  swapped.capsule = second.grant.capsule;
  swapped.signature = owner_.owner().sign(swapped.signed_bytes());
  EXPECT_EQ(open_grant(swapped, owner, *k).status().code(), ErrorCode::kAuthentication);
}

TEST_F(GrantTest, CfragsForAnotherReceiverOrGrantAreRefused) {
  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"users"}), kfrags);
  std::vector<pre::CapsuleFrag> cfrags = reencrypt(made.grant, kfrags, kThreshold);
  // Someone else presenting the receiver's cfrags.
  pre::KeyPair eve = pre::KeyPair::generate(random_);
  Result<NodeKey> stolen = receive_grant(made.grant, owner_.owner().public_key(), eve, cfrags);
  EXPECT_EQ(stolen.status().code(), ErrorCode::kAuthentication);
  EXPECT_NE(stolen.status().message().find("cfrag 0"), std::string::npos);
  // The cfrags of one grant against another grant's capsule.
  std::vector<pre::KeyFrag> other_kfrags;
  MadeGrant other = share(path({"users"}), other_kfrags);
  EXPECT_EQ(
      receive_grant(other.grant, owner_.owner().public_key(), receiver_, cfrags).status().code(),
      ErrorCode::kAuthentication);
}

TEST_F(GrantTest, DecodingIsBoundedAndCanonical) {
  std::vector<pre::KeyFrag> kfrags;
  MadeGrant made = share(path({"users", "alice"}), kfrags);
  Bytes encoded = codec::encode(made.grant);
  EXPECT_EQ(encoded.size(), 1 + 32 + codec::encode(made.grant.path).size() + 32 + 96 + 48 + 64);
  EXPECT_LE(encoded.size(), kMaxGrantBytes);

  // Every truncation and one extra byte.
  for (size_t size = 0; size < encoded.size(); ++size) {
    Result<Grant> decoded = codec::decode<Grant>(ByteView(encoded).first(size));
    ASSERT_EQ(decoded.status().code(), ErrorCode::kMalformed) << size;
  }
  Bytes extended = encoded;
  extended.push_back(0);
  EXPECT_EQ(codec::decode<Grant>(extended).status().code(), ErrorCode::kMalformed);

  Bytes version = encoded;
  version[0] = 2;
  Result<Grant> bad_version = codec::decode<Grant>(version);
  EXPECT_EQ(bad_version.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(bad_version.status().message().find("version"), std::string::npos);

  // The delegator is not a canonical element (all 0xff is not one).
  size_t delegator_offset = 1 + 32 + codec::encode(made.grant.path).size();
  Bytes bad_point = encoded;
  std::fill(bad_point.begin() + delegator_offset, bad_point.begin() + delegator_offset + 32, 0xff);
  Result<Grant> refused = codec::decode<Grant>(bad_point);
  EXPECT_EQ(refused.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(refused.status().message().find("grant.delegator"), std::string::npos)
      << refused.status().to_string();

  // The longest path makes the longest grant, within the bound.
  Grant longest = made.grant;
  longest.path = *KeyPath::make({Bytes(kMaxKeyPathSegmentBytes, 'x'),
                                 Bytes(kMaxKeyPathBytes - kMaxKeyPathSegmentBytes - 6, 'y'),
                                 Bytes{1}, Bytes{2}, Bytes{3}, Bytes{4}, Bytes{5}, Bytes{6}});
  EXPECT_LE(codec::encode(longest).size(), kMaxGrantBytes);
  EXPECT_EQ(*codec::decode<Grant>(codec::encode(longest)), longest);
}

}  // namespace
}  // namespace fluence::client
