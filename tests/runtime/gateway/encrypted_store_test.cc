#include "runtime/gateway/encrypted_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/gateway/compare.h"
#include "runtime/gateway/key_encoding.h"
#include "tests/runtime/gateway/memory_store.h"
#include "tests/runtime/gateway/store_test_helpers.h"

namespace fluence::gateway {
namespace {

using namespace testing;

// A small world: datasets over MemoryRowSources, their keys, and a store.
struct World {
  explicit World(size_t datasets = 3) : sources(datasets) {
    for (size_t i = 0; i < datasets; ++i) EXPECT_TRUE(keys.create(dataset_id(static_cast<uint8_t>(i + 1)), random));
  }
  std::unique_ptr<EncryptedStore> open(EncryptedStoreOptions options = {}) {
    std::vector<DatasetRows> rows;
    for (size_t i = 0; i < sources.size(); ++i) rows.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &sources[i], kUnlimitedAllocationBytes, ""});
    Result<std::unique_ptr<EncryptedStore>> store = EncryptedStore::open(
        rows, keys, random,
        [this] {
          ++commits;
          return Status::ok();
        },
        options);
    EXPECT_TRUE(store) << store.status().to_string();
    return store ? std::move(*store) : nullptr;
  }
  env::DeterministicRandom random{7};
  client::KeyStore keys;
  std::vector<client::MemoryRowSource> sources;
  size_t commits = 0;
};

const Namespace kNs{"app", "items"};

// --- The order-preserving key encoding ---------------------------------------

TEST(KeyEncoding, OrdersAsMongoDBComparesAcrossTypes) {
  Document values = J(R"({"v": [
    {"$minKey": 1}, null, {"$numberDouble": "NaN"}, {"$numberDouble": "-Infinity"}, -1e300,
    {"$numberLong": "-9223372036854775808"}, {"$numberLong": "-9007199254740993"}, -9007199254740992.0,
    -2, -1.5, -1, {"$numberDouble": "-0.0"}, 0, 0.0, {"$numberLong": "0"}, 1e-300, 1, 1.0, {"$numberLong": "1"}, 1.5, 2,
    9007199254740992.0, {"$numberLong": "9007199254740993"}, 9007199254740994.0,
    {"$numberLong": "9223372036854775807"}, 9223372036854775808.0, 1e300, {"$numberDouble": "Infinity"},
    "", "\u0000", "a", "a\u0000", "a\u0000b", "a\u0001", "ab", "b", "\u00e9",
    {}, {"a": 1}, {"a": 1, "b": 2}, {"a": 2}, {"a": "x"}, {"b": 0},
    [], [1], [1, 2], [2], ["a"],
    {"$binary": {"base64": "", "subType": "00"}}, {"$binary": {"base64": "AA==", "subType": "00"}},
    {"$binary": {"base64": "AA==", "subType": "05"}}, {"$binary": {"base64": "AAE=", "subType": "00"}},
    {"$oid": "000000000000000000000000"}, {"$oid": "5f0000000000000000000001"}, {"$oid": "ffffffffffffffffffffffff"},
    false, true, {"$date": -1000}, {"$date": 0}, {"$date": 1000},
    {"$timestamp": {"t": 1, "i": 2}}, {"$timestamp": {"t": 2, "i": 1}},
    {"$regularExpression": {"pattern": "a", "options": ""}}, {"$regularExpression": {"pattern": "a", "options": "i"}},
    {"$maxKey": 1}]})");
  bson_iter_t it, array;
  ASSERT_TRUE(values.find("v", &it));
  ASSERT_TRUE(bson_iter_recurse(&it, &array));
  std::vector<HeldIter> all;
  while (bson_iter_next(&array)) all.push_back(HeldIter{array});
  ASSERT_GT(all.size(), 60u);
  for (const HeldIter& held_a : all) {
    const bson_iter_t& a = held_a.it;
    Result<Bytes> ka = key_encoding(&a);
    ASSERT_TRUE(ka) << ka.status().to_string();
    for (const HeldIter& held_b : all) {
      const bson_iter_t& b = held_b.it;
      Result<Bytes> kb = key_encoding(&b);
      ASSERT_TRUE(kb);
      int expected = compare_values(&a, &b);
      int got = *ka < *kb ? -1 : (*kb < *ka ? 1 : 0);
      ASSERT_EQ(got, expected < 0 ? -1 : (expected > 0 ? 1 : 0))
          << bson_iter_key(&a) << " vs " << bson_iter_key(&b);
      // Prefix-free: a key followed by anything stays on its side of another.
      if (got < 0) {
        Bytes extended = *ka;
        extended.push_back(0xFF);
        EXPECT_LT(extended, *kb) << bson_iter_key(&a) << " vs " << bson_iter_key(&b);
      }
    }
  }
}

