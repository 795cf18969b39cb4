// A captured cluster replaced by its arbiters (model/cluster/capture.h): the
// whole cluster colludes and censors its honest arbiters, who certify it
// captured outside the chain, recruit the first ranked arbiters as the new
// members, and go on from the last block they signed, with the data rebuilt
// from the old members' journals. Also the certificate's own rules.
#include "model/cluster/capture.h"

#include <gtest/gtest.h>

#include "model/adversary/collusion.h"
#include "model/cluster/arbiter.h"
#include "tests/model/support/test_world.h"

namespace fluence::cluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 7;

storage::Mutation row(const std::string& key, const std::string& value) {
  return {storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()), {}, {}};
}

class CaptureTest : public ::testing::Test {
 protected:
  // Ten-second ticks. The members collude when `colluding` and leave out
  // every arbiter not in `corrupted` (node indices).
  void build(bool colluding, const std::set<size_t>& corrupted, uint64_t halt_ticks = 0) {
    world = std::make_unique<testing::TestWorld>(5);
    node::HostedDataset hosted{id, {}, {}};
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      consensus::Validator v{"t" + std::to_string(i), world->identity(i, 0).key.public_key()};
      (i < kMembers ? hosted.members : hosted.arbiters).push_back(v);
    }
    genesis = Roster{hosted.members, hosted.arbiters, 0};
    std::vector<crypto::PublicKey> honest;
    for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
      if (corrupted.count(a) == 0) honest.push_back(hosted.arbiters[a - kMembers].key);
    }
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      node::NodeConfig config;
      config.dht.puzzle_difficulty = 0;
      config.datasets = {hosted};
      config.cluster.block_interval = milliseconds(100);
      config.cluster.rules.tick_length = seconds(10);
      config.cluster.rules.max_clock_skew = seconds(1);
      config.cluster.rules.inclusion_ticks = 2;
      config.cluster.rules.halt_ticks = halt_ticks;
      config.cluster.write_timeout = seconds(20);
      config.cluster.por.chunks = 20;
      config.cluster.por.openings = 2;
      config.cluster.por.max_response_time = seconds(2);
      if (i < kMembers && colluding) config.cluster.member_conduct = adversary::colluding_member(honest);
      if (corrupted.count(i) != 0) config.cluster.arbiter_conduct = adversary::corrupted_arbiter();
      world->add_node(config).start();
    }
    world->run_for(seconds(1));
    std::vector<storage::Mutation> rows;
    for (int i = 0; i < 50; ++i) rows.push_back(row("bulk" + std::to_string(i), std::string(40, static_cast<char>('a' + i % 26))));
    world->node(0).write(id, std::move(rows), [&](Result<uint64_t> r) { bulk_written = r.is_ok(); });
    world->run_for(seconds(2));
    // The captors delete a tenth of their data, which their journals keep.
    for (size_t m = 0; m < kMembers; ++m) {
      storage::Dataset& d = *world->node(m).dataset(id);
      for (uint64_t e = 0; e < d.entry_count(); e += 10) ASSERT_TRUE(d.silently_forget(e).is_ok());
    }
  }

  size_t node_of(const crypto::PublicKey& key) const {
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      if (world->identity(i, 0).key.public_key() == key) return i;
    }
    ADD_FAILURE() << "no node has that key";
    return 0;
  }

  std::unique_ptr<testing::TestWorld> world;
  storage::DatasetId id{9, 9, 9};
  Roster genesis;
  bool bulk_written = false;
};

