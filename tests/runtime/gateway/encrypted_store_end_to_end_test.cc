// The gateway over an EncryptedStore, driven by the real MongoDB C driver
// (libmongoc) over TCP: what an application sees, and what the nodes hold.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/server.h"
#include "tests/runtime/gateway/mongo_driver.h"

namespace fluence::gateway {
namespace {

namespace asio = boost::asio;

bson_t* json(const std::string& text) {
  bson_error_t error;
  bson_t* out = bson_new_from_json(reinterpret_cast<const uint8_t*>(text.data()), static_cast<ssize_t>(text.size()), &error);
  EXPECT_NE(out, nullptr) << text << ": " << error.message;
  return out;
}

// Every row whose bytes contain any of `needles`, as "row: needle".
std::vector<std::string> plaintext_hits(const std::vector<const client::MemoryRowSource*>& sources,
                                        const std::vector<Bytes>& needles) {
  std::vector<std::string> hits;
  for (const client::MemoryRowSource* source : sources) {
    for (const auto& [key, value] : source->rows()) {
      for (const Bytes& needle : needles) {
        for (const Bytes* haystack : {&key, &value}) {
          if (std::search(haystack->begin(), haystack->end(), needle.begin(), needle.end()) != haystack->end()) {
            hits.push_back(to_hex(key) + ": " + to_hex(needle));
          }
        }
      }
    }
  }
  return hits;
}

class EncryptedGatewayEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mongoc_init(); }
  static void TearDownTestSuite() { mongoc_cleanup(); }

  void SetUp() override {
    std::vector<DatasetRows> rows;
    for (size_t i = 0; i < sources_.size(); ++i) {
      storage::DatasetId id{};
      id[0] = static_cast<uint8_t>(0x40 + i);
      ASSERT_TRUE(keys_.create(id, random_));
      rows.push_back({id, &sources_[i], allocations_.at(i), "cluster-" + std::to_string(i)});
    }
    Result<std::unique_ptr<EncryptedStore>> store =
        EncryptedStore::open(rows, keys_, random_, [] { return Status::ok(); }, options_);
    ASSERT_TRUE(store) << store.status().to_string();
    store_ = std::move(*store);
    EngineOptions options;
    options.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    engine_ = std::make_unique<CommandEngine>(*store_, options);
    server_ = std::make_unique<GatewayServer>(io_, *engine_);
    ASSERT_TRUE(server_->listen("127.0.0.1", 0).is_ok());
    io_thread_ = std::thread([this] { io_.run(); });
    std::string uri = "mongodb://127.0.0.1:" + std::to_string(server_->port()) +
                      "/?serverSelectionTimeoutMS=5000&socketTimeoutMS=120000";
    client_ = mongoc_client_new(uri.c_str());
    ASSERT_NE(client_, nullptr);
    collection_ = mongoc_client_get_collection(client_, "app", "people");
  }

  void TearDown() override {
    if (collection_) mongoc_collection_destroy(collection_);
    if (client_) mongoc_client_destroy(client_);
    asio::post(io_, [this] { server_->close(); });
    io_thread_.join();
  }

  std::vector<int64_t> find_ids(const std::string& filter, const std::string& opts) {
    return testing::find_ids(collection_, filter, opts);
  }

  env::DeterministicRandom random_{11};
  client::KeyStore keys_;
  std::vector<client::MemoryRowSource> sources_ = std::vector<client::MemoryRowSource>(2);
  std::vector<uint64_t> allocations_{kUnlimitedAllocationBytes, kUnlimitedAllocationBytes};
  EncryptedStoreOptions options_;
  std::unique_ptr<EncryptedStore> store_;
  asio::io_context io_;
  std::unique_ptr<CommandEngine> engine_;
  std::unique_ptr<GatewayServer> server_;
  std::thread io_thread_;
  mongoc_client_t* client_ = nullptr;
  mongoc_collection_t* collection_ = nullptr;
};

std::string name_of(int i) { return "citizen-" + std::to_string(i) + "-zq"; }
std::string city_of(int i) { return "metropolis-" + std::to_string(i % 97) + "-xk"; }

