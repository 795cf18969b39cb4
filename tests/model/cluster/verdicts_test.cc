// The verdict book's settlement rule, block by block: a (member, tick) is
// decided from every verdict on chain at its settlement point (all current
// arbiters spoke, or the chain's inclusion allowance passed), never by the
// first quorum to land.
#include "model/cluster/verdicts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "model/env/random.h"

namespace fluence::cluster {
namespace {

using economy::ProofOutcome;
using por::Fault;

constexpr uint64_t kSettleTicks = 2;

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  std::fill(secret.data(), secret.data() + secret.size(), seed);
  return crypto::SigningKey::from_seed(secret);
}

class VerdictBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 3; ++i) members.push_back(key(10 + i));
    for (uint8_t i = 0; i < 5; ++i) arbiters.push_back(key(20 + i));
  }
  por::PorVerdict verdict(size_t arbiter, size_t member, uint64_t tick, Fault fault) const {
    por::PorChallenge c = por::PorChallenge::make(arbiters[arbiter], dataset, tick, crypto::Hash256{}, 10, 4, 1);
    return por::PorVerdict::make(arbiters[arbiter], c, members[member].public_key(), fault);
  }
  // The first `count` arbiters' keys, and their majority.
  std::vector<crypto::PublicKey> arbiter_keys(size_t count) const {
    std::vector<crypto::PublicKey> keys;
    for (size_t i = 0; i < count; ++i) keys.push_back(arbiters[i].public_key());
    return keys;
  }
  // One block: its verdicts, then its settlement, as ChainBook::apply does.
  std::vector<ProofSettlement> block(VerdictBook& book, uint64_t tick, const std::vector<por::PorVerdict>& verdicts,
                                     size_t arbiter_count = 3) const {
    for (const por::PorVerdict& v : verdicts) book.add(v, tick);
    return book.settle(tick, arbiter_keys(arbiter_count), arbiter_count / 2 + 1);
  }
  const crypto::PublicKey& member(size_t i) const { return members[i].public_key(); }

  storage::DatasetId dataset{3};
  std::vector<crypto::SigningKey> members, arbiters;
};

TEST_F(VerdictBookTest, PassingVerdictsLandingFirstDoNotOutvoteALaterFailingMajority) {
  // Five arbiters, quorum 3. The two whose challenges the member answered
  // finish at once; the three that caught it only at the deadline.
  VerdictBook book(kSettleTicks);
  EXPECT_TRUE(block(book, 1, {verdict(0, 0, 1, Fault::kNone), verdict(1, 0, 1, Fault::kNone)}, 5).empty());
  // A quorum is on chain now, 2 of 3 passed: the first quorum would have
  // called the tick proven.
  EXPECT_TRUE(block(book, 1, {verdict(2, 0, 1, Fault::kLate)}, 5).empty());
  EXPECT_EQ(book.record(member(0)), ProofRecord{});
  std::vector<ProofSettlement> settled =
      block(book, 1, {verdict(3, 0, 1, Fault::kBadOpening), verdict(4, 0, 1, Fault::kBadOpening)}, 5);
  ASSERT_EQ(settled.size(), 1u) << "every arbiter spoke: decided at once";
  EXPECT_EQ(settled[0], (ProofSettlement{member(0), 1, ProofOutcome::kFailed}));
  ProofRecord record = book.record(member(0));
  EXPECT_EQ(record.failed, 1u);
  EXPECT_EQ(record.proven, 0u);
  EXPECT_EQ(record.last_tick, std::optional<uint64_t>(1));

  // The same with three arbiters and only deadline misses after the pass:
  // 1 of 3 passed, the faults are "late": offline.
  settled = block(book, 2, {verdict(0, 1, 2, Fault::kNone)});
  EXPECT_TRUE(settled.empty());
  settled = block(book, 2, {verdict(1, 1, 2, Fault::kLate), verdict(2, 1, 2, Fault::kLate)});
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0], (ProofSettlement{member(1), 2, ProofOutcome::kOffline}));
}

