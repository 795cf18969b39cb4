// The encrypted store's "ore" indexes: range queries the nodes answer by
// comparing ORE ciphertexts (encrypted_store_ore.cc), checked against the
// in-memory store, with the round trips that show the index was used.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "runtime/gateway/encrypted_rows.h"
#include "runtime/gateway/encrypted_store.h"
#include "tests/runtime/gateway/memory_store.h"
#include "tests/runtime/gateway/store_test_helpers.h"

namespace fluence::gateway {
namespace {

using namespace testing;

const Namespace kNs{"app", "scores"};

// Datasets over MemoryRowSources, each seen through a CountingRowSource.
struct World {
  explicit World(std::vector<uint64_t> allocation_bytes = {kUnlimitedAllocationBytes, kUnlimitedAllocationBytes})
      : allocations(std::move(allocation_bytes)), sources(allocations.size()) {
    for (size_t i = 0; i < sources.size(); ++i) {
      EXPECT_TRUE(keys.create(dataset_id(static_cast<uint8_t>(i + 1)), random));
      counters.emplace_back(sources[i]);
    }
  }
  std::unique_ptr<EncryptedStore> open() {
    std::vector<DatasetRows> rows;
    for (size_t i = 0; i < sources.size(); ++i) {
      rows.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &counters[i], allocations[i], "c" + std::to_string(i)});
    }
    Result<std::unique_ptr<EncryptedStore>> store =
        EncryptedStore::open(rows, keys, random, [] { return Status::ok(); }, {.bucket_entries = 8});
    EXPECT_TRUE(store) << store.status().to_string();
    return store ? std::move(*store) : nullptr;
  }
  size_t ore_rows(size_t dataset) const {
    return static_cast<size_t>(std::count_if(sources[dataset].rows().begin(), sources[dataset].rows().end(),
                                             [](const auto& row) { return row.first.front() == kOreIndexTag; }));
  }
  client::RoundTrips total_counts() const {
    client::RoundTrips total;
    for (const client::CountingRowSource& c : counters) {
      total.gets += c.counts().gets;
      total.scans += c.counts().scans;
    }
    return total;
  }
  void reset_counts() {
    for (client::CountingRowSource& c : counters) c.reset();
  }

  std::vector<uint64_t> allocations;
  env::DeterministicRandom random{11};
  client::KeyStore keys;
  std::vector<client::MemoryRowSource> sources;
  std::deque<client::CountingRowSource> counters;  // deque: they point into `sources`, and do not move
};

const char* const kDocuments[] = {
    R"({"_id": 1, "score": 10})",
    R"({"_id": 2, "score": 25.5})",
    R"({"_id": 3, "score": {"$numberLong": "40"}})",
    R"({"_id": 4, "score": -7})",
    R"({"_id": 5, "score": "high"})",
    R"({"_id": 6})",
    R"({"_id": 7, "score": [3, 55]})",
    R"({"_id": 8, "score": {"$numberDouble": "NaN"}})",
    R"({"_id": 9, "score": {"$numberLong": "9007199254740993"}})",
    R"({"_id": 10, "score": 40.0})",
    R"({"_id": 11, "score": {"$date": 40}})",
    R"({"_id": 12, "score": 0})",
};

class OreIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = world_.open();
    ASSERT_NE(store_, nullptr);
    for (DocumentStore* store : stores()) {
      ASSERT_TRUE(store->create_index(kNs, index_of(R"({"key": {"score": "ore"}, "name": "score_ore"})")));
      for (const char* json : kDocuments) ASSERT_TRUE(store->insert(kNs, J(json))) << json;
    }
  }
  std::vector<DocumentStore*> stores() { return {&memory_, store_.get()}; }

  // Same documents as the memory store; returns how many.
  size_t expect_same(const std::string& filter, const std::string& sort = "{}") {
    Result<std::vector<Document>> expected = memory_.find(kNs, query_of(filter, sort));
    Result<std::vector<Document>> got = store_->find(kNs, query_of(filter, sort));
    EXPECT_TRUE(expected);
    EXPECT_TRUE(got) << filter << ": " << (got ? "" : got.status().to_string());
    if (!expected || !got) return 0;
    EXPECT_EQ(sorted_json(*got), sorted_json(*expected)) << filter;
    Result<uint64_t> n = store_->count(kNs, query_of(filter).filter);
    EXPECT_TRUE(n);
    EXPECT_EQ(n ? *n : 0, expected->size()) << filter;
    return expected->size();
  }

  World world_;
  testing::MemoryStore memory_;
  std::unique_ptr<EncryptedStore> store_;
};

TEST_F(OreIndex, RangeQueriesAgreeWithMongoDBSemantics) {
  for (const char* filter : {
           R"({"score": 40})", R"({"score": {"$gt": 10}})", R"({"score": {"$gte": 10, "$lt": 40}})",
           R"({"score": {"$lte": 0}})", R"({"score": {"$gt": 100}})", R"({"score": {"$in": [25.5, 3, 99]}})",
           R"({"score": {"$gt": 50, "$lt": 5}})",  // an array matches each bound with another element
           R"({"score": {"$numberLong": "9007199254740993"}})", R"({"score": {"$gt": 9007199254740992.0}})",
           R"({"score": {"$gt": 5}, "_id": {"$ne": 3}})",
           // Not for the ore index: fall back to the primary index.
           R"({"score": "high"})", R"({"score": {"$gt": "a"}})", R"({"score": null})",
           R"({"score": {"$numberDouble": "NaN"}})", R"({"score": {"$ne": 40}})", R"({"score": {"$in": [40, "high"]}})",
       }) {
    expect_same(filter);
  }
  expect_same(R"({"score": {"$gte": 0}})", R"({"score": -1, "_id": 1})");
}

