#include "model/dht/routing_table.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace fluence::dht {
namespace {

// Contacts with chosen ids: the table does not check puzzles, the DHT does.
Contact contact_with_id(const NodeId& id) {
  Contact c;
  c.id = id;
  c.address = "a" + id.short_hex();
  return c;
}

NodeId id_in_bucket(const NodeId& self, int bucket, uint64_t seed) {
  env::DeterministicRandom random(seed);
  return random_id_in_bucket(self, bucket, random);
}

TEST(RoutingTableTest, FullBucketKeepsOldContactsUntilEvicted) {
  env::DeterministicRandom random(1);
  NodeId self = random_id(random);
  RoutingTable table(self, 2);
  Contact a = contact_with_id(id_in_bucket(self, 0, 10));
  Contact b = contact_with_id(id_in_bucket(self, 0, 11));
  Contact c = contact_with_id(id_in_bucket(self, 0, 12));
  EXPECT_EQ(table.observe(a).outcome, RoutingTable::Outcome::kInserted);
  EXPECT_EQ(table.observe(b).outcome, RoutingTable::Outcome::kInserted);
  RoutingTable::ObserveResult full = table.observe(c);
  ASSERT_EQ(full.outcome, RoutingTable::Outcome::kBucketFull);
  EXPECT_EQ(full.oldest->id, a.id);
  EXPECT_FALSE(table.find(c.id).has_value());
  // a answered its ping: it stays and c does not get in.
  table.mark_alive(a.id);
  EXPECT_TRUE(table.find(a.id).has_value());
  EXPECT_FALSE(table.find(c.id).has_value());
  // Now b is the oldest; it fails, so the cached c replaces it.
  RoutingTable::ObserveResult again = table.observe(c);
  ASSERT_EQ(again.outcome, RoutingTable::Outcome::kBucketFull);
  EXPECT_EQ(again.oldest->id, b.id);
  table.evict(b.id);
  EXPECT_FALSE(table.find(b.id).has_value());
  EXPECT_TRUE(table.find(c.id).has_value());
  EXPECT_EQ(table.size(), 2u);
}

TEST(RoutingTableTest, ObservingSelfOrKnownContact) {
  env::DeterministicRandom random(2);
  NodeId self = random_id(random);
  RoutingTable table(self, 4);
  EXPECT_EQ(table.observe(contact_with_id(self)).outcome, RoutingTable::Outcome::kIgnoredSelf);
  Contact a = contact_with_id(id_in_bucket(self, 3, 1));
  EXPECT_EQ(table.observe(a).outcome, RoutingTable::Outcome::kInserted);
  a.address = "moved";
  EXPECT_EQ(table.observe(a).outcome, RoutingTable::Outcome::kRefreshed);
  EXPECT_EQ(table.find(a.id)->address, "moved");
  EXPECT_EQ(table.size(), 1u);
}

TEST(RoutingTableTest, ClosestIsSortedByXorDistance) {
  env::DeterministicRandom random(3);
  NodeId self = random_id(random);
  RoutingTable table(self, 20);
  std::vector<NodeId> ids;
  for (int i = 0; i < 200; ++i) {
    NodeId id = random_id(random);
    ids.push_back(id);
    table.observe(contact_with_id(id));
  }
  std::vector<Contact> all = table.all();
  NodeId target = random_id(random);
  std::vector<Contact> got = table.closest(target, 10);
  ASSERT_EQ(got.size(), 10u);
  std::sort(all.begin(), all.end(),
            [&](const Contact& a, const Contact& b) { return closer(target, a.id, b.id); });
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id, all[i].id) << i;
}

}  // namespace
}  // namespace fluence::dht
