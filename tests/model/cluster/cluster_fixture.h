// A cluster chain in the test world: 7 members ordering writes with
// Tendermint, 3 arbiters sealing blocks and challenging the members.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "model/cluster/cluster_chain.h"
#include "model/economy/gateway.h"
#include "tests/model/support/test_world.h"

namespace fluence::cluster::testing_support {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ClusterFixture : public ::testing::Test {
 protected:
  static constexpr size_t kMembers = 7;
  static constexpr size_t kArbiters = 3;

  // `configure`, if given, adjusts each node's configuration (nodes 0 to 6
  // are the members, 7 to 9 the arbiters) before it starts.
  void build(uint64_t seed = 42, const economy::Gateway* gateway = nullptr,
             const std::function<void(size_t node, node::NodeConfig&)>& configure = {}) {
    world = std::make_unique<testing::TestWorld>(seed);
    node::HostedDataset hosted{id, {}, {}};
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      consensus::Validator v{"t" + std::to_string(i), world->identity(i, 0).key.public_key()};
      (i < kMembers ? hosted.members : hosted.arbiters).push_back(v);
    }
    members = hosted.members;
    arbiters = hosted.arbiters;
    node::NodeConfig config;
    config.dht.puzzle_difficulty = 0;
    config.datasets = {hosted};
    config.cluster.block_interval = milliseconds(100);
    config.cluster.rules.tick_length = hours(1);
    config.cluster.rules.max_clock_skew = seconds(60);
    config.cluster.write_timeout = seconds(20);
    config.cluster.gateway = gateway;
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      node::NodeConfig own = config;
      if (configure) configure(i, own);
      world->add_node(own).start();
    }
    world->run_for(seconds(1));
  }

  storage::Mutation row(int i) {
    std::string key = "row" + std::to_string(i % 17);
    std::string value = "value" + std::to_string(i);
    return {storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()), {}, {}};
  }

  // Submits n writes round-robin through the live members; returns how many
  // were acknowledged, and checks no sequence was acknowledged twice.
  int write(int n, int first, const std::set<size_t>& down = {}) {
    int acked = 0;
    size_t via = 0;
    for (int i = first; i < first + n; ++i) {
      while (down.count(via % kMembers)) ++via;
      world->node(via++ % kMembers).write(id, {row(i)}, [&](Result<uint64_t> r) {
        if (!r) return;
        ++acked;
        EXPECT_TRUE(sequences.insert(*r).second) << "sequence " << *r << " acknowledged twice";
      });
      world->run_for(milliseconds(20));
    }
    world->run_for(seconds(25));
    return acked;
  }

  ClusterChain& chain(size_t i) { return *world->node(i).chain(id); }

  void expect_replicas_agree(const std::set<size_t>& skip = {}) {
    const storage::Dataset& reference = *world->node(0).dataset(id);
    for (size_t i = 1; i < kMembers; ++i) {
      if (skip.count(i)) continue;
      EXPECT_EQ(world->node(i).dataset(id)->applied_sequence(), reference.applied_sequence()) << "member " << i;
      EXPECT_EQ(world->node(i).dataset(id)->state_root(), reference.state_root()) << "member " << i;
      EXPECT_EQ(chain(i).height(), chain(0).height()) << "member " << i;
    }
  }

  std::vector<crypto::PublicKey> keys(const std::vector<consensus::Validator>& list) {
    std::vector<crypto::PublicKey> out;
    for (const auto& v : list) out.push_back(v.key);
    return out;
  }

  std::unique_ptr<testing::TestWorld> world;
  storage::DatasetId id{7, 7, 7};
  std::vector<consensus::Validator> members, arbiters;
  std::set<uint64_t> sequences;
};

}  // namespace fluence::cluster::testing_support
