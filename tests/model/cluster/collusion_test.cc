// A whole cluster that colludes (model/adversary/collusion.h): its members
// leave the honest arbiters' verdicts and votes out of every block, and its
// corrupted arbiters pass everyone unasked. Honest arbiters stop signing a
// chain that leaves out their verdicts, so the cluster stays sealed only if
// its corrupted arbiters make a quorum by themselves.
#include <gtest/gtest.h>

#include "model/adversary/collusion.h"
#include "tests/model/cluster/cluster_fixture.h"

namespace fluence::cluster {
namespace {

using std::chrono::seconds;

class CollusionTest : public testing_support::ClusterFixture {
 protected:
  static constexpr size_t kLazy = 6;
  static constexpr uint64_t kInclusionTicks = 2;

  // Ten-second ticks; the members collude when `colluding`, and the arbiters
  // (node indices) in `corrupted` are theirs.
  void build_cluster(bool colluding, const std::set<size_t>& corrupted) {
    build(42, nullptr, [&](size_t node, node::NodeConfig& config) {
      std::vector<crypto::PublicKey> honest;  // the fixture has set the roster by now
      for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
        if (corrupted.count(a) == 0) honest.push_back(arbiters[a - kMembers].key);
      }
      config.cluster.rules.tick_length = seconds(10);
      config.cluster.rules.max_clock_skew = seconds(1);
      config.cluster.por.chunks = 50;
      config.cluster.por.openings = 4;
      config.cluster.por.max_response_time = seconds(2);
      config.cluster.rules.inclusion_ticks = kInclusionTicks;
      if (node < kMembers && colluding) config.cluster.member_conduct = adversary::colluding_member(honest);
      if (corrupted.count(node) != 0) config.cluster.arbiter_conduct = adversary::corrupted_arbiter();
    });
    // 200 distinct rows, which the later writes (over 17 rows) do not
    // restore; the lazy member deletes everything once they are in.
    std::vector<storage::Mutation> rows;
    for (int i = 0; i < 200; ++i) {
      std::string key = "bulk" + std::to_string(i);
      rows.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes(64, static_cast<uint8_t>(i)), {}, {}});
    }
    world->node(0).write(id, std::move(rows), [](Result<uint64_t>) {});
    world->run_for(seconds(2));
    storage::Dataset& lazy = *world->node(kLazy).dataset(id);
    for (uint64_t i = 0; i < lazy.entry_count(); ++i) ASSERT_TRUE(lazy.silently_forget(i).is_ok());
  }

  // Writes through five ticks.
  void run_ticks() {
    for (int i = 0; i < 50; ++i) {
      world->node(i % 5).write(id, {row(i)}, [](Result<uint64_t>) {});
      world->run_for(seconds(1));
    }
  }

  uint64_t sealed_tick() {
    Result<std::optional<chain::Block>> sealed = chain(0).block(chain(0).sealed_height());
    EXPECT_TRUE(sealed && sealed->has_value());
    return sealed && sealed->has_value() ? (*sealed)->header.tick : 0;
  }

  ChainArbiter& arbiter(size_t node) {
    ChainArbiter* a = world->node(node).arbiter(id);
    FL_ASSERT_MSG(a != nullptr, "a recruited arbiter no longer arbitrates");
    return *a;
  }
};

TEST_F(CollusionTest, AnHonestClusterCarriesEveryVerdictAndStaysSealed) {
  build_cluster(false, {});
  world->set_loss(0.02);  // lost verdicts are sent again before they are owed
  run_ticks();
  // The arbiters' votes got in too: the lazy member was replaced by the
  // first arbiter, which left arbitrating for the cluster.
  ASSERT_EQ(chain(0).book().membership().changes().size(), 1u);
  EXPECT_EQ(chain(0).book().membership().changes()[0].ejected, members[kLazy].key);
  EXPECT_EQ(world->node(7).arbiter(id), nullptr);
  for (size_t a = 8; a < kMembers + kArbiters; ++a) {
    EXPECT_EQ(arbiter(a).refused_for_censorship(), 0u) << "arbiter " << a;
    EXPECT_GE(arbiter(a).rounds(), 4u) << "arbiter " << a;
  }
  EXPECT_GE(sealed_tick(), 4u);
}

TEST_F(CollusionTest, HonestArbitersStopSealingAClusterThatLeavesTheirVerdictsOut) {
  build_cluster(true, {7});  // one of three: not a quorum
  run_ticks();
  EXPECT_GE(arbiter(8).refused_for_censorship(), 1u);
  EXPECT_GE(arbiter(9).refused_for_censorship(), 1u);
  EXPECT_GE(arbiter(8).faults(), 1u) << "the honest arbiters found the deleted data";
  // Verdicts of tick 1 are owed from tick 1 + 2 on: the last block sealed is
  // one of tick 2, while the members went on committing.
  EXPECT_EQ(sealed_tick(), kInclusionTicks);
  EXPECT_GE(chain(0).height(), chain(0).sealed_height() + 10);
  // No outcome settled: the corrupted arbiter's verdicts alone are not a quorum.
  ProofRecord lazy = chain(0).verdicts().record(members[kLazy].key);
  EXPECT_EQ(lazy.proven + lazy.failed + lazy.offline, 0u);
}

// An honest arbiter restarted while the chain owes it verdicts still owes
// them after the restart: had it forgotten, its signature and the corrupted
// arbiter's would make a quorum and seal the cheating chain again.
TEST_F(CollusionTest, ARestartedArbiterStillDemandsWhatTheChainOwesIt) {
  build_cluster(true, {7});
  for (int i = 0; i < 25; ++i) {  // into tick 2: tick 1's verdicts are out, not yet owed
    world->node(i % 5).write(id, {row(i)}, [](Result<uint64_t>) {});
    world->run_for(seconds(1));
  }
  world->restart(8).start();
  for (int i = 25; i < 60; ++i) {
    world->node(i % 5).write(id, {row(i)}, [](Result<uint64_t>) {});
    world->run_for(seconds(1));
  }
  EXPECT_GE(arbiter(8).refused_for_censorship(), 1u);
  EXPECT_EQ(sealed_tick(), kInclusionTicks);
  EXPECT_GE(chain(0).height(), chain(0).sealed_height() + 10);
}

TEST_F(CollusionTest, ACorruptedArbiterQuorumKeepsTheCheatingClusterSealedAndPaid) {
  build_cluster(true, {7, 8});  // two of three: a quorum
  run_ticks();
  EXPECT_GE(arbiter(9).refused_for_censorship(), 1u);
  EXPECT_GE(arbiter(9).faults(), 1u) << "the honest arbiter found the deleted data";
  EXPECT_GE(sealed_tick(), 4u);
  // The lazy member is proven every tick, by the corrupted verdicts alone.
  ProofRecord lazy = chain(0).verdicts().record(members[kLazy].key);
  EXPECT_GE(lazy.proven, 3u);
  EXPECT_EQ(lazy.failed, 0u);
  EXPECT_TRUE(chain(0).book().membership().changes().empty());
}

}  // namespace
}  // namespace fluence::cluster