TEST(KeyEncoding, RefusesDecimal128) {
  Document d = J(R"({"v": {"$numberDecimal": "1.5"}})");
  bson_iter_t it;
  ASSERT_TRUE(d.find("v", &it));
  Result<Bytes> key = key_encoding(&it);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
}

// --- The same cases against both stores --------------------------------------

const char* kDocuments[] = {
    R"({"_id": 1, "name": "ada", "age": 36, "tags": ["x", "y"], "address": {"city": "london"}})",
    R"({"_id": 2, "name": "bob", "age": 25.5, "tags": ["y"], "address": {"city": "paris"}})",
    R"({"_id": 3, "name": "cyd", "age": {"$numberLong": "41"}, "tags": [], "address": {"city": "london"}})",
    R"({"_id": 4, "name": "dee", "age": "unknown"})",
    R"({"_id": 5, "name": "eve", "age": null, "tags": ["z", "x"]})",
    R"({"_id": 6, "name": "fay", "age": [20, 50]})",
    R"({"_id": "seven", "name": "gus", "age": 30, "address": [{"city": "rome"}, {"city": "oslo"}]})",
    R"({"_id": {"$oid": "5f0000000000000000000001"}, "name": "hal", "age": 36.0})",
    R"({"_id": 9.5, "name": "ivy", "age": 19, "tags": "x"})",
    R"({"_id": 10, "name": "jon"})",
};

struct QueryCase {
  const char* filter;
  const char* sort;
  uint64_t skip;
  std::optional<uint64_t> limit;
};

// Sorts name a field whose values are distinct among the matches (or add
// _id), so that both stores' orders are fully determined.
const QueryCase kQueries[] = {
    {"{}", "{}", 0, {}},
    {R"({"_id": 3})", "{}", 0, {}},
    {R"({"_id": 3.0})", "{}", 0, {}},
    {R"({"_id": {"$gt": 2, "$lte": 9.5}})", "{}", 0, {}},
    {R"({"_id": {"$in": [1, "seven", 99, {"$oid": "5f0000000000000000000001"}]}})", "{}", 0, {}},
    {R"({"_id": {"$gte": "a"}})", "{}", 0, {}},
    {R"({"age": 36})", "{}", 0, {}},
    {R"({"age": {"$gt": 25, "$lt": 40}})", "{}", 0, {}},
    {R"({"age": {"$gte": 40}})", "{}", 0, {}},
    {R"({"age": {"$lt": 21}})", "{}", 0, {}},
    {R"({"age": {"$in": [19, 41, "unknown"]}})", "{}", 0, {}},
    {R"({"age": {"$gt": "a"}})", "{}", 0, {}},
    {R"({"age": null})", "{}", 0, {}},
    {R"({"age": {"$exists": false}})", "{}", 0, {}},
    {R"({"age": {"$ne": 36}})", "{}", 0, {}},
    {R"({"name": {"$gte": "c", "$lt": "g"}})", "{}", 0, {}},
    {R"({"name": "eve", "age": null})", "{}", 0, {}},
    {R"({"tags": "x"})", "{}", 0, {}},
    {R"({"tags": {"$gt": "x"}})", "{}", 0, {}},
    {R"({"address.city": "london"})", "{}", 0, {}},
    {R"({"address.city": {"$gte": "o"}})", "{}", 0, {}},
    {R"({"$or": [{"age": 19}, {"name": "bob"}]})", "{}", 0, {}},
    {"{}", R"({"name": 1})", 0, {}},
    {"{}", R"({"name": -1})", 2, 3},
    {"{}", R"({"age": 1, "_id": 1})", 0, {}},
    {"{}", R"({"age": -1, "_id": 1})", 0, {}},
    {R"({"age": {"$gte": 20}})", R"({"name": 1})", 1, 2},
    {R"({"name": {"$gt": "b"}})", R"({"name": -1})", 0, 4},
    {R"({"_id": {"$lt": 100}})", R"({"_id": -1})", 0, {}},
    {R"({"tags": {"$gte": "a"}})", R"({"tags": 1, "_id": 1})", 0, {}},
};

