#include "model/por/round.h"

#include <gtest/gtest.h>

#include "tests/model/support/test_world.h"

namespace fluence::por {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RoundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node::NodeConfig config;
    config.dht.puzzle_difficulty = 0;
    node::HostedDataset hosted{id, {}, {}};  // node 3 challenges and holds nothing
    for (size_t i = 0; i < 3; ++i) hosted.members.push_back({"t" + std::to_string(i), world.identity(i, 0).key.public_key()});
    config.datasets = {hosted};
    storage::JournalEntry entry{1, {}};
    for (int i = 0; i < 500; ++i) {
      std::string key = "k" + std::to_string(i), value = "cipher" + std::to_string(i);
      entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()),
                                 Bytes(value.begin(), value.end()), {}, {}});
    }
    for (size_t i = 0; i < 4; ++i) {
      if (i == 3) config.datasets.clear();
      config.cluster.member_conduct = conduct(i);
      world.add_node(config).start();
    }
    for (size_t i = 0; i < 3; ++i) {
      datasets.push_back(world.node(i).dataset(id));
      ASSERT_NE(datasets.back(), nullptr);
      // Filled directly, as the chain would: this test is about the challenge.
      ASSERT_TRUE(datasets.back()->apply(entry).is_ok());
      members.push_back({world.node(i).contact().address, world.node(i).identity().key.public_key()});
    }
  }

  virtual cluster::MemberConduct conduct(size_t) const { return {}; }

  std::vector<PorVerdict> round(RoundConfig config, uint64_t tick) {
    Arbiter arbiter(world.env(3), world.node(3).rpc(), world.node(3).identity().key, config);
    std::vector<PorVerdict> verdicts;
    arbiter.run_round(id, tick, datasets[0]->state_root(), datasets[0]->entry_count(), members,
                      [&](std::vector<PorVerdict> v) { verdicts = std::move(v); });
    world.run_for(seconds(10));
    return verdicts;
  }

  testing::TestWorld world{9};
  storage::DatasetId id{4, 4};
  std::vector<storage::Dataset*> datasets;
  std::vector<Member> members;
};

TEST_F(RoundTest, HonestMembersPassAndVerdictsAreSigned) {
  std::vector<PorVerdict> verdicts = round({}, 1);
  ASSERT_EQ(verdicts.size(), 3u);
  for (size_t i = 0; i < verdicts.size(); ++i) {
    EXPECT_TRUE(verdicts[i].passed()) << i << ": " << fault_name(verdicts[i].fault);
    EXPECT_TRUE(verdicts[i].signature_valid());
    EXPECT_EQ(verdicts[i].node, members[i].key);
  }
}

TEST_F(RoundTest, AMemberThatDeletedDataIsCaught) {
  for (uint64_t i = 0; i < 500; i += 3) ASSERT_TRUE(datasets[1]->silently_forget(i).is_ok());
  std::vector<PorVerdict> verdicts = round({}, 2);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_TRUE(verdicts[0].passed());
  EXPECT_FALSE(verdicts[1].passed());
  EXPECT_TRUE(verdicts[2].passed());
}

TEST_F(RoundTest, SilenceAndSlownessAreLate) {
  world.crash(2);
  std::vector<PorVerdict> verdicts = round({}, 3);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[2].fault, Fault::kLate);
  EXPECT_TRUE(verdicts[0].passed());

  // The test world's one-way latency is 10 ms: a 15 ms deadline cannot be met.
  RoundConfig strict;
  strict.max_response_time = milliseconds(15);
  verdicts = round(strict, 4);
  for (const PorVerdict& v : verdicts) EXPECT_EQ(v.fault, Fault::kLate);
}

// Node 1 is lazy and colludes with node 2, which answers challenges for it.
class LazyFetchTest : public RoundTest {
 protected:
  cluster::MemberConduct conduct(size_t i) const override {
    cluster::MemberConduct c;
    if (i == 1) c.colludes_with = "t2";
    if (i == 2) c.colludes_with = "t1";
    return c;
  }
  // Whether the challenge the arbiter (node 3) makes for `tick` touches an
  // entry node 1 forgot; Ed25519 is deterministic, so this is its challenge.
  bool touches_forgotten(RoundConfig config, uint64_t tick) {
    PorChallenge challenge = PorChallenge::make(world.node(3).identity().key, id, tick, datasets[0]->state_root(),
                                                datasets[0]->entry_count(), config.chunks, config.openings);
    return prove(challenge, *datasets[1], world.node(1).identity().key).missing > 0;
  }
};

