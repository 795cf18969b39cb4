// The chain book's rules, block by block: how verdicts settle into outcomes
// and how ejection votes change the roster (verdicts_test.cc has the
// settlement rule in detail).
#include "model/cluster/chain_book.h"

#include <gtest/gtest.h>


namespace fluence::cluster {
namespace {

constexpr uint64_t kSettleTicks = 2;  // the chain's inclusion allowance

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  std::fill(secret.data(), secret.data() + secret.size(), seed);
  return crypto::SigningKey::from_seed(secret);
}

class ChainBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 4; ++i) members.push_back(key(10 + i));
    for (uint8_t i = 0; i < 3; ++i) arbiters.push_back(key(20 + i));
  }
  Roster genesis() const {
    Roster r;
    for (size_t i = 0; i < members.size(); ++i) r.members.push_back({"m" + std::to_string(i), members[i].public_key()});
    for (size_t i = 0; i < arbiters.size(); ++i) r.arbiters.push_back({"a" + std::to_string(i), arbiters[i].public_key()});
    return r;
  }
  por::PorVerdict verdict(size_t arbiter, size_t member, uint64_t tick, por::Fault fault) const {
    por::PorChallenge c = por::PorChallenge::make(arbiters[arbiter], dataset, tick, crypto::Hash256{}, 10, 4, 1);
    return por::PorVerdict::make(arbiters[arbiter], c, members[member].public_key(), fault);
  }
  chain::EjectionVote vote(size_t arbiter, size_t member, size_t replacement) const {
    return chain::EjectionVote::make(arbiters[arbiter], dataset, members[member].public_key(),
                                     arbiters[replacement].public_key(), chain::EjectionVote::Reason::kFailedProofs);
  }
  chain::BlockHeader header(uint64_t height, uint64_t tick) const {
    chain::BlockHeader h;
    h.dataset = dataset;
    h.height = height;
    h.tick = tick;
    return h;
  }

  storage::DatasetId dataset{3};
  std::vector<crypto::SigningKey> members, arbiters;
};

TEST_F(ChainBookTest, AnOutcomeSettlesFromEveryVerdictAtItsSettlementPointAndOnlyOnce) {
  ChainBook book(nullptr, dataset, genesis(), kSettleTicks);  // 3 arbiters: quorum 2
  ASSERT_TRUE(book.apply(header(1, 1), {{verdict(0, 0, 1, por::Fault::kNone)}}));
  EXPECT_EQ(book.verdicts().record(members[0].public_key()), ProofRecord{}) << "one arbiter alone settles nothing";
  // The same arbiter again does not count twice.
  ASSERT_TRUE(book.apply(header(2, 1), {{verdict(0, 0, 1, por::Fault::kNone)}}));
  // A second arbiter disagrees: a quorum is on chain, but the third arbiter
  // may still speak, so nothing is decided yet.
  ASSERT_TRUE(book.apply(header(3, 1), {{verdict(1, 0, 1, por::Fault::kBadOpening)}}));
  EXPECT_EQ(book.verdicts().record(members[0].public_key()), ProofRecord{});
  // The third passes: 2 of 3 passed, proven.
  ASSERT_TRUE(book.apply(header(4, 1), {{verdict(2, 0, 1, por::Fault::kNone)}}));
  ProofRecord record = book.verdicts().record(members[0].public_key());
  EXPECT_EQ(record.proven, 1u);
  EXPECT_EQ(record.failed, 0u);
  // Verdicts for a settled tick change nothing.
  ASSERT_TRUE(book.apply(header(5, 1), {{verdict(1, 0, 1, por::Fault::kNone)}}));
  ASSERT_TRUE(book.apply(header(6, 2), {{verdict(2, 0, 1, por::Fault::kBadOpening)}}));
  EXPECT_EQ(book.verdicts().record(members[0].public_key()), record);
  // Two "late" verdicts and a silent arbiter: offline once the allowance
  // passed; a proven tick ends the run.
  ASSERT_TRUE(book.apply(header(7, 2), {{verdict(0, 0, 2, por::Fault::kLate)}, {verdict(2, 0, 2, por::Fault::kLate)}}));
  EXPECT_EQ(book.verdicts().record(members[0].public_key()).offline, 0u);
  ASSERT_TRUE(book.apply(header(8, 4), {{verdict(0, 0, 4, por::Fault::kNone)}, {verdict(1, 0, 4, por::Fault::kNone)},
                                        {verdict(2, 0, 4, por::Fault::kNone)}}));
  record = book.verdicts().record(members[0].public_key());
  EXPECT_EQ(record.offline, 1u);
  EXPECT_EQ(record.proven, 2u);
  EXPECT_EQ(record.offline_run + record.failed_run, 0u);
  EXPECT_EQ(record.last_tick, std::optional<uint64_t>(4));
}