TEST_F(CaptureTest, HonestArbitersReplaceACapturedClusterAndItGoesOnWithTheData) {
  build(true, {kMembers});  // one corrupted arbiter of seven: no quorum
  ASSERT_TRUE(bulk_written);
  world->run_for(seconds(60));

  // Every honest arbiter refused the censoring chain at the same block, and
  // holds the same certificate about it.
  std::optional<CaptureCertificate> certificate;
  for (size_t a = kMembers + 1; a < kMembers + kArbiters; ++a) {
    const ChainArbiter* arbiter = world->node(a).arbiter(id);
    const std::optional<CaptureCertificate>* held = nullptr;
    if (arbiter != nullptr) held = &arbiter->capture();
    if (held != nullptr && held->has_value()) {
      if (!certificate) certificate = **held;
      EXPECT_EQ((*held)->height(), certificate->height()) << "arbiter " << a;
    }
  }
  ASSERT_TRUE(certificate.has_value()) << "no arbiter that still arbitrates holds a certificate";
  EXPECT_TRUE(verify_certificate(*certificate, id, genesis).is_ok());
  std::optional<Roster> next = replacement_roster(genesis, id, certificate->height());
  ASSERT_TRUE(next.has_value());
  ASSERT_EQ(next->members.size(), kMembers);
  ASSERT_EQ(next->arbiters.size(), kArbiters - kMembers);

  // The recruits rebuilt the replica to the certified block's state and run
  // the chain on from it; the corrupted arbiter, if ranked in, never joins.
  crypto::Hash256 certified_root{};
  for (const consensus::Validator& recruit : next->members) {
    size_t n = node_of(recruit.key);
    ClusterChain* chain = world->node(n).chain(id);
    if (n == kMembers) {
      EXPECT_EQ(chain, nullptr) << "the corrupted arbiter stays with the captors";
      continue;
    }
    ASSERT_NE(chain, nullptr) << "recruit " << n << " is not a member";
    EXPECT_TRUE(chain->takes_part());
    EXPECT_EQ(chain->roster().member_keys(), next->member_keys());
    Result<std::optional<chain::Block>> certified = chain->block(certificate->height());
    ASSERT_TRUE(certified && certified->has_value());
    EXPECT_EQ((*certified)->header.hash(), certificate->header_hash());
    certified_root = (*certified)->header.state_root;
    for (const consensus::Validator& old : genesis.members) EXPECT_TRUE(chain->book().membership().ejected(old.key));
  }

  // A write through a new member commits and is sealed by the arbiters left.
  size_t entry = node_of(next->members.front().key) == kMembers ? node_of(next->members[1].key) : node_of(next->members.front().key);
  std::optional<Result<uint64_t>> written;
  world->node(entry).write(id, {row("after", "capture")}, [&](Result<uint64_t> r) { written = r; });
  world->run_for(seconds(15));
  ASSERT_TRUE(written.has_value());
  ASSERT_TRUE(written->is_ok()) << written->status().to_string();
  ClusterChain& chain = *world->node(entry).chain(id);
  EXPECT_GT(chain.sealed_height(), certificate->height()) << "the new cluster's blocks are sealed";
  storage::Dataset& replica = *world->node(entry).dataset(id);
  EXPECT_GT(replica.entry_count(), 50u);
  // Every bulk row made it across the capture, though each captor forgot some.
  Result<std::optional<Bytes>> kept = replica.get_row(as_bytes(std::string_view("bulk30")));
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_NE(certified_root, crypto::Hash256{});
  // The old members' chain went on without the honest arbiters' seals.
  EXPECT_LE(world->node(0).chain(id)->sealed_height(), certificate->height());

  // Restarted, a recruit and an arbiter left over keep to the certificate
  // (both stored it), and the new cluster goes on.
  size_t leftover = node_of(next->arbiters.back().key);
  for (size_t n : {entry, leftover}) world->restart(n).start();
  world->run_for(seconds(2));
  ASSERT_NE(world->node(entry).chain(id), nullptr);
  EXPECT_EQ(world->node(entry).chain(id)->roster().member_keys(), next->member_keys());
  ASSERT_NE(world->node(leftover).arbiter(id), nullptr);
  EXPECT_EQ(world->node(leftover).arbiter(id)->book().roster().member_keys(), next->member_keys());
  uint64_t sealed = world->node(entry).chain(id)->sealed_height();
  written.reset();
  world->node(entry).write(id, {row("after", "restart")}, [&](Result<uint64_t> r) { written = r; });
  world->run_for(seconds(15));
  ASSERT_TRUE(written.has_value() && written->is_ok());
  EXPECT_GT(world->node(entry).chain(id)->sealed_height(), sealed);
}

