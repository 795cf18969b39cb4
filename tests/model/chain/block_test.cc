#include "model/chain/block.h"

#include <gtest/gtest.h>

#include "model/chain/vote.h"

namespace fluence::chain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  return crypto::SigningKey::from_seed(secret);
}

class BlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 7; ++i) nodes.push_back(key(i + 1));
    for (uint8_t i = 0; i < 5; ++i) arbiters.push_back(key(100 + i));
    for (const auto& k : nodes) cluster_keys.push_back(k.public_key());
    for (const auto& k : arbiters) arbiter_keys.push_back(k.public_key());
  }

  // A block at `tick` signed by the first `node_signers` nodes and the first
  // `arbiter_signers` arbiters.
  Block make(const BlockHeader* parent, uint64_t tick, size_t node_signers, size_t arbiter_signers,
             std::vector<Transaction> transactions = {}) {
    Block b;
    b.header.dataset = storage::DatasetId{5};
    b.header.height = parent ? parent->height + 1 : 0;
    b.header.previous = parent ? parent->hash() : crypto::Hash256{};
    b.header.tick = tick;
    b.header.journal_sequence = parent ? parent->journal_sequence + 3 : 0;
    b.transactions = std::move(transactions);
    b.header.transactions_root = transactions_root(b.transactions);
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (i < node_signers) {
        b.node_signatures.push_back(endorse(nodes[i], b.header));
      } else {
        b.absent.push_back(nodes[i].public_key());
      }
    }
    for (size_t i = 0; i < arbiter_signers; ++i) b.arbiter_signatures.push_back(endorse(arbiters[i], b.header));
    return b;
  }

  Status check(const Block& b, const BlockHeader* parent, env::Time now = hours(100)) {
    return validate_block(b, parent, cluster_keys, arbiter_keys, rules, now);
  }

  std::vector<crypto::SigningKey> nodes, arbiters;
  std::vector<crypto::PublicKey> cluster_keys, arbiter_keys;
  ChainRules rules;
};

TEST_F(BlockTest, QuorumsOfNodesAndArbitersMakeABlockValid) {
  Block genesis = make(nullptr, 0, 5, 3);  // n = 7 tolerates f = 2: 5 = 2f + 1
  EXPECT_TRUE(check(genesis, nullptr).is_ok()) << check(genesis, nullptr).to_string();
  Block child = make(&genesis.header, 1, 7, 5);
  EXPECT_TRUE(check(child, &genesis.header).is_ok());
}

TEST_F(BlockTest, TooFewSignaturesAreRefused) {
  Status nodes_short = check(make(nullptr, 0, 4, 3), nullptr);
  ASSERT_FALSE(nodes_short.is_ok());
  EXPECT_NE(nodes_short.message().find("node signatures: 4 of 7, need 5"), std::string::npos) << nodes_short.message();
  Status arbiters_short = check(make(nullptr, 0, 7, 2), nullptr);
  ASSERT_FALSE(arbiters_short.is_ok());
  EXPECT_NE(arbiters_short.message().find("arbiter signatures"), std::string::npos);
}

TEST_F(BlockTest, ForgedOrForeignOrDoubledSignaturesAreRefused) {
  Block b = make(nullptr, 0, 6, 3);
  b.node_signatures[0].signature.bytes[0] ^= 1;
  EXPECT_EQ(check(b, nullptr).code(), ErrorCode::kAuthentication);

  b = make(nullptr, 0, 6, 3);
  b.node_signatures.push_back(endorse(key(77), b.header));
  EXPECT_NE(check(b, nullptr).message().find("not a member"), std::string::npos);

  b = make(nullptr, 0, 5, 3);
  b.node_signatures.push_back(b.node_signatures[0]);
  EXPECT_NE(check(b, nullptr).message().find("signed twice"), std::string::npos);

  b = make(nullptr, 0, 6, 3);
  b.absent.clear();  // hides who did not sign
  EXPECT_NE(check(b, nullptr).message().find("absent"), std::string::npos);
}

