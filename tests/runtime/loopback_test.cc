// At least 16 fluence-node processes on 127.0.0.1 join through node 0 and
// answer lookups; every answer is checked against the true closest set
// computed from all the nodes' ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "model/dht/node_id.h"
#include "model/env/random.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

dht::NodeId parse_id(const std::string& hex) { return dht::NodeId{*fixed_from_hex<32>(hex, "id")}; }

TEST(LoopbackTest, SixteenProcessesJoinAndAnswerLookupsCorrectly) {
  constexpr size_t kNodes = 16;
  constexpr size_t kCount = 4;  // small buckets and lookups, so routing is not trivial
  NodeCluster cluster(kNodes, 4, [](const std::vector<std::string>&) {
    return nlohmann::json{{"bucket_size", static_cast<int>(kCount)}};
  });
  cluster.start(0);
  ASSERT_TRUE(cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 20000)) << "node 0 did not start";
  for (size_t i = 1; i < kNodes; ++i) cluster.start(i);
  // 60 s: on a loaded 2-core machine 16 processes solving puzzles and
  // joining at once can take far longer than the second they take alone.
  bool joined = cluster.wait_until(
      [](size_t, const nlohmann::json& info) { return info["joined"].get<bool>() && info["contacts"].get<int>() >= 2; },
      60000);
  if (!joined) {
    std::string states;
    for (size_t i = 0; i < kNodes; ++i) states += "\n  node " + std::to_string(i) + ": " + cluster.admin(i, {{"cmd", "info"}}).dump();
    FAIL() << "not every node joined:" << states;
  }
  // Joined is not settled: nodes keep learning of each other from the
  // lookups of later joiners. The exact closest sets are checked once every
  // routing table has stopped growing.
  auto total_contacts = [&] {
    int total = 0;
    for (size_t i = 0; i < kNodes; ++i) total += cluster.admin(i, {{"cmd", "info"}})["contacts"].get<int>();
    return total;
  };
  // Stable for three seconds in a row: under load a table can pause for one.
  int settled = total_contacts();
  for (int round = 0, stable = 0; round < 60 && stable < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    int now = total_contacts();
    stable = now == settled ? stable + 1 : 0;
    settled = now;
  }

  std::vector<dht::NodeId> ids;
  for (size_t i = 0; i < kNodes; ++i) ids.push_back(parse_id(cluster.admin(i, {{"cmd", "info"}})["id"]));

  env::DeterministicRandom random(11);
  std::vector<dht::NodeId> targets = ids;
  for (int i = 0; i < 8; ++i) targets.push_back(dht::random_id(random));
  int checked = 0;
  for (size_t asker = 0; asker < kNodes; asker += 3) {
    for (const dht::NodeId& target : targets) {
      nlohmann::json reply = cluster.admin(asker, {{"cmd", "lookup"}, {"target", target.hex()}, {"count", kCount}});
      ASSERT_FALSE(reply.contains("error")) << reply.dump();
      std::vector<dht::NodeId> truth;
      for (size_t i = 0; i < kNodes; ++i) {
        if (i != asker) truth.push_back(ids[i]);  // a lookup never returns its own node
      }
      std::sort(truth.begin(), truth.end(), [&](const dht::NodeId& a, const dht::NodeId& b) { return dht::closer(target, a, b); });
      truth.resize(kCount);
      std::vector<dht::NodeId> got;
      for (const auto& c : reply["closest"]) got.push_back(parse_id(c["id"]));
      EXPECT_EQ(got, truth) << "asker " << asker << " target " << target.short_hex();
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6 * 24);
}

}  // namespace
}  // namespace fluence::testing
