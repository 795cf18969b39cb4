// The whole product on 127.0.0.1: fluence-node processes (4 members and 3
// arbiters) hold two datasets, the fluence-gateway executable keeps a
// collection encrypted on them, and the real MongoDB C driver (libmongoc),
// which nobody here wrote, inserts 10,000 documents, finds by indexed
// ranges (a B-tree index and an "ore" one), updates and deletes, each
// checked against what the test expects. The nodes' admin endpoints ask for
// a token, which the gateway presents (its config's node_admin_token_file).
// Then no plaintext: every node's data folder, raw files and RocksDB
// contents alike, holds none of the documents' distinctive values.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "runtime/rocks_store.h"
#include "tests/runtime/gateway/gateway_process.h"
#include "tests/runtime/gateway/mongo_driver.h"
#include "tests/runtime/node_cluster.h"


namespace fluence::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 3;
constexpr int kDocuments = 10000;
const std::string kCatalogDataset(64, 'd');
const std::string kCollectionDataset(64, 'e');

// A value no other bytes in a node's folder could contain by chance.
std::string name_of(int i) { return "Plainname-" + std::to_string(i) + "-zq"; }
int age_of(int i) { return (i * 37) % 100; }
int rank_of(int i) { return (i * 53) % 1000; }

bson_t* json(const std::string& text) {
  bson_error_t error;
  bson_t* out = bson_new_from_json(reinterpret_cast<const uint8_t*>(text.data()), static_cast<ssize_t>(text.size()), &error);
  EXPECT_NE(out, nullptr) << text << ": " << error.message;
  return out;
}

// How many of `needles` occur in `haystack`.
size_t occurrences(const std::string& haystack, const std::vector<std::string>& needles) {
  size_t hits = 0;
  for (const std::string& needle : needles) hits += haystack.find(needle) != std::string::npos ? 1 : 0;
  return hits;
}

// Plaintext found in a stopped node's folder: in any file's raw bytes, and in
// every key and value of its RocksDB (whose files may be compressed).
size_t plaintext_in(const fs::path& dir, const std::vector<std::string>& needles) {
  size_t hits = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "log.txt") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    hits += occurrences(bytes, needles);
  }
  Result<std::unique_ptr<runtime::RocksStore>> store = runtime::RocksStore::open((dir / "db").string());
  EXPECT_TRUE(store.is_ok()) << store.status().to_string();
  if (!store) return hits;
  std::string all;
  std::unique_ptr<env::StoreIterator> it = (*store)->iterate();
  for (it->seek({}); it->valid(); it->next()) {
    all.append(reinterpret_cast<const char*>(it->key().data()), it->key().size());
    all.push_back('\0');
    all.append(reinterpret_cast<const char*>(it->value().data()), it->value().size());
    all.push_back('\0');
  }
  return hits + occurrences(all, needles);
}

class GatewayNodesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mongoc_init(); }
  static void TearDownTestSuite() { mongoc_cleanup(); }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fluence-gateway-test-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The nodes ask for an admin token, which the gateway reads from the file its config names.
    const std::string token(64, '5');
    const fs::path token_file = dir_ / "node-admin-token";
    std::ofstream(token_file) << token << "\n";
    cluster_ = std::make_unique<NodeCluster>(kMembers + kArbiters, 2, [&](const std::vector<std::string>& peers) {
      std::vector<std::string> members(peers.begin(), peers.begin() + kMembers);
      std::vector<std::string> arbiters(peers.begin() + kMembers, peers.end());
      nlohmann::json datasets = nlohmann::json::array();
      for (const std::string& id : {kCatalogDataset, kCollectionDataset}) {
        datasets.push_back({{"id", id}, {"members", members}, {"arbiters", arbiters}});
      }
      return nlohmann::json{{"block_interval_ms", 20}, {"datasets", datasets}, {"admin_token_file", token_file}};
    });
    cluster_->set_admin_token(token);
    for (size_t i = 0; i < cluster_->size(); ++i) cluster_->start(i);
    ASSERT_TRUE(cluster_->wait_until([](size_t, const nlohmann::json&) { return true; }, 20000));

    port_ = free_port();
    nlohmann::json datasets = nlohmann::json::array();
    for (const std::string& id : {kCatalogDataset, kCollectionDataset}) {
      datasets.push_back({{"id", id}, {"node_admin", cluster_->node(0).admin_address}});
    }
    nlohmann::json config = {{"listen", "127.0.0.1:" + std::to_string(port_)},
                             {"key_store", (dir_ / "keys").string()},
                             {"argon2", "min"},
                             {"node_admin_token_file", token_file},
                             {"datasets", datasets}};
    std::ofstream(dir_ / "gateway.json") << config.dump(2);
    gateway_ = std::make_unique<GatewayProcess>(dir_, port_);
    ASSERT_TRUE(gateway_->wait_ready()) << gateway_->log();
    std::string uri = "mongodb://127.0.0.1:" + std::to_string(port_) +
                      "/?serverSelectionTimeoutMS=20000&socketTimeoutMS=300000";
    client_ = mongoc_client_new(uri.c_str());
    ASSERT_NE(client_, nullptr);
    collection_ = mongoc_client_get_collection(client_, "app", "people");
  }

  void TearDown() override {
    if (collection_) mongoc_collection_destroy(collection_);
    if (client_) mongoc_client_destroy(client_);
    gateway_.reset();
    cluster_.reset();
    if (std::getenv("FLUENCE_KEEP_CLUSTER") == nullptr) fs::remove_all(dir_);
  }

  std::vector<int> ids_of(const std::string& filter, const std::string& opts) {
    std::vector<int64_t> ids = gateway::testing::find_ids(collection_, filter, opts);
    return std::vector<int>(ids.begin(), ids.end());
  }

  int64_t count(const std::string& filter) {
    bson_error_t error;
    bson_t* f = json(filter);
    int64_t n = mongoc_collection_count_documents(collection_, f, nullptr, nullptr, nullptr, &error);
    EXPECT_GE(n, 0) << error.message;
    bson_destroy(f);
    return n;
  }

  std::unique_ptr<NodeCluster> cluster_;
  fs::path dir_;
  uint16_t port_ = 0;
  std::unique_ptr<GatewayProcess> gateway_;
  mongoc_client_t* client_ = nullptr;
  mongoc_collection_t* collection_ = nullptr;
};

