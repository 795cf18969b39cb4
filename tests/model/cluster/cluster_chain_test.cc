// A cluster chain in the test world: 7 members ordering writes with
// Tendermint, 3 arbiters sealing blocks; crashes, restarts, and clocks that
// run ahead.
#include "model/cluster/cluster_chain.h"

#include <gtest/gtest.h>

#include "model/chain/block.h"
#include "model/cluster/chain_book.h"
#include "model/economy/gateway.h"
#include "tests/model/cluster/cluster_fixture.h"
#include "tests/model/support/test_world.h"

namespace fluence::cluster {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ClusterChainTest : public testing_support::ClusterFixture {};

TEST_F(ClusterChainTest, WritesCommitInSealedBlocksThatValidate) {
  build();
  ASSERT_EQ(write(60, 0), 60);
  expect_replicas_agree();
  EXPECT_EQ(world->node(3).dataset(id)->applied_sequence(), 60u);
  EXPECT_EQ(*sequences.begin(), 1u);
  EXPECT_EQ(*sequences.rbegin(), 60u);
  uint64_t height = chain(0).height();
  ASSERT_GT(height, 1u);
  EXPECT_EQ(chain(0).sealed_height(), height) << "every block gathered an arbiter quorum";
  // Every stored block, with the signatures gathered, passes the chain's rules.
  chain::BlockHeader parent = genesis_header(id);
  chain::ChainRules rules;
  for (uint64_t h = 1; h <= height; ++h) {
    Result<std::optional<chain::Block>> block = chain(0).block(h);
    ASSERT_TRUE(block.is_ok() && block->has_value()) << h;
    Status valid = chain::validate_block(**block, &parent, keys(members), keys(arbiters), rules, world->now());
    EXPECT_TRUE(valid.is_ok()) << "height " << h << ": " << valid.to_string();
    parent = (*block)->header;
  }
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    EXPECT_EQ(world->node(a).arbiter(id)->signed_height(), height) << "arbiter " << a;
  }
}

TEST_F(ClusterChainTest, TwoCrashedMembersDoNotStopCommitsAndCatchUpAfterRestart) {
  build();
  ASSERT_EQ(write(20, 0), 20);
  world->crash(5);
  world->crash(6);
  ASSERT_EQ(write(40, 20, {5, 6}), 40) << "5 of 7 are a quorum (2f + 1 with f = 2)";
  EXPECT_EQ(world->node(5).dataset(id)->applied_sequence(), 20u);
  // A real restart: the node object is rebuilt from its store.
  world->restart(5).start();
  world->restart(6).start();
  world->run_for(seconds(30));
  expect_replicas_agree();
  EXPECT_EQ(world->node(6).dataset(id)->applied_sequence(), 60u);
  ASSERT_EQ(write(10, 60), 10);
  expect_replicas_agree();
}

TEST_F(ClusterChainTest, AnArbiterThatWasDownCatchesUpOnSealedBlocks) {
  build();
  const size_t late = kMembers + kArbiters - 1;
  world->crash(late);
  ASSERT_EQ(write(30, 0), 30);
  uint64_t sealed = chain(0).sealed_height();
  ASSERT_GT(sealed, 10u) << "the other two arbiters seal";
  EXPECT_LT(world->node(late).arbiter(id)->signed_height(), 10u);
  // The others sealed those blocks, so they are no longer retried: the
  // members must feed them to the late arbiter from their stores.
  world->restart(late).start();
  world->run_for(seconds(10));
  EXPECT_GE(world->node(late).arbiter(id)->signed_height(), sealed);
  EXPECT_GE(world->node(late).arbiter(id)->signed_height() + 2, chain(0).height());
}

TEST_F(ClusterChainTest, ThreeCrashedMembersStopCommits) {
  build();
  ASSERT_EQ(write(5, 0), 5);
  for (size_t i : {4, 5, 6}) world->crash(i);
  EXPECT_EQ(write(5, 5, {4, 5, 6}), 0) << "4 of 7 are below the quorum: nothing may be acknowledged";
  EXPECT_EQ(world->node(0).dataset(id)->applied_sequence(), 5u);
}