TEST_F(VerdictBookTest, AnOutcomeIsReportedOnce) {
  VerdictBook book(kSettleTicks);
  std::vector<ProofSettlement> settled = block(book, 4, {verdict(0, 0, 4, Fault::kNone), verdict(1, 0, 4, Fault::kNone),
                                                         verdict(2, 0, 4, Fault::kDisagrees)});
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].outcome, ProofOutcome::kProven);
  ProofRecord record = book.record(member(0));
  // The same verdicts again, in this tick and after its settlement point,
  // and blocks without verdicts: nothing more is settled.
  EXPECT_TRUE(block(book, 4, {verdict(2, 0, 4, Fault::kNone), verdict(0, 0, 4, Fault::kBadOpening)}).empty());
  for (uint64_t tick = 5; tick <= 8; ++tick) {
    EXPECT_TRUE(block(book, tick, {verdict(1, 0, 4, Fault::kLate)}).empty()) << "block of tick " << tick;
  }
  EXPECT_EQ(book.record(member(0)), record);
  EXPECT_EQ(book.record(member(0)).proven, 1u);
  EXPECT_FALSE(book.oldest_open_tick().has_value());
}

TEST_F(VerdictBookTest, ASilentArbiterDelaysSettlementOnlyUntilTheInclusionAllowance) {
  VerdictBook book(kSettleTicks);
  // Arbiter 2 never speaks. Two of three passed, in the tick's first block.
  EXPECT_TRUE(block(book, 1, {verdict(0, 0, 1, Fault::kNone), verdict(1, 0, 1, Fault::kNone)}).empty());
  EXPECT_EQ(book.oldest_open_tick(), std::optional<uint64_t>(1));
  EXPECT_TRUE(block(book, 2, {}).empty()) << "an honest arbiter may still get its verdict in";
  std::vector<ProofSettlement> settled = block(book, 3, {});
  ASSERT_EQ(settled.size(), 1u) << "tick 1 + the allowance: decided from the two";
  EXPECT_EQ(settled[0], (ProofSettlement{member(0), 1, ProofOutcome::kProven}));
  // The silent arbiter's verdict after the settlement point counts for nothing.
  EXPECT_TRUE(block(book, 3, {verdict(2, 0, 1, Fault::kBadOpening)}).empty());
  EXPECT_EQ(book.record(member(0)).proven, 1u);
  EXPECT_EQ(book.record(member(0)).failed, 0u);
}

TEST_F(VerdictBookTest, TooFewArbitersAtTheSettlementPointGiveNoOutcome) {
  VerdictBook book(kSettleTicks);
  // One arbiter alone must not decide a node's pay.
  EXPECT_TRUE(block(book, 1, {verdict(0, 0, 1, Fault::kBadOpening)}).empty());
  EXPECT_TRUE(block(book, 2, {}).empty());
  EXPECT_TRUE(block(book, 3, {}).empty());
  EXPECT_FALSE(book.oldest_open_tick().has_value()) << "decided: no outcome";
  // A quorum arriving after the settlement point is too late.
  EXPECT_TRUE(block(book, 3, {verdict(1, 0, 1, Fault::kBadOpening)}).empty());
  EXPECT_EQ(book.record(member(0)), ProofRecord{});
}

TEST_F(VerdictBookTest, AMembersTicksAreDecidedInTickOrder) {
  VerdictBook book(kSettleTicks);
  // Member 0's tick 1 waits for arbiter 2; its tick 2 has every verdict first.
  EXPECT_TRUE(block(book, 1, {verdict(0, 0, 1, Fault::kLate), verdict(1, 0, 1, Fault::kLate)}).empty());
  EXPECT_TRUE(block(book, 2, {verdict(0, 0, 2, Fault::kNone), verdict(1, 0, 2, Fault::kNone),
                              verdict(2, 0, 2, Fault::kNone), verdict(0, 1, 2, Fault::kNone)})
                  .empty())
      << "member 0's tick 2 waits for its tick 1; member 1's tick 2 lacks verdicts and is not due";
  std::vector<ProofSettlement> settled = block(book, 3, {});
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0], (ProofSettlement{member(0), 1, ProofOutcome::kOffline}));
  EXPECT_EQ(settled[1], (ProofSettlement{member(0), 2, ProofOutcome::kProven}));
  EXPECT_EQ(book.record(member(0)).offline, 1u);
  EXPECT_EQ(book.record(member(0)).offline_run, 0u) << "the proven tick 2 ended the run";
  EXPECT_EQ(book.record(member(1)), ProofRecord{});

  // Member 2's tick 3 is decided before any verdict of its tick 2 landed:
  // those come too late to count, though tick 2 is not past its settlement point.
  settled = block(book, 3, {verdict(0, 2, 3, Fault::kNone), verdict(1, 2, 3, Fault::kNone),
                            verdict(2, 2, 3, Fault::kNone)});
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0], (ProofSettlement{member(2), 3, ProofOutcome::kProven}));
  EXPECT_TRUE(block(book, 3, {verdict(0, 2, 2, Fault::kBadOpening), verdict(1, 2, 2, Fault::kBadOpening),
                              verdict(2, 2, 2, Fault::kBadOpening)})
                  .empty());
  EXPECT_TRUE(block(book, 4, {}).empty());
  EXPECT_EQ(book.record(member(2)).failed, 0u);
  EXPECT_EQ(book.record(member(2)).last_tick, std::optional<uint64_t>(3));
}