TEST_F(GatewayNodesTest, TheCDriverStoresAndQueriesThroughNodesThatSeeNoPlaintext) {
  bson_error_t error;
  bson_t* index = json(R"({"createIndexes": "people", "indexes": [{"key": {"age": 1}, "name": "age_1"},
                                                                   {"key": {"rank": "ore"}, "name": "rank_ore"}]})");
  ASSERT_TRUE(mongoc_collection_write_command_with_opts(collection_, index, nullptr, nullptr, &error))
      << error.message << "\n" << gateway_->log();
  bson_destroy(index);
  for (int first = 0; first < kDocuments; first += 1000) {
    mongoc_bulk_operation_t* bulk = mongoc_collection_create_bulk_operation_with_opts(collection_, nullptr);
    for (int i = first; i < first + 1000; ++i) {
      bson_t* document = json(R"({"_id": )" + std::to_string(i) + R"(, "name": ")" + name_of(i) + R"(", "age": )" +
                              std::to_string(age_of(i)) + R"(, "rank": )" + std::to_string(rank_of(i)) + R"(, "score": 0})");
      mongoc_bulk_operation_insert(bulk, document);
      bson_destroy(document);
    }
    bson_t reply;
    ASSERT_TRUE(mongoc_bulk_operation_execute(bulk, &reply, &error)) << error.message << "\n" << gateway_->log();
    bson_destroy(&reply);
    mongoc_bulk_operation_destroy(bulk);
  }
  EXPECT_EQ(count("{}"), kDocuments);

  // An indexed range, sorted by the index, a page of it.
  std::vector<int> expected;
  for (int age = 30; age < 33; ++age) {
    for (int i = 0; i < kDocuments; ++i) {
      if (age_of(i) == age) expected.push_back(i);
    }
  }
  std::vector<int> got = ids_of(R"({"age": {"$gte": 30, "$lt": 33}})", R"({"sort": {"age": 1, "_id": 1}})");
  EXPECT_EQ(got, expected);
  std::vector<int> page = ids_of(R"({"age": {"$gte": 30, "$lt": 33}})", R"({"sort": {"age": 1, "_id": 1}, "skip": 10, "limit": 20})");
  ASSERT_EQ(page.size(), 20u);
  EXPECT_TRUE(std::equal(page.begin(), page.end(), expected.begin() + 10));

  // A range on the "ore" index: the nodes compare order-revealing
  // ciphertexts and return the candidates (encrypted_store_ore.cc).
  std::vector<int> ranked;
  for (int i = 0; i < kDocuments; ++i) {
    if (rank_of(i) >= 100 && rank_of(i) < 110) ranked.push_back(i);
  }
  EXPECT_EQ(ids_of(R"({"rank": {"$gte": 100, "$lt": 110}})", R"({"sort": {"_id": 1}})"), ranked);
  EXPECT_EQ(count(R"({"rank": {"$in": [0, 999]}})"), 20);

  bson_t reply;
  bson_t* selector = json(R"({"age": {"$lt": 2}})");
  bson_t* update = json(R"({"$inc": {"score": 5}})");
  ASSERT_TRUE(mongoc_collection_update_many(collection_, selector, update, nullptr, &reply, &error)) << error.message;
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, &reply, "modifiedCount"));
  EXPECT_EQ(bson_iter_as_int64(&it), 200);
  bson_destroy(&reply);
  bson_destroy(selector);
  bson_destroy(update);
  EXPECT_EQ(count(R"({"score": 5})"), 200);

  bson_t* doomed = json(R"({"age": {"$gte": 95}})");
  ASSERT_TRUE(mongoc_collection_delete_many(collection_, doomed, nullptr, &reply, &error)) << error.message;
  ASSERT_TRUE(bson_iter_init_find(&it, &reply, "deletedCount"));
  EXPECT_EQ(bson_iter_as_int64(&it), 500);
  bson_destroy(&reply);
  bson_destroy(doomed);
  EXPECT_EQ(count("{}"), kDocuments - 500);
  int low_ranks = 0;
  for (int i = 0; i < kDocuments; ++i) low_ranks += rank_of(i) < 50 && age_of(i) < 95 ? 1 : 0;
  EXPECT_EQ(count(R"({"rank": {"$lt": 50}})"), low_ranks) << "the deleted documents' ore entries are gone";

  // A canary the scan must find: one plaintext row written straight through a
  // node's admin endpoint, so a scan that finds nothing is not a blind one.
  nlohmann::json canary = cluster_->admin(
      0, {{"cmd", "write"}, {"dataset", kCollectionDataset}, {"rows", {{{"key", "canary"}, {"value", "Plaincanary-zq"}}}}},
      20000);
  ASSERT_TRUE(canary.contains("sequence")) << canary.dump();

  gateway_->stop();
  for (size_t i = 0; i < cluster_->size(); ++i) cluster_->kill(i, SIGTERM);
  std::vector<std::string> needles;
  for (int i = 0; i < kDocuments; i += 97) needles.push_back(name_of(i));
  needles.push_back("people");
  size_t canaries = 0;
  for (size_t i = 0; i < kMembers; ++i) {
    EXPECT_EQ(plaintext_in(cluster_->node(i).dir, needles), 0u) << "member " << i << " holds plaintext";
    canaries += plaintext_in(cluster_->node(i).dir, {"Plaincanary-zq"}) > 0 ? 1 : 0;
  }
  EXPECT_EQ(canaries, kMembers) << "the scan did not find the canary every member stores";
}

}  // namespace
}  // namespace fluence::testing