TEST_F(ChainBookTest, GroundsFollowTheRules) {
  ChainBook book(nullptr, dataset, genesis(), kSettleTicks);
  EjectionRules rules{2, 3};
  for (uint64_t tick = 1; tick <= 2; ++tick) {
    ASSERT_TRUE(book.apply(header(tick, tick), {{verdict(0, 1, tick, por::Fault::kDisagrees)},
                                                {verdict(1, 1, tick, por::Fault::kDisagrees)},
                                                {verdict(2, 1, tick, por::Fault::kNone)},
                                                {verdict(0, 2, tick, por::Fault::kLate)},
                                                {verdict(1, 2, tick, por::Fault::kLate)},
                                                {verdict(2, 2, tick, por::Fault::kLate)}}));
    EXPECT_EQ(book.grounds(rules).size(), tick == 2 ? 1u : 0u) << "tick " << tick;
  }
  std::vector<EjectionGround> grounds = book.grounds(rules);
  ASSERT_EQ(grounds.size(), 1u);
  EXPECT_EQ(grounds[0].member, members[1].public_key());
  EXPECT_EQ(grounds[0].reason, chain::EjectionVote::Reason::kFailedProofs);
  // Equivocation evidence is a ground at once.
  consensus::Vote a = consensus::Vote::make(members[3], consensus::VoteType::kPrevote, 9, 0, crypto::Hash256{1});
  consensus::Vote b = consensus::Vote::make(members[3], consensus::VoteType::kPrevote, 9, 0, crypto::Hash256{2});
  ASSERT_TRUE(book.apply(header(3, 3), {{chain::VoteEquivocation{a, b}}}));
  grounds = book.grounds(rules);
  ASSERT_EQ(grounds.size(), 2u);
  EXPECT_EQ(grounds[1].member, members[3].public_key());
  EXPECT_EQ(grounds[1].reason, chain::EjectionVote::Reason::kEquivocation);
}

TEST_F(ChainBookTest, AQuorumOfVotesReplacesAMemberFromTheNextHeight) {
  ChainBook book(nullptr, dataset, genesis(), kSettleTicks);
  ASSERT_TRUE(book.apply(header(1, 0), {{vote(0, 2, 0)}}));
  EXPECT_TRUE(book.membership().changes().empty()) << "one vote of three arbiters";
  // A vote for a different replacement does not add up with the first.
  ASSERT_TRUE(book.apply(header(2, 0), {{vote(1, 2, 1)}}));
  EXPECT_TRUE(book.membership().changes().empty());
  ASSERT_TRUE(book.apply(header(3, 0), {{vote(2, 2, 0)}}));
  ASSERT_EQ(book.membership().changes().size(), 1u);
  const Roster& now = book.roster();
  EXPECT_EQ(now.members[2].key, arbiters[0].public_key()) << "the recruit takes the ejected member's position";
  EXPECT_EQ(now.members[2].address, "a0");
  EXPECT_FALSE(now.is_arbiter(arbiters[0].public_key()));
  EXPECT_EQ(now.arbiters.size(), 2u);
  EXPECT_TRUE(book.membership().ejected(members[2].public_key()));
  // Blocks up to 3 were signed by the old roster, later ones by the new.
  EXPECT_TRUE(book.membership().at(3).is_member(members[2].public_key()));
  EXPECT_FALSE(book.membership().at(4).is_member(members[2].public_key()));
  EXPECT_TRUE(book.membership().at(4).is_member(arbiters[0].public_key()));
  // Votes about someone no longer a member, or by someone no longer an
  // arbiter, or for a replacement who is not an arbiter, are not acceptable.
  EXPECT_FALSE(book.membership().vote_acceptable(vote(1, 2, 1)));
  EXPECT_FALSE(book.membership().vote_acceptable(vote(0, 1, 1)));
  EXPECT_FALSE(book.membership().vote_acceptable(vote(1, 1, 0)));
  EXPECT_TRUE(book.membership().vote_acceptable(vote(1, 1, 2)));
}

TEST_F(ChainBookTest, EjectionVotesRoundTripAndAreChecked) {
  chain::Transaction t{vote(1, 3, 2)};
  Result<chain::Transaction> back = codec::decode<chain::Transaction>(codec::encode(t));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, t);
  const auto& v = std::get<chain::EjectionVote>(back->body);
  EXPECT_TRUE(v.signature_valid());
  chain::EjectionVote forged = v;
  forged.ejected = members[0].public_key();
  EXPECT_FALSE(forged.signature_valid());
  Bytes bad = codec::encode(t);
  bad[1 + 32 + 32 + 32] = 9;  // the reason byte
  Result<chain::Transaction> rejected = codec::decode<chain::Transaction>(bad);
  ASSERT_FALSE(rejected.is_ok());
  EXPECT_NE(rejected.status().message().find("ejection.reason"), std::string::npos) << rejected.status().message();
}

}  // namespace
}  // namespace fluence::cluster
