// Journal replication between nodes hosting one dataset, in the test world.
#include "model/storage/replication.h"

#include <gtest/gtest.h>

#include "tests/model/support/test_world.h"

namespace fluence::storage {
namespace {

using std::chrono::seconds;

// Replication on its own, beside bare test-world nodes: each member opens
// the dataset in its node's store and routes kReplication messages to it.
class ReplicationTest : public ::testing::Test {
 protected:
  void build(size_t members, uint64_t keep_journal) {
    ReplicationConfig config;
    config.keep_journal_entries = keep_journal;
    config.sync_interval = seconds(2);
    for (size_t i = 0; i < members; ++i) config.members.push_back("t" + std::to_string(i));
    dht::DhtConfig dht;
    dht.puzzle_difficulty = 0;
    for (size_t i = 0; i < members; ++i) {
      node::Node& node = world.add_node(dht);
      node.start();
      replicas.push_back(std::make_unique<Dataset>(std::move(*Dataset::open(world.env(i).store(), id))));
      replications.push_back(std::make_unique<Replication>(world.env(i), node.rpc(), *replicas.back(), config));
      Replication* r = replications.back().get();
      node.rpc().set_handler(rpc::Protocol::kReplication,
                             [r](const env::Peer& from, rpc::Kind kind, ByteView body) { return r->on_message(from, kind, body); });
      r->start();
    }
    world.run_for(seconds(1));
  }

  Dataset& replica(size_t i) { return *replicas[i]; }

  // Submits n writes at the sequencer; returns how many were acknowledged.
  int write(int n, int first) {
    int acked = 0;
    for (int i = first; i < first + n; ++i) {
      std::string row = "row" + std::to_string(i % 13);
      std::string value = "v" + std::to_string(i);
      Mutation m{Mutation::Kind::kPutRow, Bytes(row.begin(), row.end()), Bytes(value.begin(), value.end()), {}, {}};
      replications[0]->submit({m}, [&](Result<uint64_t> r) { acked += r.is_ok() ? 1 : 0; });
      world.run_for(std::chrono::milliseconds(50));
    }
    world.run_for(seconds(3));
    return acked;
  }

  void expect_all_agree(size_t members) {
    for (size_t i = 1; i < members; ++i) {
      EXPECT_EQ(replica(i).applied_sequence(), replica(0).applied_sequence()) << "replica " << i;
      EXPECT_EQ(replica(i).state_root(), replica(0).state_root()) << "replica " << i;
    }
  }

  testing::TestWorld world{42};
  DatasetId id{1, 2, 3};
  std::vector<std::unique_ptr<Dataset>> replicas;
  std::vector<std::unique_ptr<Replication>> replications;
};

TEST_F(ReplicationTest, WritesReachEveryReplica) {
  build(4, 10000);
  EXPECT_EQ(write(60, 0), 60);
  expect_all_agree(4);
  EXPECT_EQ(replica(0).applied_sequence(), 60u);
}

TEST_F(ReplicationTest, OnlyTheSequencerTakesWrites) {
  build(3, 10000);
  std::optional<Status> result;
  replications[1]->submit({}, [&](Result<uint64_t> r) { result = r.status(); });
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
  EXPECT_EQ(replica(3).applied_sequence(), 20u);
  world.restore(3);
  replications[3]->start();  // its timers were lost
  world.run_for(seconds(20));
  expect_all_agree(4);
}

TEST_F(ReplicationTest, AReplicaBehindACompactedJournalTakesASnapshot) {
  build(4, 5);
  ASSERT_EQ(write(10, 0), 10);
  world.crash(3);
  ASSERT_EQ(write(50, 10), 50);
  world.run_for(seconds(5));  // let the others compact
  // Entries 11.. are gone from every journal, so only a snapshot can help.
  for (size_t i = 0; i < 3; ++i) EXPECT_GT(replica(i).first_journal_sequence(), 11u);
  world.restore(3);
  replications[3]->start();  // its timers were lost
  world.run_for(seconds(30));
  expect_all_agree(4);
}

TEST_F(ReplicationTest, ConvergesUnderMessageLoss) {
  build(5, 10000);
  world.set_loss(0.1);
  write(80, 0);
  world.set_loss(0);
  world.run_for(seconds(30));
  expect_all_agree(5);
  EXPECT_EQ(replica(0).applied_sequence(), 80u);
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