class BothStores : public ::testing::Test {
 protected:
  void SetUp() override {
    encrypted_ = world_.open();
    ASSERT_NE(encrypted_, nullptr);
    for (DocumentStore* store : stores()) {
      for (const char* json : {R"({"key": {"age": 1}, "name": "age_1"})", R"({"key": {"name": 1}, "name": "name_1"})",
                               R"({"key": {"tags": 1}, "name": "tags_1"})",
                               R"({"key": {"address.city": 1}, "name": "city_1"})"}) {
        Result<bool> made = store->create_index(kNs, index_of(json));
        ASSERT_TRUE(made && *made);
      }
      for (const char* json : kDocuments) {
        Result<DocumentStore::InsertOutcome> outcome = store->insert(kNs, J(json));
        ASSERT_TRUE(outcome) << outcome.status().to_string();
        ASSERT_EQ(*outcome, DocumentStore::InsertOutcome::kInserted) << json;
      }
    }
  }
  std::vector<DocumentStore*> stores() { return {&memory_, encrypted_.get()}; }

  // Same documents; in the same order when the query sorts.
  void expect_same(const QueryCase& c) {
    FindQuery query = query_of(c.filter, c.sort, c.skip, c.limit);
    Result<std::vector<Document>> expected = memory_.find(kNs, query);
    Result<std::vector<Document>> got = encrypted_->find(kNs, query);
    ASSERT_TRUE(expected);
    ASSERT_TRUE(got) << c.filter << ": " << got.status().to_string();
    std::vector<std::string> e = as_json(*expected), g = as_json(*got);
    if (query.sort.empty()) {
      std::sort(e.begin(), e.end());
      std::sort(g.begin(), g.end());
    }
    EXPECT_EQ(g, e) << c.filter << " sort " << c.sort;
    if (c.skip == 0 && !c.limit) {
      Result<uint64_t> n = encrypted_->count(kNs, query.filter);
      ASSERT_TRUE(n);
      EXPECT_EQ(*n, e.size()) << c.filter;
    }
  }
  void expect_all_same() {
    for (const QueryCase& c : kQueries) expect_same(c);
  }

  World world_;
  testing::MemoryStore memory_;
  std::unique_ptr<EncryptedStore> encrypted_;
};

TEST_F(BothStores, QueriesAgree) { expect_all_same(); }

TEST_F(BothStores, UpdatesAndRemovesKeepIndexesRight) {
  Document id_doc = J(R"({"_id": 3})");
  bson_iter_t it;
  ASSERT_TRUE(id_doc.find("_id", &it));
  Value three = Value::of(&it);
  for (DocumentStore* store : stores()) {
    Result<bool> replaced =
        store->replace(kNs, three, J(R"({"_id": 3, "name": "zed", "age": 99, "tags": ["q", "x"]})"));
    ASSERT_TRUE(replaced && *replaced);
    Document one = J(R"({"_id": 1})");
    ASSERT_TRUE(one.find("_id", &it));
    Result<bool> removed = store->remove(kNs, Value::of(&it));
    ASSERT_TRUE(removed && *removed);
    Result<bool> again = store->remove(kNs, Value::of(&it));
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    Result<bool> missing = store->replace(kNs, Value::of(&it), J(R"({"_id": 1})"));
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
  }
  expect_all_same();
  // The old values are gone from the indexes, the new ones there.
  Result<std::vector<Document>> by_old = encrypted_->find(kNs, query_of(R"({"name": "cyd"})"));
  ASSERT_TRUE(by_old);
  EXPECT_TRUE(by_old->empty());
  Result<std::vector<Document>> by_new = encrypted_->find(kNs, query_of(R"({"age": {"$gt": 90}})"));
  ASSERT_TRUE(by_new);
  ASSERT_EQ(by_new->size(), 1u);
}