TEST_F(EncryptedGatewayEndToEnd, TenThousandDocumentsAndNoPlaintextOnTheNodes) {
  constexpr int kCount = 10'000;
  bson_error_t error;
  bson_t* index = json(R"({"createIndexes": "people", "indexes": [{"key": {"age": 1}, "name": "age_1"}]})");
  ASSERT_TRUE(mongoc_collection_write_command_with_opts(collection_, index, nullptr, nullptr, &error)) << error.message;
  bson_destroy(index);
  mongoc_bulk_operation_t* bulk = mongoc_collection_create_bulk_operation_with_opts(collection_, nullptr);
  for (int i = 0; i < kCount; ++i) {
    bson_t* document = json(R"({"_id": )" + std::to_string(i) + R"(, "name": ")" + name_of(i) + R"(", "age": )" +
                            std::to_string(i % 100) + R"(, "city": ")" + city_of(i) + R"("})");
    mongoc_bulk_operation_insert(bulk, document);
    bson_destroy(document);
  }
  bson_t reply;
  ASSERT_TRUE(mongoc_bulk_operation_execute(bulk, &reply, &error)) << error.message;
  bson_destroy(&reply);
  mongoc_bulk_operation_destroy(bulk);
  EXPECT_EQ(mongoc_collection_count_documents(collection_, json("{}"), nullptr, nullptr, nullptr, &error), kCount);

  // Indexed range finds, checked against what was inserted.
  std::vector<int64_t> ids = find_ids(R"({"age": {"$gte": 10, "$lt": 12}})", R"({"sort": {"_id": 1}})");
  ASSERT_EQ(ids.size(), 200u);
  for (int64_t id : ids) EXPECT_TRUE(id % 100 == 10 || id % 100 == 11) << id;
  ids = find_ids(R"({"age": {"$gt": 97}})", R"({"sort": {"age": -1}, "limit": 3})");
  ASSERT_EQ(ids.size(), 3u);
  for (int64_t id : ids) EXPECT_EQ(id % 100, 99);
  ids = find_ids(R"({"_id": {"$gte": 9990}})", R"({"sort": {"_id": -1}})");
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids.front(), 9999);

  // Updates and deletes through the driver, then checked.
  bson_t* selector = json(R"({"age": 42})");
  bson_t* update = json(R"({"$set": {"age": 1000}})");
  ASSERT_TRUE(mongoc_collection_update_many(collection_, selector, update, nullptr, &reply, &error)) << error.message;
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, &reply, "modifiedCount"));
  EXPECT_EQ(bson_iter_as_int64(&it), 100);
  bson_destroy(&reply);
  bson_destroy(selector);
  bson_destroy(update);
  EXPECT_TRUE(find_ids(R"({"age": 42})", "{}").empty());
  EXPECT_EQ(find_ids(R"({"age": {"$gte": 1000}})", "{}").size(), 100u);
  bson_t* doomed = json(R"({"age": {"$lt": 5}})");
  ASSERT_TRUE(mongoc_collection_delete_many(collection_, doomed, nullptr, &reply, &error)) << error.message;
  ASSERT_TRUE(bson_iter_init_find(&it, &reply, "deletedCount"));
  EXPECT_EQ(bson_iter_as_int64(&it), 500);
  bson_destroy(&reply);
  bson_destroy(doomed);
  EXPECT_EQ(mongoc_collection_count_documents(collection_, json("{}"), nullptr, nullptr, nullptr, &error),
            kCount - 500);
  EXPECT_TRUE(find_ids(R"({"_id": 3})", "{}").empty());

  // The NO-PLAINTEXT check: no row a node holds contains any document's
  // distinctive strings or the BSON bytes of its _id.
  std::vector<Bytes> needles;
  for (int i = 0; i < kCount; i += 7) {
    std::string name = name_of(i), city = city_of(i);
    needles.emplace_back(name.begin(), name.end());
    needles.emplace_back(city.begin(), city.end());
    // "_id" as an int32 element: type, key and value bytes.
    Bytes id_element{0x10, '_', 'i', 'd', 0x00};
    for (int shift = 0; shift < 32; shift += 8) id_element.push_back(static_cast<uint8_t>(i >> shift));
    needles.push_back(id_element);
  }
  for (const char* common : {"citizen-", "metropolis-", "age_1", "people"}) needles.emplace_back(common, common + std::strlen(common));
  std::vector<const client::MemoryRowSource*> sources;
  size_t total_rows = 0;
  for (const client::MemoryRowSource& source : sources_) {
    sources.push_back(&source);
    total_rows += source.rows().size();
  }
  EXPECT_GT(total_rows, 9'500u);
  EXPECT_TRUE(plaintext_hits(sources, needles).empty());
  // The scanner works: one plaintext row in a scratch source is found.
  client::MemoryRowSource scratch;
  std::string planted = "{\"name\": \"" + name_of(14) + "\"}";
  ASSERT_TRUE(scratch.put(as_bytes("planted"), as_bytes(planted)).is_ok());
  EXPECT_EQ(plaintext_hits({&scratch}, needles).size(), 2u);  // the name, and "citizen-"
}

// Three datasets with small allocations: the application inserts past the
// first and queries as if there were one.
class ShardedGatewayEndToEnd : public EncryptedGatewayEndToEnd {
 protected:
  ShardedGatewayEndToEnd() {
    sources_ = std::vector<client::MemoryRowSource>(3);
    allocations_ = {kAllocationBytes, kAllocationBytes, kAllocationBytes};
    options_.bucket_entries = 16;
  }
  static constexpr uint64_t kAllocationBytes = 60'000;