TEST_F(LazyFetchTest, WithAFastAccompliceTheLazyMemberPassesEveryChallenge) {
  for (uint64_t i = 0; i < 500; i += 3) ASSERT_TRUE(datasets[1]->silently_forget(i).is_ok());
  RoundConfig config;  // 5 s: time for the extra round trip to node 2
  int touched = 0;
  for (uint64_t tick = 1; tick <= 5; ++tick) {
    touched += touches_forgotten(config, tick);
    std::vector<PorVerdict> verdicts = round(config, tick);
    ASSERT_EQ(verdicts.size(), 3u);
    for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(verdicts[i].passed()) << tick << "/" << i << ": " << fault_name(verdicts[i].fault);
  }
  EXPECT_EQ(touched, 5) << "with c = 100 and a third forgotten, every challenge touches a forgotten entry";
}

TEST_F(LazyFetchTest, WithAnAccompliceSlowerThanTheDeadlineTouchedChallengesFail) {
  for (uint64_t i = 0; i < 500; i += 3) ASSERT_TRUE(datasets[1]->silently_forget(i).is_ok());
  // One-way latency is 10 ms: an honest answer takes 20 ms, a fetched one
  // 40 ms. A 30 ms deadline leaves the fetch no time.
  RoundConfig config;
  config.chunks = 2;
  config.openings = 1;
  config.max_response_time = milliseconds(30);
  int touched = 0, untouched = 0;
  for (uint64_t tick = 1; tick <= 16; ++tick) {
    bool touches = touches_forgotten(config, tick);
    (touches ? touched : untouched) += 1;
    std::vector<PorVerdict> verdicts = round(config, tick);
    ASSERT_EQ(verdicts.size(), 3u);
    EXPECT_TRUE(verdicts[0].passed());
    EXPECT_TRUE(verdicts[2].passed());
    EXPECT_EQ(verdicts[1].fault, touches ? Fault::kLate : Fault::kNone) << "tick " << tick;
  }
  // 1 - (2/3)^2 = 0.56 of the challenges touch a forgotten entry: both kinds occur.
  EXPECT_GT(touched, 0);
  EXPECT_GT(untouched, 0);
}

TEST_F(LazyFetchTest, HonestMembersDoNotAnswerFetchesAndNeitherDoesTheAccompliceForOthers) {
  PorChallenge challenge = PorChallenge::make(world.node(3).identity().key, id, 1, datasets[0]->state_root(),
                                              datasets[0]->entry_count(), 10, 2);
  Bytes fetch = codec::encode(PorFetch{challenge, world.node(3).identity().key.public_key()});
  std::map<std::string, bool> answered;
  for (std::string to : {"t0", "t2"}) {
    world.node(3).rpc().request(to, rpc::Protocol::kPor, fetch, seconds(1),
                                [&answered, to](Result<Bytes> body, const env::Peer&) { answered[to] = body.is_ok(); });
  }
  world.run_for(seconds(2));
  EXPECT_FALSE(answered["t0"]) << "an honest member answered for another node";
  EXPECT_FALSE(answered["t2"]) << "the accomplice answered someone other than its partner";
}

TEST(PorFetchTest, CodecRoundTripsAndRejectsTruncation) {
  crypto::SigningKey arbiter = crypto::SigningKey::from_seed(crypto::Secret<32>());
  PorFetch fetch{PorChallenge::make(arbiter, storage::DatasetId{1}, 3, crypto::Hash256{}, 10, 4, 2),
                 arbiter.public_key()};
  Bytes bytes = codec::encode(fetch);
  Result<PorFetch> back = codec::decode<PorFetch>(bytes);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, fetch);
  EXPECT_EQ(PorChallenge::peek_dataset(bytes), fetch.challenge.dataset);
  EXPECT_FALSE(codec::decode<PorChallenge>(bytes).is_ok()) << "a fetch must not pass for a challenge";
  EXPECT_FALSE(codec::decode<PorFetch>(codec::encode(fetch.challenge)).is_ok());
  bytes.pop_back();
  EXPECT_FALSE(codec::decode<PorFetch>(bytes).is_ok());
}

}  // namespace
}  // namespace fluence::por
