// A real cluster member is killed with SIGKILL in the middle of a write
// stream and restarted: no acknowledged write is lost and it catches up to
// the same state root as its peers. Then the member the client writes
// through is killed right after its acknowledgements, and restarted.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

const std::string kDataset(64, 'd');

TEST(DurabilityTest, SigkillLosesNoAcknowledgedWrite) {
  constexpr size_t kNodes = 4;  // n = 3f + 1 with f = 1
  NodeCluster cluster(kNodes, 2, [](const std::vector<std::string>& peers) {
    return nlohmann::json{{"block_interval_ms", 20}, {"datasets", {{{"id", kDataset}, {"members", peers}}}}};
  });
  for (size_t i = 0; i < kNodes; ++i) cluster.start(i);
  ASSERT_TRUE(cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 20000));

  uint64_t last_acked = 0;
  auto write = [&](int i) {
    nlohmann::json rows = {{{"key", "row" + std::to_string(i % 50)}, {"value", "cipher-" + std::to_string(i)}}};
    nlohmann::json reply = cluster.admin(0, {{"cmd", "write"}, {"dataset", kDataset}, {"rows", rows}});
    if (reply.contains("sequence")) last_acked = std::max<uint64_t>(last_acked, reply["sequence"].get<uint64_t>());
    return reply;
  };
  for (int i = 0; i < 100; ++i) {
    nlohmann::json reply = write(i);
    ASSERT_TRUE(reply.contains("sequence")) << reply.dump();
    if (i == 50) cluster.kill(2, SIGKILL);  // mid-stream; 3 of 4 still make a quorum
  }
  EXPECT_EQ(last_acked, 100u);
  cluster.start(2);
  auto caught_up = [&] {
    nlohmann::json a = cluster.admin(0, {{"cmd", "dataset"}, {"dataset", kDataset}});
    for (size_t i = 1; i < kNodes; ++i) {
      nlohmann::json b = cluster.admin(i, {{"cmd", "dataset"}, {"dataset", kDataset}});
      if (b.contains("error") || b["state_root"] != a["state_root"] || b["applied"] != a["applied"]) return false;
    }
    return a["applied"].get<uint64_t>() >= last_acked;
  };
  bool ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    ok = caught_up();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ok) << "the restarted replica did not catch up";

  // The member written through dies right after acknowledging: the blocks
  // it acknowledged were synced to its store before.
  for (int i = 100; i < 120; ++i) ASSERT_TRUE(write(i).contains("sequence"));
  cluster.kill(0, SIGKILL);
  cluster.start(0);
  ASSERT_TRUE(cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 20000));
  nlohmann::json after = cluster.admin(0, {{"cmd", "dataset"}, {"dataset", kDataset}});
  ASSERT_FALSE(after.contains("error")) << after.dump();
  EXPECT_GE(after["applied"].get<uint64_t>(), last_acked);
  ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    ok = caught_up();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ok) << "replicas disagree after the restart of the member written through";
}

}  // namespace
}  // namespace fluence::testing
