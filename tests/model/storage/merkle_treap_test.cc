#include "model/storage/merkle_treap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "model/env/random.h"

namespace fluence::storage {
namespace {

Bytes key_of(uint64_t i) {
  std::string text = "row-" + std::to_string(i * 7919 % 100003);
  return Bytes(text.begin(), text.end());
}

Bytes noise_key(uint64_t i) {
  std::string text = "noise-" + std::to_string(i);
  return Bytes(text.begin(), text.end());
}

Hash256 value_of(uint64_t i, uint64_t version = 0) {
  std::string text = "value-" + std::to_string(i) + "-" + std::to_string(version);
  return value_hash(as_bytes(text));
}

TEST(MerkleTreapTest, EmptyTree) {
  MerkleTreap tree;
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(tree.root(), MerkleTreap::empty_root());
  EXPECT_EQ(tree.depth(), 0);
}

// The property replicas rely on: same contents, same root, whatever the order.
TEST(MerkleTreapTest, RootDependsOnlyOnContents) {
  constexpr uint64_t kRows = 500;
  std::vector<uint64_t> order(kRows);
  for (uint64_t i = 0; i < kRows; ++i) order[i] = i;
  Hash256 reference{};
  env::DeterministicRandom random(1);
  for (int trial = 0; trial < 5; ++trial) {
    for (uint64_t i = kRows - 1; i > 0; --i) std::swap(order[i], order[random.uniform(i + 1)]);
    MerkleTreap tree;
    // Also write and remove some noise, which must leave no trace.
    for (uint64_t i : order) {
      tree.put(key_of(i), value_of(i, 1));
      if (i % 3 == 0) tree.put(noise_key(i), value_of(i));
    }
    for (uint64_t i : order) {
      tree.put(key_of(i), value_of(i));
      if (i % 3 == 0) {
        EXPECT_TRUE(tree.erase(noise_key(i)));
      }
    }
    EXPECT_EQ(tree.size(), kRows);
    if (trial == 0) reference = tree.root();
    EXPECT_EQ(tree.root(), reference) << "trial " << trial;
  }
}

TEST(MerkleTreapTest, EveryChangeMovesTheRoot) {
  MerkleTreap tree;
  for (uint64_t i = 0; i < 100; ++i) tree.put(key_of(i), value_of(i));
  Hash256 before = tree.root();
  tree.put(key_of(42), value_of(42, 1));
  EXPECT_NE(tree.root(), before);
  tree.put(key_of(42), value_of(42));
  EXPECT_EQ(tree.root(), before);
  EXPECT_FALSE(tree.erase(key_of(1000)));
  EXPECT_EQ(tree.root(), before);
  EXPECT_TRUE(tree.erase(key_of(7)));
  EXPECT_NE(tree.root(), before);
  EXPECT_EQ(tree.size(), 99u);
  EXPECT_FALSE(tree.find(key_of(7)).has_value());
  EXPECT_EQ(*tree.find(key_of(8)), value_of(8));
}

TEST(MerkleTreapTest, BulkBuildEqualsIncrementalInserts) {
  for (uint64_t n : {0, 1, 2, 3, 10, 1000}) {
    MerkleTreap incremental;
    std::map<Bytes, Hash256> sorted;
    for (uint64_t i = 0; i < n; ++i) {
      incremental.put(key_of(i), value_of(i));
      sorted[key_of(i)] = value_of(i);
    }
    MerkleTreap bulk = MerkleTreap::build_sorted({sorted.begin(), sorted.end()});
    EXPECT_EQ(bulk.root(), incremental.root()) << n;
    EXPECT_EQ(bulk.size(), n);
    EXPECT_EQ(bulk.depth(), incremental.depth()) << "same shape";
    if (n > 0) {
      EXPECT_TRUE(verify_proof(bulk.root(), n, n / 2, bulk.open(n / 2)));
    }
  }
}

TEST(MerkleTreapTest, KeysAreInOrderAndDepthIsLogarithmic) {
  MerkleTreap tree;
  std::map<Bytes, Hash256> truth;
  for (uint64_t i = 0; i < 10000; ++i) {
    tree.put(key_of(i), value_of(i));
    truth[key_of(i)] = value_of(i);
  }
  uint64_t index = 0;
  for (const auto& [key, value] : truth) {
    if (index % 97 == 0) {
      EXPECT_EQ(tree.key_at(index), key) << index;
    }
    ++index;
  }
  // Expected depth of a random treap is ~1.39 log2 n (about 18.5 here).
  EXPECT_LE(tree.depth(), static_cast<int>(3 * std::log2(10000.0)));
}

TEST(MerkleTreapTest, EveryEntryOpensAndVerifies) {
  MerkleTreap tree;
  for (uint64_t i = 0; i < 300; ++i) tree.put(key_of(i), value_of(i));
  for (uint64_t index = 0; index < tree.size(); ++index) {
    MerkleProof proof = tree.open(index);
    EXPECT_EQ(proof.key, tree.key_at(index));
    EXPECT_EQ(proof.value_hash, *tree.find(proof.key));
    EXPECT_TRUE(verify_proof(tree.root(), tree.size(), index, proof)) << index;
  }
}

TEST(MerkleTreapTest, ProofsDoNotVerifyForAnythingElse) {
  MerkleTreap tree;
  for (uint64_t i = 0; i < 300; ++i) tree.put(key_of(i), value_of(i));
  const uint64_t index = 123;
  MerkleProof proof = tree.open(index);
  ASSERT_FALSE(proof.path.empty());
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index + 1, proof)) << "index not bound";
  EXPECT_FALSE(verify_proof(tree.root(), tree.size() + 1, index, proof)) << "size not bound";
  Hash256 other_root = tree.root();
  other_root[0] ^= 1;
  EXPECT_FALSE(verify_proof(other_root, tree.size(), index, proof));

  MerkleProof bad = proof;
  bad.value_hash[5] ^= 1;
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index, bad)) << "value not bound";
  bad = proof;
  bad.key.push_back('x');
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index, bad)) << "key not bound";
  bad = proof;
  bad.path.back().sibling_hash[0] ^= 1;
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index, bad));
  bad = proof;
  bad.path.front().sibling_count += 1;
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index, bad));
  bad = proof;
  bad.left_count = ~uint64_t{0};
  EXPECT_FALSE(verify_proof(tree.root(), tree.size(), index, bad)) << "overflowing counts";
}

TEST(MerkleTreapTest, ProofRoundTripsAndMalformedProofsAreNamed) {
  MerkleTreap tree;
  for (uint64_t i = 0; i < 50; ++i) tree.put(key_of(i), value_of(i));
  MerkleProof proof = tree.open(17);
  Bytes encoded = codec::encode(proof);
  Result<MerkleProof> decoded = codec::decode<MerkleProof>(encoded);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, proof);

  Bytes truncated(encoded.begin(), encoded.end() - 10);
  Result<MerkleProof> bad = codec::decode<MerkleProof>(truncated);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("proof."), std::string::npos);
}

}  // namespace
}  // namespace fluence::storage
