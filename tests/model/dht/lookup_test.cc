// Lookup as pure logic: a synthetic network answers from global knowledge.
#include "model/dht/lookup.h"
#include "model/dht/routing_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

namespace fluence::dht {

void PrintTo(const NodeId& id, std::ostream* out) { *out << id.short_hex(); }

namespace {

struct Network {
  std::vector<Contact> nodes;
  std::map<NodeId, RoutingTable> tables;  // each node's own k-buckets (k = 8)
  Network(size_t n, uint64_t seed) {
    env::DeterministicRandom random(seed);
    for (size_t i = 0; i < n; ++i) {
      Contact c;
      c.id = random_id(random);
      c.address = "n" + std::to_string(i);
      nodes.push_back(c);
    }
    for (const Contact& self : nodes) {
      RoutingTable table(self.id, 8);
      // Offer everyone in a node-specific order; full buckets keep the first.
      size_t start = random.uniform(n);
      for (size_t i = 0; i < n; ++i) table.observe(nodes[(start + i) % n]);
      tables.emplace(self.id, std::move(table));
    }
  }
  std::vector<Contact> answer(const NodeId& from, const NodeId& target, size_t count) const {
    return tables.at(from).closest(target, count);
  }
  std::vector<NodeId> truth(const NodeId& target, size_t count, const NodeId& exclude) const {
    std::vector<NodeId> ids;
    for (const Contact& c : nodes) {
      if (c.id != exclude) ids.push_back(c.id);
    }
    std::sort(ids.begin(), ids.end(), [&](const NodeId& a, const NodeId& b) { return closer(target, a, b); });
    ids.resize(count);
    return ids;
  }
};

// Drives a lookup to the end; `dead` nodes never answer, `liars` answer with
// only far-away nodes.
void drive(Lookup& lookup, const Network& net, const LookupOptions& options,
           const std::set<NodeId>& dead = {}, const std::set<NodeId>& liars = {}) {
  for (int round = 0; round < 1000 && !lookup.finished(); ++round) {
    std::vector<Contact> queries = lookup.next_queries();
    ASSERT_FALSE(queries.empty()) << "a lookup that is not finished must have work";
    for (const Contact& to : queries) {
      LookupReply reply;
      if (!dead.count(to.id)) {
        reply.ok = true;
        if (liars.count(to.id)) {
          NodeId anti = options.target;
          for (auto& b : anti.bytes) b ^= 0xff;
          reply.closer = net.answer(to.id, anti, 20);
        } else {
          reply.closer = net.answer(to.id, options.target, 20);
        }
      }
      lookup.on_reply(to.id, reply);
    }
  }
  ASSERT_TRUE(lookup.finished());
}

std::vector<NodeId> ids_of(const std::vector<Contact>& contacts) {
  std::vector<NodeId> ids;
  for (const Contact& c : contacts) ids.push_back(c.id);
  return ids;
}

TEST(LookupTest, ConvergesOnTheTrueClosest) {
  Network net(1000, 1);
  env::DeterministicRandom random(2);
  for (int i = 0; i < 20; ++i) {
    const Contact& self = net.nodes[random.uniform(net.nodes.size())];
    LookupOptions options;
    options.target = random_id(random);
    options.count = 8;
    Lookup lookup(options, self.id, net.answer(self.id, options.target, 20));
    drive(lookup, net, options);
    EXPECT_EQ(ids_of(lookup.result()), net.truth(options.target, 8, self.id));
    EXPECT_GE(lookup.hops(), 1);
    EXPECT_LE(lookup.queries_sent(), static_cast<int>(16 * 8 * 3));
  }
}

TEST(LookupTest, PathsNeverShareANode) {
  Network net(500, 3);
  LookupOptions options;
  env::DeterministicRandom random(4);
  options.target = random_id(random);
  options.count = 5;
  options.paths = 3;
  const Contact& self = net.nodes[0];
  Lookup lookup(options, self.id, net.answer(self.id, options.target, 20));
  std::set<NodeId> queried;
  for (int round = 0; round < 1000 && !lookup.finished(); ++round) {
    for (const Contact& to : lookup.next_queries()) {
      EXPECT_TRUE(queried.insert(to.id).second) << "a node was queried twice";
      LookupReply reply{true, net.answer(to.id, options.target, 20), std::nullopt};
      lookup.on_reply(to.id, reply);
    }
  }
  EXPECT_TRUE(lookup.finished());
}

TEST(LookupTest, SurvivesDeadAndLyingNodes) {
  Network net(1000, 5);
  env::DeterministicRandom random(6);
  std::set<NodeId> dead, liars;
  for (size_t i = 1; i < net.nodes.size(); ++i) {
    if (i % 7 == 0) dead.insert(net.nodes[i].id);
    else if (i % 11 == 0) liars.insert(net.nodes[i].id);
  }
  int exact = 0;
  int failures = 0;
  for (int i = 0; i < 20; ++i) {
    LookupOptions options;
    options.target = random_id(random);
    options.count = 4;
    const Contact& self = net.nodes[0];
    Lookup lookup(options, self.id, net.answer(self.id, options.target, 20));
    drive(lookup, net, options, dead, liars);
    std::vector<NodeId> want;
    for (const NodeId& id : net.truth(options.target, 40, self.id)) {
      if (!dead.count(id) && want.size() < 4) want.push_back(id);
    }
    if (ids_of(lookup.result()) == want) ++exact;
    failures += lookup.failures();
  }
  EXPECT_GE(exact, 18);
  EXPECT_GT(failures, 0) << "dead nodes were never asked: the test proves nothing";
}

TEST(LookupTest, FindValueStopsAtTheRecord) {
  Network net(300, 7);
  crypto::Secret<32> seed;
  crypto::SigningKey key = crypto::SigningKey::from_seed(seed);
  Record record = Record::make(key, as_bytes("n"), as_bytes("v"), 3);
  LookupOptions options;
  options.target = record.key();
  options.find_value = true;
  const Contact& self = net.nodes[0];
  Lookup lookup(options, self.id, net.answer(self.id, options.target, 20));
  std::vector<Contact> first = lookup.next_queries();
  ASSERT_FALSE(first.empty());
  LookupReply with_record{true, {}, record};
  lookup.on_reply(first[0].id, with_record);
  EXPECT_TRUE(lookup.finished());
  ASSERT_TRUE(lookup.record().has_value());
  EXPECT_EQ(*lookup.record(), record);
}

TEST(LookupTest, NoSeedsFinishesEmpty) {
  LookupOptions options;
  Lookup lookup(options, NodeId{}, {});
  EXPECT_TRUE(lookup.finished());
  EXPECT_TRUE(lookup.result().empty());
  EXPECT_EQ(lookup.hops(), 0);
}

}  // namespace
}  // namespace fluence::dht