TEST_F(OreIndex, TheNodesFindTheCandidatesInOneRoundTrip) {
  world_.reset_counts();
  size_t matches = expect_same(R"({"score": {"$gte": 10, "$lte": 40}})");  // 1, 2, 3, 10; 7 by its 55 and its 3
  ASSERT_EQ(matches, 5u);
  client::RoundTrips counts = world_.total_counts();
  // find and count: each one scan, then one get per candidate document, and
  // no bucket of any tree. Document 7's array made the index multikey, so
  // only the first bound goes to the nodes (an array may satisfy each bound
  // with another element): [10, inf) holds 6 documents, 9 among them.
  EXPECT_EQ(counts.scans, 2u);
  EXPECT_EQ(counts.gets, 2 * 6u);
}

TEST_F(OreIndex, EntriesFollowReplacesAndRemovesAndDrop) {
  // One entry per distinct number: 1, 2, 3, 4, 7 (two), 8 (NaN), 9, 10, 12.
  EXPECT_EQ(world_.ore_rows(0), 10u);
  for (DocumentStore* store : stores()) {
    ASSERT_TRUE(store->replace(kNs, value_of("1"), J(R"({"_id": 1, "score": 70})")));
  }
  EXPECT_EQ(world_.ore_rows(0), 10u) << "the old entry is collected once the new state is committed";
  expect_same(R"({"score": 10})");
  expect_same(R"({"score": {"$gt": 60}})");
  for (DocumentStore* store : stores()) ASSERT_TRUE(store->remove(kNs, value_of("4")));
  EXPECT_EQ(world_.ore_rows(0), 9u);
  expect_same(R"({"score": {"$lt": 0}})");
  ASSERT_TRUE(store_->drop(kNs));
  EXPECT_EQ(world_.ore_rows(0), 0u);
}

TEST_F(OreIndex, AnIndexMadeAfterTheDocumentsCoversThem) {
  ASSERT_TRUE(store_->create_index(kNs, index_of(R"({"key": {"rank": "ore"}, "name": "rank_ore"})")));
  for (DocumentStore* store : stores()) ASSERT_TRUE(store->insert(kNs, J(R"({"_id": 20, "rank": 3, "score": 1})")));
  Document doc = J(R"({"_id": 21, "rank": 8})");
  ASSERT_TRUE(memory_.insert(kNs, doc));
  ASSERT_TRUE(store_->insert(kNs, doc));
  world_.reset_counts();
  EXPECT_EQ(expect_same(R"({"rank": {"$gt": 2, "$lt": 5}})"), 1u);
  EXPECT_EQ(world_.total_counts().scans, 2u);
  EXPECT_EQ(world_.total_counts().gets, 2u) << "no arrays: both bounds go to the nodes, one candidate";
}

TEST_F(OreIndex, AnAlteredEntryFailsTheQueryInsteadOfAnsweringWrongly) {
  for (auto& [key, value] : world_.sources[0].rows()) {
    if (key.front() == kOreIndexTag) value.back() ^= 1;  // the document hash the entry carries
  }
  Result<std::vector<Document>> got = store_->find(kNs, query_of(R"({"score": {"$gt": 0}})"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), ErrorCode::kAuthentication);
}

TEST(OreIndexSharded, QueriesSpanEveryShard) {
  World world({9'000, 9'000, 9'000});
  std::unique_ptr<EncryptedStore> store = world.open();
  testing::MemoryStore memory;
  for (DocumentStore* s : std::vector<DocumentStore*>{&memory, store.get()}) {
    ASSERT_TRUE(s->create_index(kNs, index_of(R"({"key": {"score": "ore"}, "name": "score_ore"})")));
    for (int i = 0; i < 12; ++i) {
      std::string json = R"({"_id": )" + std::to_string(i) + R"(, "score": )" + std::to_string((i * 37) % 100) +
                         R"(, "pad": ")" + std::string(200, 'x') + R"("})";
      ASSERT_TRUE(s->insert(kNs, J(json))) << i;
    }
  }
  ASSERT_GE(store->shards_of(kNs).size(), 2u);
  for (const char* filter : {R"({"score": {"$gte": 30, "$lt": 80}})", R"({"score": {"$in": [0, 74, 99]}})"}) {
    Result<std::vector<Document>> expected = memory.find(kNs, query_of(filter));
    Result<std::vector<Document>> got = store->find(kNs, query_of(filter));
    ASSERT_TRUE(got) << got.status().to_string();
    EXPECT_EQ(sorted_json(*got), sorted_json(*expected)) << filter;
    EXPECT_FALSE(expected->empty());
  }
}

}  // namespace
}  // namespace fluence::gateway
