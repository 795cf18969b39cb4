// Proofs of retrievability on a cluster's chain: each tick the arbiters
// challenge every member about the state the tick's first block names, their
// verdicts go on chain, settle into outcomes, and the ledger pays storage
// rewards by them; a member that deleted its data earns nothing and leaves
// the contract.
#include <gtest/gtest.h>

#include "model/economy/rewards.h"
#include "tests/model/cluster/cluster_fixture.h"

namespace fluence::cluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class PorOnChainTest : public testing_support::ClusterFixture {
 protected:
  static constexpr size_t kLazy = 6;
  static constexpr uint64_t kPeriod = 4;  // ticks

  void build_with_short_ticks(const economy::Gateway* gateway, uint64_t eject_after_failed_ticks = 1000) {
    build(42, gateway, [eject_after_failed_ticks](size_t, node::NodeConfig& config) {
      config.cluster.ejection.failed_ticks = eject_after_failed_ticks;
      config.cluster.rules.tick_length = seconds(10);
      config.cluster.rules.max_clock_skew = seconds(1);
      config.cluster.por.chunks = 50;
      config.cluster.por.openings = 4;
      config.cluster.por.max_response_time = seconds(2);
    });
  }

  // 200 distinct rows in one write: a replica that lost them cannot get
  // them back from the later writes, which cycle over 17 rows.
  void write_bulk() {
    std::vector<storage::Mutation> rows;
    for (int i = 0; i < 200; ++i) {
      std::string key = "bulk" + std::to_string(i);
      rows.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes(64, static_cast<uint8_t>(i)), {}, {}});
    }
    bool acked = false;
    world->node(0).write(id, std::move(rows), [&](Result<uint64_t> r) { acked = r.is_ok(); });
    world->run_for(seconds(2));
    ASSERT_TRUE(acked);
  }

  economy::StorageContract open_contract(economy::SimulatedGateway& gateway) {
    economy::ChainId chain_id;
    std::copy(id.begin(), id.end(), chain_id.begin());
    crypto::SigningKey client = world->identity(40, 0).key.clone();
    economy::StorageContract c;
    c.id = world->identity(41, 0).key.public_key();
    c.client = client.public_key();
    c.valid_until_tick = kPeriod;
    for (const auto& m : members) c.nodes.push_back(m.key);
    for (const auto& a : arbiters) c.arbiters.push_back(a.key);
    c.replication_factor = static_cast<uint32_t>(kMembers);
    c.allocation_bytes = economy::kBytesPerGb;
    c.max_response_time_ms = 2000;
    c.price_per_gb_month = 720'000;  // 1,000 micro-FFT per node per proven tick
    c.gas_price = 1;
    c.period_ticks = kPeriod;
    c.sla = {1, 2};  // one unproven tick allowed (tick 0 has no challenge); two failed proofs remove
    economy::SignedContract s{c, {economy::ContractSignature::make(client, c)}};
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      s.signatures.push_back(economy::ContractSignature::make(world->identity(i, 0).key, c));
    }
    economy::EconomyOp mint{gateway.issue(client.public_key(), 100'000)};
    economy::EconomyOp open{economy::OpenContract::make(client, chain_id, std::move(s), 60'000, 0)};
    for (size_t i = 0; i < kMembers; ++i) chain(i).submit_transaction({mint});
    world->run_for(seconds(1));
    for (size_t i = 0; i < kMembers; ++i) chain(i).submit_transaction({open});
    world->run_for(seconds(1));
    return c;
  }
};

TEST_F(PorOnChainTest, VerdictsSettleOnChainAndPayOnlyProvenTicks) {
  economy::SimulatedGateway gateway(3);
  build_with_short_ticks(&gateway);
  write_bulk();
  economy::StorageContract contract = open_contract(gateway);
  ASSERT_NE(chain(0).ledger().contract(contract.id), nullptr) << "the contract did not open";
  ASSERT_LT(world->now(), env::Time(seconds(10))) << "still in tick 0";

  // The lazy member deletes everything it was paid to keep.
  storage::Dataset& lazy = *world->node(kLazy).dataset(id);
  for (uint64_t i = 0; i < lazy.entry_count(); ++i) ASSERT_TRUE(lazy.silently_forget(i).is_ok());

  // Writes go on through four ticks, so honest members answer each tick's
  // challenges from a state they have moved past.
  for (int i = 0; i < 42; ++i) {
    world->node(i % 5).write(id, {row(i)}, [](Result<uint64_t>) {});
    world->run_for(seconds(1));
  }

  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    EXPECT_GE(world->node(a).arbiter(id)->rounds(), 4u) << "arbiter " << a << " challenged ticks 1 to 4";
  }
  for (size_t m = 0; m < kMembers; ++m) {
    ProofRecord record = chain(0).verdicts().record(members[m].key);
    if (m == kLazy) {
      EXPECT_EQ(record.proven, 0u);
      EXPECT_GE(record.failed, 4u);
    } else {
      EXPECT_GE(record.proven, 4u) << "member " << m;
      EXPECT_EQ(record.failed + record.offline, 0u) << "member " << m;
    }
    for (size_t other = 1; other < kMembers; ++other) {
      EXPECT_EQ(chain(other).verdicts().record(members[m].key), record) << "members disagree on member " << m;
    }
  }

  // The period [0, 4) closed at tick 4: ticks 1 to 3 were proven by the
  // honest members and paid; the lazy one broke the SLA and got nothing.
  for (size_t i = 0; i < kMembers; ++i) {
    const economy::Ledger& ledger = chain(i).ledger();
    EXPECT_TRUE(ledger.check_conservation().is_ok());
    const economy::ContractAccount* account = ledger.contract(contract.id);
    ASSERT_NE(account, nullptr);
    EXPECT_EQ(account->contract.nodes.size(), kMembers - 1) << "member " << i << "'s ledger kept the lazy node";
    for (size_t m = 0; m < kMembers; ++m) {
      uint64_t expected = m == kLazy ? 0 : economy::storage_reward(contract, 3);
      EXPECT_EQ(ledger.account(members[m].key).rewards, expected) << "member " << m << " in member " << i << "'s ledger";
    }
  }
  EXPECT_EQ(economy::storage_reward(contract, 3), 3000u);
}

TEST_F(PorOnChainTest, ALazyMemberIsEjectedAndAnArbiterRecoversInItsPlace) {
  build_with_short_ticks(nullptr, 2);
  write_bulk();
  storage::Dataset& lazy = *world->node(kLazy).dataset(id);
  for (uint64_t i = 0; i < lazy.entry_count(); ++i) ASSERT_TRUE(lazy.silently_forget(i).is_ok());
  for (int i = 0; i < 60; ++i) {
    world->node(i % 5).write(id, {row(i)}, [](Result<uint64_t>) {});
    world->run_for(seconds(1));
  }

  // Two failed ticks in a row: the arbiters voted, and the first arbiter
  // took the lazy member's place.
  const size_t recruit = kMembers;  // node 7, the first arbiter
  const Membership& membership = chain(0).book().membership();
  ASSERT_EQ(membership.changes().size(), 1u);
  const MembershipChange& change = membership.changes()[0];
  EXPECT_EQ(change.ejected, members[kLazy].key);
  EXPECT_EQ(change.replacement.key, arbiters[0].key);
  EXPECT_EQ(change.reason, chain::EjectionVote::Reason::kFailedProofs);
  EXPECT_TRUE(chain(0).roster().is_member(arbiters[0].key));
  EXPECT_FALSE(chain(0).roster().is_member(members[kLazy].key));
  EXPECT_FALSE(chain(0).roster().is_arbiter(arbiters[0].key));
  EXPECT_FALSE(chain(kLazy).takes_part()) << "the ejected member stopped";

  // The recruit rebuilt the replica from the journal and takes part.
  ASSERT_EQ(world->node(recruit).arbiter(id), nullptr) << "still an arbiter";
  ASSERT_NE(world->node(recruit).chain(id), nullptr) << "never became a member";
  EXPECT_TRUE(chain(recruit).takes_part());
  bool acked = false;
  world->node(recruit).write(id, {row(1000)}, [&](Result<uint64_t> r) { acked = r.is_ok(); });
  world->run_for(seconds(3));
  EXPECT_TRUE(acked) << "a write through the recruit";
  EXPECT_EQ(world->node(recruit).dataset(id)->state_root(), world->node(0).dataset(id)->state_root());
  EXPECT_EQ(world->node(recruit).dataset(id)->applied_sequence(), world->node(0).dataset(id)->applied_sequence());
  EXPECT_EQ(chain(recruit).height(), chain(0).height());
  EXPECT_GE(chain(recruit).verdicts().record(arbiters[0].key).proven, 1u) << "the recruit proved a tick as a member";

  // Blocks after the change are signed by the new roster, the recruit
  // among them, and sealed by the two remaining arbiters.
  uint64_t height = chain(0).sealed_height();
  ASSERT_GT(height, change.height + 10);
  bool recruit_signed = false;
  for (uint64_t h = change.height + 1; h <= height; ++h) {
    Result<std::optional<chain::Block>> block = chain(0).block(h);
    Result<std::optional<chain::Block>> parent = chain(0).block(h - 1);
    ASSERT_TRUE(block.is_ok() && block->has_value() && parent.is_ok() && parent->has_value()) << h;
    const Roster& roster = membership.at(h);
    chain::ChainRules rules;
    rules.tick_length = seconds(10);
    rules.max_clock_skew = seconds(1);
    Status valid = chain::validate_block(**block, &(*parent)->header, roster.member_keys(), roster.arbiter_keys(), rules,
                                         world->now());
    EXPECT_TRUE(valid.is_ok()) << "height " << h << ": " << valid.to_string();
    for (const chain::Endorsement& e : (*block)->node_signatures) recruit_signed |= e.signer == arbiters[0].key;
  }
  EXPECT_TRUE(recruit_signed);
}

TEST_F(PorOnChainTest, AMemberDownAcrossTheRosterChangeCatchesUp) {
  build_with_short_ticks(nullptr, 2);
  write_bulk();
  storage::Dataset& lazy = *world->node(kLazy).dataset(id);
  for (uint64_t i = 0; i < lazy.entry_count(); ++i) ASSERT_TRUE(lazy.silently_forget(i).is_ok());
  // Member 2 goes down before the lazy member is replaced and comes back
  // after: its engine restarts on the old roster and must cross the change.
  world->crash(2);
  for (int i = 0; i < 45; ++i) {
    world->node(i % 2).write(id, {row(i)}, [](Result<uint64_t>) {});
    world->run_for(seconds(1));
  }
  ASSERT_EQ(chain(0).book().membership().changes().size(), 1u) << "the lazy member was not replaced while 2 was down";
  world->restart(2).start();
  world->run_for(seconds(20));
  EXPECT_EQ(chain(2).height(), chain(0).height());
  EXPECT_EQ(chain(2).book().membership().changes().size(), 1u);
  EXPECT_TRUE(chain(2).roster().is_member(arbiters[0].key));
  EXPECT_TRUE(chain(2).takes_part());
  EXPECT_EQ(world->node(2).dataset(id)->state_root(), world->node(0).dataset(id)->state_root());
  bool acked = false;
  world->node(2).write(id, {row(500)}, [&](Result<uint64_t> r) { acked = r.is_ok(); });
  world->run_for(seconds(3));
  EXPECT_TRUE(acked) << "a write through the member that came back";
}

}  // namespace
}  // namespace fluence::cluster
