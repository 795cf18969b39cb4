// Recovery mode's rebuild: a recruit fetches the journal from the members and
// takes only what the chain's digests and roots vouch for.
#include "model/cluster/recovery.h"

#include <gtest/gtest.h>

#include "model/cluster/messages.h"
#include "tests/model/support/test_world.h"

namespace fluence::cluster {
namespace {

using std::chrono::seconds;

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world = std::make_unique<testing::TestWorld>(11);
    node::NodeConfig config;
    config.dht.puzzle_difficulty = 0;
    for (int i = 0; i < 3; ++i) world->add_node(config).start();
    // The members' replica, written as the chain would have ordered it: 3
    // blocks of 10 writes, each header naming the state before its writes.
    Result<storage::Dataset> d = storage::Dataset::open(source_store, id);
    ASSERT_TRUE(d.is_ok());
    source.emplace(std::move(*d));
    for (uint64_t height = 1; height <= 3; ++height) {
      chain::Block block;
      block.header.dataset = id;
      block.header.height = height;
      block.header.journal_sequence = source->applied_sequence();
      block.header.state_root = source->state_root();
      block.header.entry_count = source->entry_count();
      for (int w = 0; w < 10; ++w) {
        std::string key = "row" + std::to_string(source->applied_sequence() % 13);
        storage::JournalEntry entry{source->applied_sequence() + 1,
                                    {{storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()),
                                      Bytes(8, static_cast<uint8_t>(height * 10 + w)), {}, {}}}};
        ASSERT_TRUE(source->apply(entry).is_ok());
        block.transactions.push_back({write_digest(entry)});
      }
      blocks.push_back(std::move(block));
    }
    for (size_t i = 0; i < 3; ++i) {
      members.push_back({world->node(i).contact().address, world->node(i).identity().key.public_key()});
    }
  }

  // Node `i` answers journal requests from the source replica, in batches
  // of at most 7, with `tamper` applied to each batch.
  void serve(size_t i, std::function<void(JournalBatch&)> tamper) {
    world->node(i).rpc().replace_handler(rpc::Protocol::kCluster, [this, tamper](const env::Peer&, rpc::Kind kind, ByteView body) {
      Result<ClusterMessage> request = codec::decode<ClusterMessage>(body);
      if (kind != rpc::Kind::kRequest || !request || request->type != ClusterMessage::Type::kJournalRequest) {
        return std::optional<Bytes>();
      }
      JournalBatch batch;
      for (uint64_t s = request->sequence; s <= source->applied_sequence() && batch.entries.size() < 7; ++s) {
        batch.entries.push_back(*source->journal_entry(s));
      }
      if (tamper) tamper(batch);
      return std::optional<Bytes>(codec::encode(batch));
    });
  }

  std::unique_ptr<testing::TestWorld> world;
  storage::DatasetId id{0x2e};
  env::MemoryStore source_store;
  std::optional<storage::Dataset> source;
  std::vector<chain::Block> blocks;
  std::vector<consensus::Validator> members;
};

TEST_F(RecoveryTest, RebuildsFromHonestMembersAndSkipsALiar) {
  // Member 1 changes a value in every batch; member 2 is honest.
  serve(1, [](JournalBatch& batch) {
    if (!batch.entries.empty()) batch.entries.back().mutations[0].value = Bytes{0xba, 0xd0};
  });
  serve(2, nullptr);
  Result<storage::Dataset> replica = storage::Dataset::open(world->env(0).store(), id);
  ASSERT_TRUE(replica.is_ok());
  Recovery recovery(world->env(0), world->node(0).rpc(), members[0].key, *replica, blocks, members, seconds(2));
  EXPECT_EQ(recovery.target_sequence(), 30u);
  std::optional<Status> done;
  recovery.run([&](Status s) { done = s; });
  world->run_for(seconds(30));
  ASSERT_TRUE(done.has_value()) << "never finished";
  EXPECT_TRUE(done->is_ok()) << done->to_string();
  EXPECT_EQ(replica->applied_sequence(), 30u);
  EXPECT_EQ(replica->state_root(), source->state_root());
  EXPECT_GE(recovery.rejected_batches(), 1u) << "the liar was never asked";
}

TEST_F(RecoveryTest, NothingUnvouchedIsEverApplied) {
  // Both members lie from entry 15 on: the replica stops at 14 and waits.
  auto lie_after_14 = [](JournalBatch& batch) {
    for (storage::JournalEntry& e : batch.entries) {
      if (e.sequence >= 15) e.mutations[0].row_key = Bytes{'x'};
    }
  };
  serve(1, lie_after_14);
  serve(2, lie_after_14);
  Result<storage::Dataset> replica = storage::Dataset::open(world->env(0).store(), id);
  ASSERT_TRUE(replica.is_ok());
  Recovery recovery(world->env(0), world->node(0).rpc(), members[0].key, *replica, blocks, members, seconds(2));
  std::optional<Status> done;
  recovery.run([&](Status s) { done = s; });
  world->run_for(seconds(30));
  EXPECT_FALSE(done.has_value()) << "it must keep trying, not give up or accept";
  EXPECT_EQ(replica->applied_sequence(), 14u);
  EXPECT_GE(recovery.rejected_batches(), 4u);
}

}  // namespace
}  // namespace fluence::cluster