TEST_F(BlockTest, ChildMustFollowItsParent) {
  Block genesis = make(nullptr, 0, 7, 5);
  Block child = make(&genesis.header, 1, 7, 5);
  Block other_parent = make(nullptr, 0, 7, 5);
  other_parent.header.journal_sequence = 99;
  EXPECT_NE(check(child, &other_parent.header).message().find("previous"), std::string::npos);
  Block backwards = make(&child.header, 2, 7, 5);
  backwards.header.journal_sequence = 1;  // the child is at 3
  EXPECT_NE(check(backwards, &child.header).message().find("journal sequence goes backwards"), std::string::npos);
  Block back_tick = make(&child.header, 0, 7, 5);
  EXPECT_NE(check(back_tick, &child.header).message().find("tick goes backwards"), std::string::npos);
}

// The white paper's time speed-up: a block for a tick that has not come yet.
TEST_F(BlockTest, ABlockFromTheFutureIsRefused) {
  rules.tick_length = hours(1);
  rules.max_clock_skew = minutes(1);
  Block genesis = make(nullptr, 0, 7, 5);
  Block early = make(&genesis.header, 5, 7, 5);
  Status refused = check(early, &genesis.header, hours(3));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("ahead of this validator's clock"), std::string::npos);
  EXPECT_FALSE(check(early, &genesis.header, hours(5) - minutes(2)).is_ok()) << "beyond the skew";
  EXPECT_TRUE(check(early, &genesis.header, hours(5) - seconds(30)).is_ok()) << "within the skew";
  EXPECT_TRUE(check(early, &genesis.header, hours(6)).is_ok());
}

TEST_F(BlockTest, TransactionsAreCommittedAndChecked) {
  storage::DatasetId dataset{5};
  por::PorChallenge challenge = por::PorChallenge::make(arbiters[0], dataset, 1, {}, 10, 5, 1);
  por::PorVerdict verdict = por::PorVerdict::make(arbiters[0], challenge, nodes[1].public_key(), por::Fault::kLate);
  Block good = make(nullptr, 0, 7, 5, {Transaction{WriteDigest{3, {}}}, Transaction{verdict}});
  EXPECT_TRUE(check(good, nullptr).is_ok()) << check(good, nullptr).to_string();

  Block swapped = good;
  std::swap(swapped.transactions[0], swapped.transactions[1]);
  EXPECT_NE(check(swapped, nullptr).message().find("transactions root"), std::string::npos);

  por::PorVerdict foreign = por::PorVerdict::make(nodes[0], challenge, nodes[1].public_key(), por::Fault::kNone);
  Block by_node = make(nullptr, 0, 7, 5, {Transaction{foreign}});
  EXPECT_NE(check(by_node, nullptr).message().find("non-arbiter"), std::string::npos);
}

TEST_F(BlockTest, EquivocationEvidence) {
  crypto::Hash256 a{1}, b{2};
  Equivocation e{nodes[3].public_key(), 9, a, nodes[3].sign(vote_message(9, a)), b, nodes[3].sign(vote_message(9, b))};
  EXPECT_TRUE(e.proves_equivocation());
  Equivocation same = e;
  same.second = same.first;
  same.second_signature = same.first_signature;
  EXPECT_FALSE(same.proves_equivocation());
  Equivocation other_height = e;
  other_height.height = 10;
  EXPECT_FALSE(other_height.proves_equivocation());
  Block with_evidence = make(nullptr, 0, 7, 5, {Transaction{e}});
  EXPECT_TRUE(check(with_evidence, nullptr).is_ok());
  Block with_bad = make(nullptr, 0, 7, 5, {Transaction{same}});
  EXPECT_FALSE(check(with_bad, nullptr).is_ok());
}

TEST_F(BlockTest, BlocksRoundTripAndBadBytesAreNamed) {
  Block b = make(nullptr, 0, 6, 4, {Transaction{WriteDigest{1, {7}}}});
  Bytes encoded = codec::encode(b);
  Result<Block> decoded = codec::decode<Block>(encoded);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, b);
  Bytes bad = encoded;
  bad[32 + 8 + 32 + 8 + 8 + 32 + 8 + 32 + 1] = 9;  // the first transaction's kind
  Result<Block> error = codec::decode<Block>(bad);
  ASSERT_FALSE(error.is_ok());
  EXPECT_NE(error.status().message().find("transaction.kind"), std::string::npos) << error.status().message();
}

}  // namespace
}  // namespace fluence::chain