TEST_F(VerdictBookTest, VerdictsAboutATickNotYetComeAreNotCounted) {
  VerdictBook book(kSettleTicks);
  EXPECT_TRUE(block(book, 1, {verdict(0, 0, 9, Fault::kBadOpening), verdict(1, 0, 9, Fault::kBadOpening),
                              verdict(2, 0, 9, Fault::kBadOpening)})
                  .empty());
  EXPECT_FALSE(book.oldest_open_tick().has_value());
  for (uint64_t tick = 2; tick <= 12; ++tick) EXPECT_TRUE(block(book, tick, {}).empty());
  EXPECT_EQ(book.record(member(0)), ProofRecord{});
}

// A restart replays the stored blocks: the book it rebuilds, and what it
// settles from then on, are the same as the book that never stopped.
TEST_F(VerdictBookTest, ReplayingTheBlocksRebuildsTheSameBook) {
  struct Block {
    uint64_t tick;
    std::vector<por::PorVerdict> verdicts;
  };
  // Three blocks a tick. Each arbiter's verdicts of tick T land in one of
  // the blocks of ticks T to T + 2 (the last ones past their settlement
  // point), and arbiter 2 is silent in some ticks.
  constexpr uint64_t kTicks = 40;
  std::vector<Block> chain;
  for (uint64_t tick = 1; tick <= kTicks + 2; ++tick) {
    for (int b = 0; b < 3; ++b) chain.push_back({tick, {}});
  }
  env::DeterministicRandom random(7, 0);
  const Fault faults[] = {Fault::kNone, Fault::kNone, Fault::kLate, Fault::kBadOpening};
  for (uint64_t tick = 1; tick <= kTicks; ++tick) {
    for (size_t a = 0; a < 3; ++a) {
      if (a == 2 && random.chance(0.3)) continue;
      size_t lands = static_cast<size_t>((tick - 1) * 3 + random.uniform(9));
      for (size_t m = 0; m < members.size(); ++m) chain[lands].verdicts.push_back(verdict(a, m, tick, faults[random.uniform(4)]));
    }
  }
  auto run = [&](VerdictBook& book, size_t from, size_t to) {
    std::vector<ProofSettlement> settled;
    for (size_t i = from; i < to; ++i) {
      std::vector<ProofSettlement> s = block(book, chain[i].tick, chain[i].verdicts);
      settled.insert(settled.end(), s.begin(), s.end());
    }
    return settled;
  };
  VerdictBook running(kSettleTicks);
  std::vector<ProofSettlement> before = run(running, 0, chain.size() / 2);
  VerdictBook restarted(kSettleTicks);
  EXPECT_EQ(run(restarted, 0, chain.size() / 2), before);
  std::vector<ProofSettlement> after = run(running, chain.size() / 2, chain.size());
  EXPECT_EQ(run(restarted, chain.size() / 2, chain.size()), after);
  std::set<std::pair<uint64_t, crypto::PublicKey>> seen;
  for (const std::vector<ProofSettlement>* part : {&before, &after}) {
    for (const ProofSettlement& s : *part) {
      EXPECT_TRUE(seen.insert({s.tick, s.member}).second) << "tick " << s.tick << " settled twice";
    }
  }
  EXPECT_GT(seen.size(), kTicks * members.size() / 2) << "most ticks reach an outcome";
  EXPECT_LT(seen.size(), kTicks * members.size()) << "some verdicts came too late for a quorum";
  for (size_t m = 0; m < members.size(); ++m) {
    ProofRecord r = running.record(member(m));
    EXPECT_EQ(restarted.record(member(m)), r);
    auto mine = [&](const auto& s) { return s.second == member(m); };
    EXPECT_EQ(r.proven + r.failed + r.offline, static_cast<uint64_t>(std::count_if(seen.begin(), seen.end(), mine)));
  }
}

}  // namespace
}  // namespace fluence::cluster
