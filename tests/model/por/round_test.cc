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

}  // namespace
}  // namespace fluence::por