TEST_F(ClusterChainTest, AMemberWithAFastClockCannotCommitTheFuture) {
  build();
  world->env(2).set_clock_offset(hours(3));
  ASSERT_EQ(write(40, 0), 40) << "the honest members keep committing";
  uint64_t honest_tick = chain::ChainRules{}.latest_acceptable_tick(world->now());
  for (uint64_t h = 1; h <= chain(0).height(); ++h) {
    Result<std::optional<chain::Block>> block = chain(0).block(h);
    ASSERT_TRUE(block.is_ok() && block->has_value());
    EXPECT_LE((*block)->header.tick, honest_tick) << "height " << h << " was proposed with a future tick";
  }
}

TEST_F(ClusterChainTest, AClusterThatSpeedsUpTimeGetsNoArbiterSignatures) {
  build();
  ASSERT_EQ(write(5, 0), 5);
  uint64_t sealed = chain(0).sealed_height();
  ASSERT_EQ(sealed, chain(0).height());
  for (size_t i = 0; i < kMembers; ++i) world->env(i).set_clock_offset(hours(5));
  ASSERT_EQ(write(10, 5), 10) << "the cluster commits among itself";
  EXPECT_GT(chain(0).height(), sealed);
  EXPECT_EQ(chain(0).sealed_height(), sealed) << "no arbiter may sign a block of a tick that has not come";
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    EXPECT_GE(world->node(a).arbiter(id)->refused_for_time(), 1u) << "arbiter " << a;
  }
  // When the arbiters' clocks reach those ticks, the blocks are sealed.
  uint64_t refused_up_to = chain(0).height();
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) world->env(a).set_clock_offset(hours(5));
  world->run_for(seconds(60));
  EXPECT_GE(chain(0).sealed_height(), refused_up_to);
}

TEST_F(ClusterChainTest, AgreesUnderLossJitterAndDuplicates) {
  build(7);
  world->set_loss(0.05);
  world->set_duplicate(0.05);
  world->set_jitter(milliseconds(30));
  int acked = write(60, 0);
  world->set_loss(0);
  world->run_for(seconds(30));
  EXPECT_EQ(acked, 60);
  expect_replicas_agree();
  EXPECT_EQ(world->node(0).dataset(id)->applied_sequence(), 60u);
}

TEST_F(ClusterChainTest, TokenOperationsGoThroughBlocksAndEveryLedgerAgrees) {
  economy::SimulatedGateway gateway(3);
  build(42, &gateway);
  economy::ChainId chain_id;
  std::copy(id.begin(), id.end(), chain_id.begin());
  env::DeterministicRandom random(5);
  crypto::Secret<32> seed_a, seed_b;
  random.fill({seed_a.data(), seed_a.size()});
  random.fill({seed_b.data(), seed_b.size()});
  crypto::SigningKey alice = crypto::SigningKey::from_seed(seed_a), bob = crypto::SigningKey::from_seed(seed_b);
  // A client hands each operation to every member, so whoever proposes has it.
  economy::EconomyOp mint{gateway.issue(alice.public_key(), 1000)};
  for (size_t i = 0; i < kMembers; ++i) chain(i).submit_transaction({mint});
  world->run_for(seconds(3));
  economy::EconomyOp pay{economy::Transfer::make(alice, chain_id, bob.public_key(), 300, 0)};
  economy::EconomyOp replay = pay;
  economy::EconomyOp overdraw{economy::Transfer::make(alice, chain_id, bob.public_key(), 5000, 1)};
  economy::EconomyOp forged{economy::Mint{crypto::Hash256{42}, bob.public_key(), 1'000'000}};
  for (size_t i = 0; i < kMembers; ++i) {
    for (const auto& op : {pay, overdraw, forged}) chain(i).submit_transaction({op});
  }
  world->run_for(seconds(3));
  for (size_t i = 0; i < kMembers; ++i) {
    chain(i).submit_transaction({replay});
    chain(i).submit_transaction({mint});  // a receipt counts once
  }
  world->run_for(seconds(3));
  for (size_t i = 0; i < kMembers; ++i) {
    EXPECT_EQ(chain(i).ledger().account(alice.public_key()).spendable, 700u) << "member " << i;
    EXPECT_EQ(chain(i).ledger().account(bob.public_key()).spendable, 300u) << "member " << i;
    EXPECT_EQ(chain(i).ledger().total_supply(), 1000u) << "the forged mint must not count";
    EXPECT_TRUE(chain(i).ledger().check_conservation().is_ok());
  }
  // The operations that never apply (the overdraw, the forged mint) leave
  // the pools once write_timeout (30 s) passed, and take no room for good.
  EXPECT_GE(chain(0).transaction_pool_size(), 2u);
  world->run_for(seconds(31));
  for (size_t i = 0; i < kMembers; ++i) EXPECT_EQ(chain(i).transaction_pool_size(), 0u) << "member " << i;
  // A restarted member rebuilds the ledger from its stored blocks.
  world->restart(4).start();
  world->run_for(seconds(2));
  EXPECT_EQ(chain(4).ledger().account(bob.public_key()).spendable, 300u);
  EXPECT_EQ(chain(4).ledger().total_supply(), 1000u);
}