TEST_F(BothStores, DuplicateIdsAndCollectionsAndIndexes) {
  Result<DocumentStore::InsertOutcome> duplicate = encrypted_->insert(kNs, J(R"({"_id": 2, "x": 1})"));
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(*duplicate, DocumentStore::InsertOutcome::kDuplicateId);
  // 1 and 1.0 are one _id in MongoDB.
  Result<DocumentStore::InsertOutcome> same_number = encrypted_->insert(kNs, J(R"({"_id": 2.0})"));
  ASSERT_TRUE(same_number);
  EXPECT_EQ(*same_number, DocumentStore::InsertOutcome::kDuplicateId);
  for (DocumentStore* store : stores()) {
    Namespace other{"app", "other"};
    Result<bool> created = store->create_collection(other);
    ASSERT_TRUE(created && *created);
    Result<bool> again = store->create_collection(other);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    Result<bool> index_again = store->create_index(kNs, index_of(R"({"key": {"age": 1}, "name": "age_1"})"));
    ASSERT_TRUE(index_again);
    EXPECT_FALSE(*index_again);
  }
  Result<std::vector<std::string>> names = encrypted_->list_collections("app");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"items", "other"}));
  Result<std::vector<IndexSpec>> indexes = encrypted_->list_indexes(kNs);
  ASSERT_TRUE(indexes);
  ASSERT_EQ(indexes->size(), 4u);
  EXPECT_EQ((*indexes)[0].name, "age_1");
  // Dropping frees the dataset and every row of the collection.
  size_t rows_before = world_.sources[0].rows().size();
  ASSERT_GT(rows_before, 1u);
  Result<bool> dropped = encrypted_->drop(kNs);
  ASSERT_TRUE(dropped && *dropped);
  EXPECT_EQ(world_.sources[0].rows().size(), 1u);  // the catalog alone
  Result<std::vector<Document>> gone = encrypted_->find(kNs, query_of("{}"));
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->empty());
  Result<bool> dropped_again = encrypted_->drop(kNs);
  ASSERT_TRUE(dropped_again);
  EXPECT_FALSE(*dropped_again);
}

// --- Restart, limits, refusals -------------------------------------------------

TEST(EncryptedStore, ARestartedStoreSeesItsCollections) {
  World world;
  std::vector<std::string> before;
  {
    std::unique_ptr<EncryptedStore> store = world.open();
    ASSERT_TRUE(store->create_index(kNs, index_of(R"({"key": {"age": 1}, "name": "age_1"})")));
    ASSERT_TRUE(store->create_index(kNs, index_of(R"({"key": {"score": "ore"}, "name": "score_ore"})")));
    for (const char* json : kDocuments) ASSERT_TRUE(store->insert(kNs, J(json)));
    ASSERT_TRUE(store->create_collection({"other", "empty"}));
    before = as_json(*store->find(kNs, query_of("{}")));
  }
  std::unique_ptr<EncryptedStore> reopened = world.open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(as_json(*reopened->find(kNs, query_of("{}"))), before);
  Result<std::vector<IndexSpec>> indexes = reopened->list_indexes(kNs);
  ASSERT_TRUE(indexes);
  ASSERT_EQ(indexes->size(), 2u);
  EXPECT_EQ((*indexes)[1].kind, IndexKind::kOre);
  EXPECT_EQ(*reopened->list_collections("other"), std::vector<std::string>{"empty"});
  Result<std::vector<Document>> ranged = reopened->find(kNs, query_of(R"({"age": {"$gte": 36}})", R"({"age": 1})"));
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->size(), 4u);  // 36, 36.0, 41 and the array [20, 50]
  ASSERT_TRUE(reopened->insert(kNs, J(R"({"_id": 11, "age": 37})")));
  std::unique_ptr<EncryptedStore> third = world.open();
  EXPECT_EQ(*third->count(kNs, Filter()), std::size(kDocuments) + 1);
}

TEST(EncryptedStore, RunningOutOfDatasetsIsAClearError) {
  World world(2);
  std::unique_ptr<EncryptedStore> store = world.open();
  ASSERT_TRUE(store->insert({"a", "one"}, J(R"({"_id": 1})")));
  ASSERT_TRUE(store->insert({"a", "two"}, J(R"({"_id": 1})")));
  EXPECT_NE(store->dataset_of({"a", "one"}), store->dataset_of({"a", "two"}));
  Result<DocumentStore::InsertOutcome> third = store->insert({"a", "three"}, J(R"({"_id": 1})"));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(third.status().message().find("no free dataset"), std::string::npos);
  EXPECT_EQ(*store->list_collections("a"), (std::vector<std::string>{"one", "two"}));
  // Dropping one frees its dataset for the next collection.
  ASSERT_TRUE(store->drop({"a", "one"}));
  ASSERT_TRUE(store->insert({"a", "three"}, J(R"({"_id": 1})")));
  EXPECT_EQ(*store->count({"a", "three"}, Filter()), 1u);
}