// More than f members gone for good (a regulator's ban): the cluster makes
// no block, so after halt_ticks the arbiters vote it lost, and the recruits
// rebuild the data from the members still up.
TEST_F(CaptureTest, AClusterHaltedForGoodIsReplacedFromItsLiveMembers) {
  build(false, {}, 3);
  ASSERT_TRUE(bulk_written);
  world->run_for(seconds(5));
  world->crash(2);
  world->crash(3);  // two of four: more than f = 1
  world->run_for(seconds(70));
  std::optional<Roster> next;
  for (size_t a = kMembers; a < kMembers + kArbiters && !next; ++a) {
    const ChainArbiter* arbiter = world->node(a).arbiter(id);
    if (arbiter != nullptr && arbiter->capture()) next = replacement_roster(genesis, id, arbiter->capture()->height());
  }
  ASSERT_TRUE(next.has_value()) << "no arbiter left arbitrating holds a certificate";
  size_t entry = node_of(next->members.front().key);
  ClusterChain* chain = world->node(entry).chain(id);
  ASSERT_NE(chain, nullptr);
  EXPECT_TRUE(chain->book().membership().ejected(genesis.members[0].key)) << "the whole cluster is replaced";
  std::optional<Result<uint64_t>> written;
  world->node(entry).write(id, {row("after", "halt")}, [&](Result<uint64_t> r) { written = r; });
  world->run_for(seconds(15));
  ASSERT_TRUE(written.has_value() && written->is_ok());
  Result<std::optional<Bytes>> kept = world->node(entry).dataset(id)->get_row(as_bytes(std::string_view("bulk30")));
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_GT(chain->sealed_height(), chain->book().membership().changes().back().height);
}

TEST_F(CaptureTest, AHaltedClusterIsNotReplacedBeforeHaltTicks) {
  build(false, {}, 30);
  world->run_for(seconds(5));
  world->crash(2);
  world->crash(3);
  world->run_for(seconds(70));
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    ASSERT_NE(world->node(a).arbiter(id), nullptr);
    EXPECT_FALSE(world->node(a).arbiter(id)->capture().has_value());
  }
}

// An arbiter back from a stop longer than halt_ticks has not yet heard of
// the blocks it missed: it gives the chain halt_ticks from its restart.
TEST_F(CaptureTest, AnArbiterBackFromALongStopDoesNotCallALiveClusterHalted) {
  build(false, {}, 3);
  world->run_for(seconds(5));
  world->crash(kMembers + 1);
  world->run_for(seconds(60));  // six ticks
  world->restart(kMembers + 1).start();
  world->run_for(seconds(2));
  const ChainArbiter* back = world->node(kMembers + 1).arbiter(id);
  ASSERT_NE(back, nullptr);
  EXPECT_FALSE(back->votes_lost());
  world->run_for(seconds(40));
  EXPECT_FALSE(back->votes_lost()) << "it caught up and the chain went on";
  EXPECT_GT(back->signed_height(), 0u);
}

TEST_F(CaptureTest, ACorruptedArbiterQuorumLeavesNoCertificate) {
  build(true, {kMembers, kMembers + 1, kMembers + 2, kMembers + 3});  // four of seven
  world->run_for(seconds(60));
  for (size_t a = kMembers + 4; a < kMembers + kArbiters; ++a) {
    const ChainArbiter* arbiter = world->node(a).arbiter(id);
    ASSERT_NE(arbiter, nullptr);
    EXPECT_GE(arbiter->refused_for_censorship(), 1u);
    EXPECT_FALSE(arbiter->capture().has_value()) << "arbiter " << a;
  }
  EXPECT_FALSE(world->node(0).chain(id)->book().membership().ejected(genesis.members[0].key));
}

TEST_F(CaptureTest, AnHonestClusterIsNeverCertified) {
  build(false, {});
  world->run_for(seconds(60));
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    const ChainArbiter* arbiter = world->node(a).arbiter(id);
    ASSERT_NE(arbiter, nullptr);
    EXPECT_EQ(arbiter->refused_for_censorship(), 0u);
    EXPECT_FALSE(arbiter->capture().has_value());
  }
}

class CertificateTest : public ::testing::Test {
 protected:
  CertificateTest() {
    for (int i = 0; i < 6; ++i) {
      crypto::Secret<crypto::kSeedBytes> seed;
      seed.data()[0] = static_cast<uint8_t>(i + 1);
      keys.push_back(crypto::SigningKey::from_seed(seed));
      (i < 2 ? roster.members : roster.arbiters).push_back({"n" + std::to_string(i), keys.back().public_key()});
    }
    header.dataset = dataset;
    header.height = 12;
  }
  CaptureVote vote(int signer) const { return CaptureVote::make(keys[signer], dataset, header); }

