#include "model/storage/replication.h"

#include <gtest/gtest.h>

#include "tests/model/support/test_world.h"

namespace fluence::storage {
namespace {

using std::chrono::seconds;

class ReplicationTest : public ::testing::Test {
 protected:
  void build(size_t members, uint64_t keep_journal) {
    dht::DhtConfig dht;
    dht.puzzle_difficulty = 0;
    ReplicationConfig config;
    for (size_t i = 0; i < members; ++i) config.members.push_back("t" + std::to_string(i));
    config.keep_journal_entries = keep_journal;
    config.sync_interval = seconds(2);
    for (size_t i = 0; i < members; ++i) {
      world.add_node(dht);
      datasets.push_back(std::make_unique<Dataset>(std::move(*Dataset::open(world.env(i).store(), id))));
      replicas.push_back(std::make_unique<Replication>(world.env(i), world.node(i).rpc(), *datasets[i], config));
      Replication* replica = replicas.back().get();
      world.node(i).rpc().set_handler(rpc::Protocol::kReplication,
                                      [replica](const env::Peer& from, rpc::Kind kind, ByteView body) {
                                        return replica->on_message(from, kind, body);
                                      });
      replica->start();
    }
  }

  // Submits n writes at the sequencer; returns how many were acknowledged.
  int write(int n, int first) {
    int acked = 0;
    for (int i = first; i < first + n; ++i) {
      std::string row = "row" + std::to_string(i % 13);
      std::string value = "v" + std::to_string(i);
      Mutation m{Mutation::Kind::kPutRow, Bytes(row.begin(), row.end()), Bytes(value.begin(), value.end()), {}, {}};
      replicas[0]->submit({m}, [&](Result<uint64_t> r) { acked += r.is_ok() ? 1 : 0; });
      world.run_for(std::chrono::milliseconds(50));
    }
    world.run_for(seconds(3));
    return acked;
  }

  void expect_all_agree() {
    for (size_t i = 1; i < datasets.size(); ++i) {
      EXPECT_EQ(datasets[i]->applied_sequence(), datasets[0]->applied_sequence()) << "replica " << i;
      EXPECT_EQ(datasets[i]->state_root(), datasets[0]->state_root()) << "replica " << i;
    }
  }

  testing::TestWorld world{42};
  DatasetId id{1, 2, 3};
  std::vector<std::unique_ptr<Dataset>> datasets;
  std::vector<std::unique_ptr<Replication>> replicas;
};

TEST_F(ReplicationTest, WritesReachEveryReplica) {
  build(4, 10000);
  EXPECT_EQ(write(60, 0), 60);
  expect_all_agree();
  EXPECT_EQ(datasets[0]->applied_sequence(), 60u);
}

TEST_F(ReplicationTest, OnlyTheSequencerTakesWrites) {
  build(3, 10000);
  std::optional<Status> result;
  replicas[1]->submit({}, [&](Result<uint64_t> r) { result = r.status(); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->code(), ErrorCode::kInvalidArgument);
}

TEST_F(ReplicationTest, NoMajorityNoAcknowledgement) {
  build(3, 10000);
  world.crash(1);
  world.crash(2);
  EXPECT_EQ(write(3, 0), 0) << "a write held by one of three members must not be acknowledged";
}

TEST_F(ReplicationTest, ACrashedReplicaCatchesUpFromTheJournal) {
  build(4, 10000);
  ASSERT_EQ(write(20, 0), 20);
  world.crash(3);
  ASSERT_EQ(write(40, 20), 40) << "three of four still make a majority";
  EXPECT_EQ(datasets[3]->applied_sequence(), 20u);
  world.restore(3);
  replicas[3]->start();
  world.run_for(seconds(20));
  expect_all_agree();
  EXPECT_EQ(replicas[3]->snapshots_installed(), 0u);
}

TEST_F(ReplicationTest, AReplicaBehindACompactedJournalTakesASnapshot) {
  build(4, 5);
  ASSERT_EQ(write(10, 0), 10);
  world.crash(3);
  ASSERT_EQ(write(50, 10), 50);
  world.run_for(seconds(5));  // let the others compact
  EXPECT_GT(datasets[0]->first_journal_sequence(), 11u);
  world.restore(3);
  replicas[3]->start();
  world.run_for(seconds(30));
  expect_all_agree();
  EXPECT_GE(replicas[3]->snapshots_installed(), 1u);
}

TEST_F(ReplicationTest, ConvergesUnderMessageLoss) {
  build(5, 10000);
  world.set_loss(0.1);
  write(80, 0);
  world.set_loss(0);
  world.run_for(seconds(30));
  expect_all_agree();
  EXPECT_EQ(datasets[0]->applied_sequence(), 80u);
}

TEST(ReplicationMessageTest, AppendMustCarryOneEntry) {
  ReplicationMessage m;
  m.type = ReplicationMessage::Type::kAppend;
  Result<ReplicationMessage> decoded = codec::decode<ReplicationMessage>(codec::encode(m));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("replication.entries"), std::string::npos);
}

}  // namespace
}  // namespace fluence::storage
