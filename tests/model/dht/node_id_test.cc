#include "model/dht/node_id.h"

#include <gtest/gtest.h>

#include "model/dht/identity.h"

namespace fluence::dht {
namespace {

TEST(NodeIdTest, BucketIndexAndRandomIdInBucketAgree) {
  env::DeterministicRandom random(4);
  NodeId self = random_id(random);
  for (int bucket : {0, 1, 7, 8, 100, 255}) {
    NodeId id = random_id_in_bucket(self, bucket, random);
    EXPECT_EQ(bucket_index(self, id), bucket);
  }
}

TEST(NodeIdTest, CloserIsAStrictTotalOrder) {
  env::DeterministicRandom random(5);
  NodeId target = random_id(random);
  NodeId a = random_id(random);
  NodeId b = random_id(random);
  EXPECT_NE(closer(target, a, b), closer(target, b, a));
  EXPECT_FALSE(closer(target, a, a));
  EXPECT_TRUE(closer(target, target, a));
}

TEST(NodeIdTest, PuzzleBindsIdToKeyAndNonce) {
  env::DeterministicRandom random(6);
  Result<Identity> identity = Identity::generate(random, 10);
  ASSERT_TRUE(identity.is_ok());
  const crypto::PublicKey& key = identity->key.public_key();
  EXPECT_TRUE(id_valid(identity->id, key, identity->nonce, 10));
  EXPECT_FALSE(id_valid(identity->id, key, identity->nonce + 1, 10));
  crypto::PublicKey other = key;
  other.bytes[0] ^= 1;
  EXPECT_FALSE(id_valid(identity->id, other, identity->nonce, 10));
  // A solution at difficulty 10 has at least 10 leading zero bits of work.
  EXPECT_TRUE(puzzle_satisfied(identity->id, 10));
  Result<Identity> rebuilt = Identity::from_parts(identity->key.seed(), identity->nonce, 10);
  ASSERT_TRUE(rebuilt.is_ok());
  EXPECT_EQ(rebuilt->id, identity->id);
  bool next_nonce_solves = puzzle_satisfied(derive_node_id(key, identity->nonce + 1), 10);
  EXPECT_EQ(Identity::from_parts(identity->key.seed(), identity->nonce + 1, 10).is_ok(),
            next_nonce_solves);
}

}  // namespace
}  // namespace fluence::dht