TEST(EncryptedStore, AnInMemorySortIsCapped) {
  World world;
  std::unique_ptr<EncryptedStore> store = world.open({.max_sort_documents = 5});
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(store->insert(kNs, J(R"({"_id": )" + std::to_string(i) + R"(, "n": 1})")));
  Result<std::vector<Document>> sorted = store->find(kNs, query_of("{}", R"({"n": 1})"));
  ASSERT_FALSE(sorted);
  EXPECT_EQ(sorted.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(error_from_status(sorted.status()).code, MongoCode::kExceededMemoryLimit);
  // An indexed sort walks the index instead.
  ASSERT_TRUE(store->create_index(kNs, index_of(R"({"key": {"n": 1}, "name": "n_1"})")));
  Result<std::vector<Document>> indexed = store->find(kNs, query_of("{}", R"({"n": 1})"));
  ASSERT_TRUE(indexed);
  EXPECT_EQ(indexed->size(), 8u);
}

TEST(EncryptedStore, EveryMutationCommitsTheCatalogBeforeCollectingGarbage) {
  World world;
  std::unique_ptr<EncryptedStore> store = world.open();
  size_t commits = world.commits;
  ASSERT_TRUE(store->insert(kNs, J(R"({"_id": 1, "a": 1})")));
  EXPECT_EQ(world.commits, commits + 2);
  // A failed commit leaves the store as it was committed.
  std::unique_ptr<EncryptedStore> failing;
  {
    std::vector<DatasetRows> rows;
    for (size_t i = 0; i < world.sources.size(); ++i) rows.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &world.sources[i], kUnlimitedAllocationBytes, ""});
    failing = *EncryptedStore::open(rows, world.keys, world.random,
                                    [] { return Status::error(ErrorCode::kUnavailable, "cluster down"); });
  }
  Result<DocumentStore::InsertOutcome> refused = failing->insert(kNs, J(R"({"_id": 2})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(*failing->count(kNs, Filter()), 1u);
}

TEST(EncryptedStore, ACommandsMutationsCommitTogetherAndAFailedOneUndoesOnlyItself) {
  World world;
  std::unique_ptr<EncryptedStore> store = world.open();
  ASSERT_TRUE(store->create_index(kNs, index_of(R"({"key": {"n": 1}, "name": "n_1"})")));
  size_t commits = world.commits;
  store->begin_command();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store->insert(kNs, J(R"({"_id": )" + std::to_string(i) + R"(, "n": )" + std::to_string(i % 7) + "}")));
  }
  // decimal128 has no key encoding: this insert fails, alone.
  EXPECT_FALSE(store->insert(kNs, J(R"({"_id": {"$numberDecimal": "1.5"}, "n": 1})")));
  ASSERT_TRUE(store->insert(kNs, J(R"({"_id": 50, "n": 3})")));
  EXPECT_EQ(*store->count(kNs, Filter()), 51u) << "reads inside a command see its writes";
  EXPECT_EQ(world.commits, commits) << "nothing is committed before the command ends";
  ASSERT_TRUE(store->end_command().is_ok());
  EXPECT_EQ(world.commits, commits + 2) << "the catalog, then the garbage: two commits for 51 inserts";
  // What was committed is what a restarted store reads.
  std::unique_ptr<EncryptedStore> reopened = world.open();
  EXPECT_EQ(*reopened->count(kNs, Filter()), 51u);
  EXPECT_EQ(reopened->find(kNs, query_of(R"({"n": 3})"))->size(), 8u);  // 3, 10, ..., 45, and 50
  // A command whose commit fails is undone whole.
  std::vector<DatasetRows> rows;
  for (size_t i = 0; i < world.sources.size(); ++i) rows.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &world.sources[i], kUnlimitedAllocationBytes, ""});
  std::unique_ptr<EncryptedStore> failing = *EncryptedStore::open(
      rows, world.keys, world.random, [] { return Status::error(ErrorCode::kUnavailable, "cluster down"); });
  failing->begin_command();
  ASSERT_TRUE(failing->insert(kNs, J(R"({"_id": 100, "n": 1})")));
  EXPECT_EQ(failing->end_command().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(*failing->count(kNs, Filter()), 51u);
}

