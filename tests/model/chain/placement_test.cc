#include "model/chain/placement.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/model/support/test_world.h"

namespace fluence::chain {
namespace {

using std::chrono::seconds;

std::vector<dht::NodeId> nearest(testing::TestWorld& world, const dht::NodeId& target, size_t skip_node) {
  std::vector<dht::NodeId> ids;
  for (size_t i = 0; i < world.size(); ++i) {
    if (i != skip_node) ids.push_back(world.node(i).identity().id);
  }
  std::sort(ids.begin(), ids.end(), [&](const dht::NodeId& a, const dht::NodeId& b) { return dht::closer(target, a, b); });
  return ids;
}

TEST(PlacementTest, ClusterIsNearestTheDatasetAndArbitersNearestTheAnchor) {
  testing::TestWorld world(17);
  dht::DhtConfig config;
  config.puzzle_difficulty = 2;
  config.bucket_size = 8;
  for (int i = 0; i < 120; ++i) {
    world.add_node(config).start();
    world.run_for(seconds(1));
  }
  world.run_for(seconds(30));
  storage::DatasetId dataset{0x42, 7};
  crypto::Hash256 last_block{9};
  std::optional<Result<Placement>> got;
  const size_t asker = 5;
  find_placement(world.node(asker).dht(), dataset, 3, last_block, 7, 31, [&](Result<Placement> p) { got = std::move(p); });
  world.run_for(seconds(30));
  ASSERT_TRUE(got.has_value() && got->is_ok()) << (got ? got->status().to_string() : "no answer");
  std::vector<dht::NodeId> truth = nearest(world, dht::NodeId{dataset}, asker);
  ASSERT_EQ((*got)->cluster.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ((*got)->cluster[i].id, truth[i]) << i;
  ASSERT_EQ((*got)->arbiters.size(), 31u);
  std::vector<dht::NodeId> anchor_truth = nearest(world, arbiter_anchor(dataset, 3, last_block), asker);
  std::vector<dht::NodeId> expected;
  for (const dht::NodeId& id : anchor_truth) {
    if (std::find(truth.begin(), truth.begin() + 7, id) == truth.begin() + 7) expected.push_back(id);
    if (expected.size() == 31) break;
  }
  for (size_t i = 0; i < 31; ++i) EXPECT_EQ((*got)->arbiters[i].id, expected[i]) << i;
}

TEST(PlacementTest, AnchorRotatesWithEpochAndBlockAndArbitersExcludeTheCluster) {
  storage::DatasetId dataset{1};
  crypto::Hash256 block{2};
  EXPECT_NE(arbiter_anchor(dataset, 1, block), arbiter_anchor(dataset, 2, block));
  crypto::Hash256 other_block{3};
  EXPECT_NE(arbiter_anchor(dataset, 1, block), arbiter_anchor(dataset, 1, other_block));
  EXPECT_EQ(arbiter_anchor(dataset, 1, block), arbiter_anchor(dataset, 1, block));

  std::vector<dht::Contact> candidates(6), cluster(2);
  for (uint8_t i = 0; i < 6; ++i) candidates[i].id.bytes[0] = i;
  cluster[0].id.bytes[0] = 1;
  cluster[1].id.bytes[0] = 4;
  std::vector<dht::Contact> arbiters = select_arbiters(candidates, cluster, 3);
  ASSERT_EQ(arbiters.size(), 3u);
  EXPECT_EQ(arbiters[0].id.bytes[0], 0);
  EXPECT_EQ(arbiters[1].id.bytes[0], 2);
  EXPECT_EQ(arbiters[2].id.bytes[0], 3);
}

}  // namespace
}  // namespace fluence::chain
