// A 7-member cluster and its 3 arbiters, each a fluence-node process on
// 127.0.0.1: writes commit in blocks the arbiters seal, and keep committing
// while 2 members are killed with SIGKILL (n = 7 tolerates f = 2); the killed
// members restart from their stores and catch up to the same state.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

const std::string kDataset(64, 'c');
constexpr size_t kMembers = 7;
constexpr size_t kArbiters = 3;

TEST(ClusterTest, SevenMembersCommitAndSurviveTwoKills) {
  NodeCluster cluster(kMembers + kArbiters, 2, [](const std::vector<std::string>& peers) {
    nlohmann::json config = one_dataset(peers, kDataset, kMembers);
    // Short ticks, so the arbiters' proofs of retrievability run during the test.
    config.update({{"block_interval_ms", 100}, {"tick_seconds", 5}, {"max_clock_skew_seconds", 1}});
    return config;
  });
  for (size_t i = 0; i < cluster.size(); ++i) cluster.start(i);
  ASSERT_TRUE(cluster.wait_until([](size_t, const nlohmann::json&) { return true; }, 20000));

  std::set<uint64_t> acked;
  auto write = [&](size_t via, int i) {
    nlohmann::json rows = {{{"key", "row" + std::to_string(i % 40)}, {"value", "cipher-" + std::to_string(i)}}};
    nlohmann::json reply = cluster.admin(via, {{"cmd", "write"}, {"dataset", kDataset}, {"rows", rows}}, 20000);
    if (reply.contains("sequence")) {
      EXPECT_TRUE(acked.insert(reply["sequence"].get<uint64_t>()).second);
    }
    return reply;
  };
  for (int i = 0; i < 90; ++i) {
    if (i == 30) cluster.kill(5, SIGKILL);
    if (i == 45) cluster.kill(6, SIGKILL);
    size_t via = static_cast<size_t>(i) % 5;  // members 0..4 stay up
    nlohmann::json reply = write(via, i);
    ASSERT_TRUE(reply.contains("sequence")) << "write " << i << " via member " << via << ": " << reply.dump();
  }
  EXPECT_EQ(acked.size(), 90u);
  EXPECT_EQ(*acked.rbegin(), 90u) << "sequences are dense: each write committed once";

  auto status = [&](size_t i) { return cluster.admin(i, {{"cmd", "dataset"}, {"dataset", kDataset}}); };
  // The arbiters seal the blocks the five live members committed.
  uint64_t written_by = status(0)["height"].get<uint64_t>();
  bool sealed = false;
  for (int t = 0; t < 150 && !sealed; ++t) {
    nlohmann::json s = status(0);
    sealed = !s.contains("error") && s["sealed"].get<uint64_t>() >= written_by;
    if (!sealed) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(sealed) << "blocks up to " << written_by << " not sealed: " << status(0).dump();

  cluster.start(5);
  cluster.start(6);
  auto agree = [&] {
    nlohmann::json a = status(0);
    if (a.contains("error") || a["applied"].get<uint64_t>() < 90) return false;
    for (size_t i = 1; i < kMembers; ++i) {
      nlohmann::json b = status(i);
      if (b.contains("error") || b["state_root"] != a["state_root"] || b["applied"] != a["applied"]) return false;
    }
    return true;
  };
  bool ok = false;
  for (int t = 0; t < 150 && !ok; ++t) {
    ok = agree();
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ok) << "the restarted members did not catch up: " << status(5).dump() << " vs " << status(0).dump();
  // And the restarted members take writes again.
  EXPECT_TRUE(write(5, 1000).contains("sequence"));
  EXPECT_TRUE(write(6, 1001).contains("sequence"));
  // A read signed by every member (the strongest integrity a client can ask).
  nlohmann::json read;
  for (int t = 0; t < 50; ++t) {  // a member may be a block behind for a moment
    read = cluster.admin(2, {{"cmd", "read"}, {"dataset", kDataset}, {"key", "row1"}, {"signatures", kMembers}});
    if (read.contains("value")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(read.contains("value")) << read.dump();
  EXPECT_EQ(read["value"], "cipher-1001");  // the last write to row1 (1001 % 40 == 1)
  EXPECT_EQ(read["signed_by"].size(), kMembers);

  // Every tick each arbiter challenged every member; the verdicts settled on
  // chain. Member 0 was up throughout, so none of its ticks failed.
  for (size_t a = kMembers; a < kMembers + kArbiters; ++a) {
    nlohmann::json s = status(a);
    ASSERT_EQ(s.value("role", ""), "arbiter") << s.dump();
    EXPECT_GE(s["por_rounds"].get<uint64_t>(), 3u) << s.dump();
  }
  nlohmann::json proofs = status(0)["proofs"];
  EXPECT_GE(proofs["proven"].get<uint64_t>(), 3u) << proofs.dump();
  EXPECT_EQ(proofs["failed"].get<uint64_t>(), 0u) << proofs.dump();
}

}  // namespace
}  // namespace fluence::testing