// --- Tampering nodes -----------------------------------------------------------

class Tampering : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = world_.open();
    ASSERT_TRUE(store_->create_index(kNs, index_of(R"({"key": {"n": 1}, "name": "n_1"})")));
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(store_->insert(kNs, J(R"({"_id": )" + std::to_string(i) + R"(, "n": )" + std::to_string(i) + "}")));
    }
  }
  // Flips a byte in every row whose key starts with `tag`, one at a time,
  // and checks the query fails instead of answering.
  void expect_failure_on_each(uint8_t tag, const std::string& filter) {
    auto& rows = world_.sources[0].rows();
    size_t tried = 0;
    for (auto& [key, value] : rows) {
      if (key.empty() || key[0] != tag) continue;
      if (++tried > 40) break;
      value[value.size() / 2] ^= 0x01;
      std::unique_ptr<EncryptedStore> fresh = world_.open();  // no cached buckets
      Result<std::vector<Document>> found = fresh->find(kNs, query_of(filter));
      value[value.size() / 2] ^= 0x01;
      if (found) {
        // The altered row was not on the query's path: the answer is whole.
        EXPECT_EQ(found->size(), 300u) << "row " << to_hex(key);
        continue;
      }
      EXPECT_EQ(found.status().code(), ErrorCode::kAuthentication) << found.status().to_string();
    }
    EXPECT_GT(tried, 0u);
  }
  World world_;
  std::unique_ptr<EncryptedStore> store_;
};

TEST_F(Tampering, AnAlteredDocumentRowFailsTheQuery) { expect_failure_on_each('d', "{}"); }
TEST_F(Tampering, AnAlteredPrimaryBucketFailsTheQuery) { expect_failure_on_each('p', "{}"); }
TEST_F(Tampering, AnAlteredIndexBucketFailsTheQuery) { expect_failure_on_each('i', R"({"n": {"$gte": 0}})"); }

TEST_F(Tampering, SwappedOrRolledBackDocumentsFailTheQuery) {
  auto& rows = world_.sources[0].rows();
  std::vector<Bytes> documents;
  for (const auto& [key, value] : rows) {
    if (key[0] == 'd') documents.push_back(key);
  }
  ASSERT_GE(documents.size(), 2u);
  std::swap(rows[documents[0]], rows[documents[1]]);
  EXPECT_FALSE(world_.open()->find(kNs, query_of("{}")));
  std::swap(rows[documents[0]], rows[documents[1]]);
  // An older version of a document, replayed where the new one is.
  std::map<Bytes, Bytes> before;
  for (const auto& [key, value] : rows) {
    if (key[0] == 'd') before.emplace(key, value);
  }
  Document zero = J(R"({"_id": 0})");
  bson_iter_t it;
  ASSERT_TRUE(zero.find("_id", &it));
  ASSERT_TRUE(store_->replace(kNs, Value::of(&it), J(R"({"_id": 0, "n": 1000})")));
  std::optional<Bytes> new_row, old_row;
  for (const auto& [key, value] : rows) {
    if (key[0] == 'd' && !before.contains(key)) new_row = key;
  }
  for (const auto& [key, value] : before) {
    if (!rows.contains(key)) old_row = key;  // replaced, then erased as garbage
  }
  ASSERT_TRUE(new_row && old_row);
  Result<std::vector<Document>> fresh = world_.open()->find(kNs, query_of(R"({"_id": 0})"));
  ASSERT_TRUE(fresh);
  ASSERT_EQ(fresh->size(), 1u);
  EXPECT_NE((*fresh)[0].to_json().find("1000"), std::string::npos);
  rows[*new_row] = before.at(*old_row);
  Result<std::vector<Document>> replayed = world_.open()->find(kNs, query_of(R"({"_id": 0})"));
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.status().code(), ErrorCode::kAuthentication);
}

}  // namespace
}  // namespace fluence::gateway