  size_t document_rows(size_t dataset) const {
    return static_cast<size_t>(std::count_if(sources_[dataset].rows().begin(), sources_[dataset].rows().end(),
                                             [](const auto& row) { return row.first[0] == 'd'; }));
  }
  bool insert_one(int i, bson_error_t* error) {
    bson_t* document = json(R"({"_id": )" + std::to_string(i) + R"(, "name": ")" + name_of(i) + R"(", "age": )" +
                            std::to_string(i % 50) + "}");
    bool ok = mongoc_collection_insert_one(collection_, document, nullptr, nullptr, error);
    bson_destroy(document);
    return ok;
  }
};

TEST_F(ShardedGatewayEndToEnd, InsertsPastTheAllocationAndQueriesAsOneCollection) {
  bson_error_t error;
  bson_t* index = json(R"({"createIndexes": "people", "indexes": [{"key": {"age": 1}, "name": "age_1"}]})");
  ASSERT_TRUE(mongoc_collection_write_command_with_opts(collection_, index, nullptr, nullptr, &error)) << error.message;
  bson_destroy(index);
  // One insert per command, until the documents are in two datasets.
  int count = 0;
  for (; count < 3000 && document_rows(1) == 0; ++count) ASSERT_TRUE(insert_one(count, &error)) << error.message;
  ASSERT_GT(document_rows(1), 0u) << "a second shard";
  ASSERT_EQ(sources_[2].rows().size(), 0u);
  // Then a bulk insert: one command.
  mongoc_bulk_operation_t* bulk = mongoc_collection_create_bulk_operation_with_opts(collection_, nullptr);
  for (int end = count + 40; count < end; ++count) {
    bson_t* document = json(R"({"_id": )" + std::to_string(count) + R"(, "name": ")" + name_of(count) +
                            R"(", "age": )" + std::to_string(count % 50) + "}");
    mongoc_bulk_operation_insert(bulk, document);
    bson_destroy(document);
  }
  bson_t reply;
  ASSERT_TRUE(mongoc_bulk_operation_execute(bulk, &reply, &error)) << error.message;
  bson_destroy(&reply);
  mongoc_bulk_operation_destroy(bulk);
  EXPECT_EQ(document_rows(0) + document_rows(1) + document_rows(2), static_cast<size_t>(count));

  // What the application sees: one collection.
  bson_t* everything = json("{}");
  EXPECT_EQ(mongoc_collection_count_documents(collection_, everything, nullptr, nullptr, nullptr, &error), count);
  std::vector<int64_t> ids = find_ids("{}", R"({"sort": {"_id": 1}, "batchSize": 7})");  // getMore over shards
  ASSERT_EQ(ids.size(), static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) EXPECT_EQ(ids[i], i);
  ids = find_ids("{}", R"({"sort": {"_id": -1}, "skip": 5, "limit": 20, "batchSize": 3})");
  ASSERT_EQ(ids.size(), 20u);
  EXPECT_EQ(ids.front(), count - 6);
  EXPECT_EQ(ids.back(), count - 25);
  ids = find_ids(R"({"age": {"$gte": 10, "$lt": 12}})", R"({"sort": {"age": 1}})");
  std::vector<int64_t> expected;
  for (int age : {10, 11}) {
    for (int i = age; i < count; i += 50) expected.push_back(i);
  }
  EXPECT_EQ(ids, expected) << "an index walk merged over the shards, in order";
  ids = find_ids(R"({"age": 3})", R"({"sort": {"_id": 1}, "skip": 1, "limit": 2})");
  EXPECT_EQ(ids, (std::vector<int64_t>{53, 103}));

  // Updates and deletes reach the first shard.
  bson_t* selector = json(R"({"_id": {"$lt": 10}})");
  bson_t* update = json(R"({"$set": {"age": 1000}})");
  ASSERT_TRUE(mongoc_collection_update_many(collection_, selector, update, nullptr, &reply, &error)) << error.message;
  bson_destroy(&reply);
  EXPECT_EQ(find_ids(R"({"age": 1000})", R"({"sort": {"_id": 1}})").size(), 10u);
  ASSERT_TRUE(mongoc_collection_delete_many(collection_, selector, nullptr, &reply, &error)) << error.message;
  bson_destroy(&reply);
  bson_destroy(selector);
  bson_destroy(update);
  EXPECT_EQ(mongoc_collection_count_documents(collection_, everything, nullptr, nullptr, nullptr, &error), count - 10);
  // A duplicate of an _id in the first shard, through the driver.
  EXPECT_FALSE(insert_one(20, &error));
  EXPECT_EQ(error.code, 11000u) << error.message;

  // Fill every dataset: the driver shows why, and what to do.
  bool refused = false;
  for (int i = count; i < count + 5000 && !refused; ++i) refused = !insert_one(i, &error);
  ASSERT_TRUE(refused);
  EXPECT_NE(std::string(error.message).find("no free dataset"), std::string::npos) << error.message;
  EXPECT_NE(std::string(error.message).find("allocation_bytes"), std::string::npos) << error.message;
  for (size_t i = 0; i < sources_.size(); ++i) EXPECT_GT(document_rows(i), 0u) << i;
  bson_destroy(everything);
}

}  // namespace
}  // namespace fluence::gateway