  storage::DatasetId dataset{4, 2};
  std::vector<crypto::SigningKey> keys;
  Roster roster;  // members 0-1, arbiters 2-5: a quorum is 3
  chain::BlockHeader header;
};

TEST_F(CertificateTest, AQuorumOfDistinctArbitersAboutOneBlockIsNeeded) {
  CaptureCertificate two{{vote(2), vote(3)}};
  EXPECT_NE(verify_certificate(two, dataset, roster).message().find("fewer than the arbiter quorum"), std::string::npos);
  CaptureCertificate three{{vote(2), vote(3), vote(4)}};
  EXPECT_TRUE(verify_certificate(three, dataset, roster).is_ok());
  CaptureCertificate twice{{vote(2), vote(3), vote(3)}};
  EXPECT_NE(verify_certificate(twice, dataset, roster).message().find("two votes by one arbiter"), std::string::npos);
  CaptureCertificate member{{vote(0), vote(2), vote(3)}};
  EXPECT_NE(verify_certificate(member, dataset, roster).message().find("not an arbiter"), std::string::npos);
  CaptureVote other = vote(4);
  other.height = 13;  // its signature no longer covers it, but the block differs first
  CaptureCertificate mixed{{vote(2), vote(3), other}};
  EXPECT_NE(verify_certificate(mixed, dataset, roster).message().find("different blocks"), std::string::npos);
  CaptureVote forged = vote(4);
  forged.arbiter = keys[5].public_key();
  CaptureCertificate bad{{vote(2), vote(3), forged}};
  EXPECT_NE(verify_certificate(bad, dataset, roster).message().find("bad signature"), std::string::npos);
}

TEST_F(CertificateTest, TheTallyCertifiesAtTheQuorumAndRoundTrips) {
  CaptureTally tally;
  EXPECT_FALSE(tally.add(vote(2), dataset, roster));
  EXPECT_FALSE(tally.add(vote(2), dataset, roster)) << "a vote heard twice counts once";
  EXPECT_FALSE(tally.add(vote(0), dataset, roster)) << "a member's vote does not count";
  std::optional<CaptureCertificate> certificate = tally.add(vote(3), dataset, roster);
  EXPECT_FALSE(certificate);
  certificate = tally.add(vote(5), dataset, roster);
  ASSERT_TRUE(certificate);
  EXPECT_EQ(certificate->votes.size(), 3u);
  EXPECT_TRUE(verify_certificate(*certificate, dataset, roster).is_ok());
  Result<CaptureCertificate> decoded = codec::decode<CaptureCertificate>(codec::encode(*certificate));
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, *certificate);
  Bytes truncated = codec::encode(*certificate);
  truncated.pop_back();
  EXPECT_FALSE(codec::decode<CaptureCertificate>(truncated).is_ok());
}

TEST_F(CertificateTest, TheNextRosterIsFixedByTheBlockAndNeedsArbitersLeftOver) {
  std::optional<Roster> next = replacement_roster(roster, dataset, 12);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->members.size(), 2u);
  EXPECT_EQ(next->arbiters.size(), 2u);
  for (const auto& m : next->members) EXPECT_TRUE(roster.is_arbiter(m.key));
  for (const auto& a : next->arbiters) EXPECT_FALSE(next->is_member(a.key));
  EXPECT_EQ(replacement_roster(roster, dataset, 12)->member_keys(), next->member_keys()) << "deterministic";
  // Another block ranks the arbiters afresh: over a few heights, not always the same pair.
  bool differs = false;
  for (uint64_t h = 13; h < 30 && !differs; ++h) differs = replacement_roster(roster, dataset, h)->member_keys() != next->member_keys();
  EXPECT_TRUE(differs);
  Roster small = roster;
  small.arbiters.resize(2);
  EXPECT_FALSE(replacement_roster(small, dataset, 12)) << "two arbiters cannot replace two members and still arbitrate";
}

}  // namespace
}  // namespace fluence::cluster