TEST_F(ClusterChainTest, SubmittedOperationsAreCheckedAtOnceAndReportTheirBlock) {
  economy::SimulatedGateway gateway(4);
  build(42, &gateway);
  const economy::ChainId chain_id = ledger_chain_id(id);
  crypto::Secret<32> seed;
  seed.data()[0] = 0x51;
  const crypto::SigningKey alice = crypto::SigningKey::from_seed(seed);
  const crypto::PublicKey bob = world->identity(3, 0).key.public_key();
  struct Outcome {
    std::optional<Result<uint64_t>> result;
    bool returned = false;  // submit_operation returned
    bool at_once = false;   // the result came before it did
  };
  auto submit = [&](size_t via, const economy::EconomyOp& op) {
    auto outcome = std::make_shared<Outcome>();
    chain(via).submit_operation(op, [outcome](Result<uint64_t> r) {
      outcome->at_once = !outcome->returned;
      outcome->result = std::move(r);
    });
    outcome->returned = true;
    return outcome;
  };
  // Through one member only: it reaches whoever proposes.
  const economy::EconomyOp mint{gateway.issue(alice.public_key(), 1000)};
  auto minted = submit(2, mint);
  world->run_for(seconds(3));
  ASSERT_TRUE(minted->result.has_value() && minted->result->is_ok()) << "the mint was not acknowledged";
  EXPECT_FALSE(minted->at_once);
  const uint64_t height = **minted->result;
  Result<std::optional<chain::Block>> block = chain(2).block(height);
  ASSERT_TRUE(block.is_ok() && block->has_value());
  EXPECT_TRUE(std::any_of((*block)->transactions.begin(), (*block)->transactions.end(),
                          [&](const chain::Transaction& t) { return t.hash() == chain::Transaction{mint}.hash(); }))
      << "block " << height << " does not hold the mint";
  for (size_t i = 0; i < kMembers; ++i) EXPECT_EQ(chain(i).ledger().account(alice.public_key()).spendable, 1000u);

  // What the ledger refuses comes back at once, with the ledger's words.
  auto again = submit(0, mint);
  ASSERT_TRUE(again->at_once && again->result.has_value());
  EXPECT_NE(again->result->status().message().find("already used"), std::string::npos)
      << again->result->status().to_string();
  auto overdraw = submit(0, {economy::Transfer::make(alice, chain_id, bob, 5000, 0)});
  ASSERT_TRUE(overdraw->at_once && overdraw->result.has_value());
  EXPECT_EQ(overdraw->result->status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(overdraw->result->status().message().find("exceeds spendable balance"), std::string::npos);
  auto forged = submit(0, {economy::Mint{crypto::Hash256{42}, bob, 1'000'000}});
  ASSERT_TRUE(forged->at_once && forged->result.has_value());
  EXPECT_EQ(forged->result->status().code(), ErrorCode::kAuthentication);

  // The same operation through two members commits once and answers both.
  const economy::EconomyOp pay{economy::Transfer::make(alice, chain_id, bob, 300, 0)};
  auto first = submit(4, pay), second = submit(5, pay);
  world->run_for(seconds(3));
  ASSERT_TRUE(first->result.has_value() && first->result->is_ok());
  ASSERT_TRUE(second->result.has_value() && second->result->is_ok());
  EXPECT_EQ(**first->result, **second->result);
  EXPECT_EQ(chain(0).ledger().account(bob).spendable, 300u);

  // A cluster that cannot commit: the submitter hears kTimeout.
  for (size_t down : {size_t{4}, size_t{5}, size_t{6}}) world->crash(down);
  auto stuck = submit(0, {economy::Transfer::make(alice, chain_id, bob, 1, 1)});
  world->run_for(seconds(25));
  ASSERT_TRUE(stuck->result.has_value());
  EXPECT_EQ(stuck->result->status().code(), ErrorCode::kTimeout);
}

TEST_F(ClusterChainTest, ReadsCarryAsManyMemberSignaturesAsAsked) {
  build();
  ASSERT_EQ(write(20, 0), 20);
  auto read = [&](size_t via, const std::string& key, size_t signatures) {
    std::optional<Result<ReadResult>> out;
    chain(via).read(Bytes(key.begin(), key.end()), signatures, [&](Result<ReadResult> r) { out = std::move(r); });
    world->run_for(seconds(3));
    EXPECT_TRUE(out.has_value()) << "the read never finished";
    return out.value_or(Status::error(ErrorCode::kTimeout, "never finished"));
  };
  // write() put "value19" under row2 last (rows cycle over 17 keys).
  Result<ReadResult> one = read(2, "row2", 1);
  ASSERT_TRUE(one.is_ok()) << one.status().to_string();
  ASSERT_TRUE(one->value.has_value());
  EXPECT_EQ(std::string(one->value->begin(), one->value->end()), "value19");
  EXPECT_EQ(one->answers.size(), 1u);
  Result<ReadResult> all = read(0, "row2", kMembers);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  std::set<crypto::PublicKey> signers;
  for (const ReadAnswer& a : all->answers) {
    EXPECT_TRUE(a.signature_valid());
    EXPECT_EQ(a.value, one->value);
    signers.insert(a.signer);
  }
  EXPECT_EQ(signers.size(), kMembers);
  Result<ReadResult> absent = read(1, "no-such-row", 3);
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(absent->value.has_value());
  // A member whose replica says otherwise cannot make its value pass; it
  // only keeps the read from reaching all n signatures.
  storage::Dataset& lying = *world->node(3).dataset(id);
  std::string evil = "evil";
  ASSERT_TRUE(lying.apply({lying.applied_sequence() + 1,
                           {{storage::Mutation::Kind::kPutRow, Bytes{'r', 'o', 'w', '2'}, Bytes(evil.begin(), evil.end()), {}, {}}}})
                  .is_ok());
  EXPECT_FALSE(read(0, "row2", kMembers).is_ok());
  Result<ReadResult> six = read(3, "row2", kMembers - 1);
  ASSERT_TRUE(six.is_ok()) << six.status().to_string();
  EXPECT_EQ(six->value, one->value);
  EXPECT_EQ(read(0, "row2", 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(ClusterChainTest, AnEquivocatingMemberEndsUpInABlock) {
  build();
  ASSERT_EQ(write(5, 0), 5);
  // Member 6 turns Byzantine: two different prevotes for the next heights,
  // sent to everyone (the honest member 6 also votes; any pair convicts).
  dht::Identity evil = world->identity(6, 0);
  uint64_t next = chain(0).height() + 1;
  for (uint64_t h = next; h < next + 3; ++h) {
    for (uint8_t v = 1; v <= 2; ++v) {
      consensus::ConsensusMessage vote;
      vote.type = consensus::ConsensusMessage::Type::kVote;
      vote.vote = consensus::Vote::make(evil.key, consensus::VoteType::kPrevote, h, 0, crypto::Hash256{v, 0xee});
      ClusterMessage wrapped;
      wrapped.type = ClusterMessage::Type::kConsensus;
      wrapped.dataset = id;
      wrapped.consensus = codec::encode(vote);
      for (size_t i = 0; i < kMembers - 1; ++i) send_cluster(world->node(6).rpc(), members[i].address, wrapped);
    }
  }
  world->run_for(seconds(5));
  ASSERT_EQ(write(5, 5), 5) << "the cluster goes on";
  size_t convictions = 0;
  chain::BlockHeader parent = genesis_header(id);
  for (uint64_t h = 1; h <= chain(0).height(); ++h) {
    Result<std::optional<chain::Block>> block = chain(0).block(h);
    ASSERT_TRUE(block.is_ok() && block->has_value());
    for (const chain::Transaction& t : (*block)->transactions) {
      if (const auto* e = std::get_if<chain::VoteEquivocation>(&t.body)) {
        EXPECT_EQ(e->first.voter, evil.key.public_key());
        EXPECT_TRUE(e->proves_equivocation());
        ++convictions;
      }
    }
    if (h <= chain(0).sealed_height()) {
      const Roster& roster = chain(0).book().membership().at(h);
      Status valid = chain::validate_block(**block, &parent, roster.member_keys(), roster.arbiter_keys(),
                                           chain::ChainRules{}, world->now());
      EXPECT_TRUE(valid.is_ok()) << "height " << h << ": " << valid.to_string();
    }
    parent = (*block)->header;
  }
  EXPECT_GE(convictions, 1u);
  // The arbiters voted the convicted member out; the first arbiter took its place.
  const std::vector<MembershipChange>& changes = chain(0).book().membership().changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ejected, evil.key.public_key());
  EXPECT_EQ(changes[0].reason, chain::EjectionVote::Reason::kEquivocation);
  EXPECT_EQ(changes[0].replacement.key, arbiters[0].key);
  // Evidence that does not prove anything is not taken.
  consensus::Vote a = consensus::Vote::make(evil.key, consensus::VoteType::kPrevote, 3, 0, crypto::Hash256{1});
  consensus::Vote b = consensus::Vote::make(evil.key, consensus::VoteType::kPrevote, 3, 1, crypto::Hash256{2});
  EXPECT_FALSE((chain::VoteEquivocation{a, b}.proves_equivocation())) << "different rounds are not equivocation";
  b = consensus::Vote::make(evil.key, consensus::VoteType::kPrevote, 3, 0, crypto::Hash256{2});
  EXPECT_TRUE((chain::VoteEquivocation{a, b}.proves_equivocation()));
  b.signature.bytes[0] ^= 1;
  EXPECT_FALSE((chain::VoteEquivocation{a, b}.proves_equivocation()));
}

TEST(ClusterMessagesTest, ProposalShapeRules) {
  BlockProposal p;
  p.header.journal_sequence = 4;
  p.writes.push_back({5, {}});
  p.submissions.push_back(crypto::Hash256{1});
  p.transactions.push_back({write_digest(p.writes[0])});
  p.header.transactions_root = chain::transactions_root(p.transactions);
  EXPECT_TRUE(check_shape(p).is_ok());
  BlockProposal gap = p;
  gap.writes[0].sequence = 6;
  EXPECT_FALSE(check_shape(gap).is_ok());
  BlockProposal twice = p;
  twice.writes.push_back({6, {}});
  twice.submissions.push_back(crypto::Hash256{1});
  twice.transactions.push_back({write_digest(twice.writes[1])});
  twice.header.transactions_root = chain::transactions_root(twice.transactions);
  EXPECT_FALSE(check_shape(twice).is_ok()) << "one submission committed twice in a block";
  twice.submissions[1] = crypto::Hash256{2};
  EXPECT_TRUE(check_shape(twice).is_ok());
  BlockProposal no_digest = p;
  no_digest.transactions.clear();
  no_digest.header.transactions_root = chain::transactions_root({});
  EXPECT_FALSE(check_shape(no_digest).is_ok());
  BlockProposal bad_root = p;
  bad_root.header.transactions_root = crypto::Hash256{};
  EXPECT_FALSE(check_shape(bad_root).is_ok());
  Result<BlockProposal> round_trip = codec::decode<BlockProposal>(codec::encode(p));
  ASSERT_TRUE(round_trip.is_ok());
  EXPECT_EQ(*round_trip, p);
}

}  // namespace
}  // namespace fluence::cluster
