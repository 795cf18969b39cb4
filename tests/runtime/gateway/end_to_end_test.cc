// The gateway against the real MongoDB C driver (libmongoc) over TCP on
// 127.0.0.1, with the in-memory store underneath: what an application sees.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "runtime/gateway/server.h"
#include "tests/runtime/gateway/memory_store.h"
#include "tests/runtime/gateway/mongo_driver.h"

namespace fluence::gateway {
namespace {

namespace asio = boost::asio;

using testing::Bson;

int64_t field(const bson_t* document, const char* dotted) {
  bson_iter_t it, found;
  if (!bson_iter_init(&it, document) || !bson_iter_find_descendant(&it, dotted, &found)) return -1;
  return bson_iter_as_int64(&found);
}

class GatewayEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mongoc_init(); }
  static void TearDownTestSuite() { mongoc_cleanup(); }

  void SetUp() override {
    EngineOptions options;
    options.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    engine_ = std::make_unique<CommandEngine>(store_, options);
    server_ = std::make_unique<GatewayServer>(io_, *engine_);
    Status listening = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(listening.is_ok()) << listening.to_string();
    io_thread_ = std::thread([this] { io_.run(); });
    // Short timeouts: a gateway that fails to answer fails the test instead
    // of hanging it.
    std::string uri = "mongodb://127.0.0.1:" + std::to_string(server_->port()) +
                      "/?serverSelectionTimeoutMS=5000&socketTimeoutMS=20000&appname=fluence-gateway-test";
    client_ = mongoc_client_new(uri.c_str());
    ASSERT_NE(client_, nullptr);
    collection_ = mongoc_client_get_collection(client_, "app", "items");
  }

  void TearDown() override {
    if (collection_) mongoc_collection_destroy(collection_);
    if (client_) mongoc_client_destroy(client_);  // sends endSessions
    asio::post(io_, [this] { server_->close(); });
    io_thread_.join();
  }

  // Runs `f` on the gateway's thread, which owns the engine and the store.
  template <typename F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  std::vector<int> find_ids(const std::string& filter, const std::string& opts, bool* had_score = nullptr) {
    Bson f(filter), o(opts);
    mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection_, f.bson, o.bson, nullptr);
    std::vector<int> ids;
    const bson_t* document;
    while (mongoc_cursor_next(cursor, &document)) {
      ids.push_back(static_cast<int>(field(document, "_id")));
      if (had_score != nullptr && bson_has_field(document, "score")) *had_score = true;
    }
    bson_error_t error;
    EXPECT_FALSE(mongoc_cursor_error(cursor, &error)) << error.message;
    mongoc_cursor_destroy(cursor);
    return ids;
  }

  int64_t count(const std::string& filter, const std::string& opts = "{}") {
    Bson f(filter), o(opts);
    bson_error_t error;
    int64_t n = mongoc_collection_count_documents(collection_, f.bson, o.bson, nullptr, nullptr, &error);
    EXPECT_GE(n, 0) << error.message;
    return n;
  }

  std::vector<std::string> collection_names() {
    mongoc_database_t* db = mongoc_client_get_database(client_, "app");
    bson_error_t error;
    char** names = mongoc_database_get_collection_names_with_opts(db, nullptr, &error);
    std::vector<std::string> out;
    EXPECT_NE(names, nullptr) << error.message;
    for (char** name = names; name && *name; ++name) out.emplace_back(*name);
    bson_strfreev(names);
    mongoc_database_destroy(db);
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::MemoryStore store_;
  asio::io_context io_{1};
  std::unique_ptr<CommandEngine> engine_;
  std::unique_ptr<GatewayServer> server_;
  std::thread io_thread_;
  mongoc_client_t* client_ = nullptr;
  mongoc_collection_t* collection_ = nullptr;
};

struct Item {
  int id, group, score;
};

constexpr int kItems = 10'000;

std::vector<Item> items() {
  std::vector<Item> out;
  // 7919 is prime to 10000, so scores are a permutation of 0..9999.
  for (int i = 0; i < kItems; ++i) out.push_back({i, i % 10, (i * 7919) % kItems});
  return out;
}

TEST_F(GatewayEndToEnd, TenThousandDocumentsThroughTheCDriver) {
  std::vector<Item> model = items();
  {
    std::vector<Document> documents;
    for (const Item& item : model) {
      bson_t d = BSON_INITIALIZER;
      BSON_APPEND_INT32(&d, "_id", item.id);
      BSON_APPEND_INT32(&d, "n", item.id);
      BSON_APPEND_INT32(&d, "group", item.group);
      BSON_APPEND_INT32(&d, "score", item.score);
      std::string name = "item-" + std::to_string(item.id);
      BSON_APPEND_UTF8(&d, "name", name.c_str());
      // Padding makes the insert a message of several read chunks.
      BSON_APPEND_UTF8(&d, "pad", std::string(150, 'p').c_str());
      documents.push_back(Document::adopt(&d));
    }
    // The driver takes a C array of pointers (a std::vector of bson_t*
    // would lose bson_t's alignment attribute).
    auto** pointers = static_cast<const bson_t**>(bson_malloc0(documents.size() * sizeof(bson_t*)));
    for (size_t i = 0; i < documents.size(); ++i) pointers[i] = documents[i].get();
    bson_t reply;
    bson_error_t error;
    bool inserted = mongoc_collection_insert_many(collection_, pointers, documents.size(), nullptr, &reply, &error);
    EXPECT_TRUE(inserted) << error.message;
    EXPECT_EQ(field(&reply, "insertedCount"), kItems);
    bson_destroy(&reply);
    bson_free(pointers);
  }
  EXPECT_EQ(count("{}"), kItems);

  // A range with sort, skip and limit, fetched 64 at a time (16 getMores).
  {
    std::vector<Item> expected;
    std::copy_if(model.begin(), model.end(), std::back_inserter(expected),
                 [](const Item& i) { return i.score >= 2000 && i.score < 7000; });
    std::sort(expected.begin(), expected.end(), [](const Item& a, const Item& b) { return a.score < b.score; });
    std::vector<int> want;
    for (size_t k = 100; k < 1100; ++k) want.push_back(expected[k].id);
    EXPECT_EQ(find_ids(R"({"score": {"$gte": 2000, "$lt": 7000}})",
                       R"({"sort": {"score": 1}, "skip": 100, "limit": 1000, "batchSize": 64})"),
                       want);
  }
  // Descending, $in, projection; every document of the answer, in batches
  // of the server's default size.
  {
    std::vector<int> want;
    for (int i = kItems - 1; i > 500; --i) {
      if (i % 10 == 1 || i % 10 == 3) want.push_back(i);
    }
    bool had_score = false;
    EXPECT_EQ(find_ids(R"({"n": {"$gt": 500}, "group": {"$in": [1, 3]}})", R"({"sort": {"n": -1}, "projection": {"name": 1}})",
                       &had_score),
              want);
    EXPECT_FALSE(had_score) << "the projection kept only name (and _id)";
  }
  // All of it, in insertion order, across getMore.
  {
    std::vector<int> all = find_ids("{}", "{}");
    ASSERT_EQ(all.size(), static_cast<size_t>(kItems));
    for (int i = 0; i < kItems; ++i) ASSERT_EQ(all[i], i);
  }
  // $or and $lte.
  {
    std::vector<int> want;
    for (const Item& i : model) {
      if (i.id < 20 || i.score <= 5) want.push_back(i.id);
    }
    EXPECT_EQ(find_ids(R"({"$or": [{"n": {"$lt": 20}}, {"score": {"$lte": 5}}]})", "{}"), want);
  }

  // update_many with $set and $inc.
  {
    Bson filter(R"({"group": 4})"), update(R"({"$set": {"flag": true}, "$inc": {"n": 1000000}})");
    bson_t reply;
    bson_error_t error;
    EXPECT_TRUE(mongoc_collection_update_many(collection_, filter.bson, update.bson, nullptr, &reply, &error))
        << error.message;
    EXPECT_EQ(field(&reply, "matchedCount"), 1000);
    EXPECT_EQ(field(&reply, "modifiedCount"), 1000);
    bson_destroy(&reply);
    EXPECT_EQ(count(R"({"flag": true})"), 1000);
    std::vector<int> want;
    for (int i = 4; i < kItems; i += 10) want.push_back(i);
    EXPECT_EQ(find_ids(R"({"n": {"$gte": 1000000}})", R"({"sort": {"_id": 1}})"), want);
    EXPECT_EQ(find_ids(R"({"n": 1000014})", "{}"), std::vector<int>{14});
  }

  // delete_many, then counts with skip and limit.
  {
    Bson filter(R"({"group": {"$in": [0, 1]}})");
    bson_t reply;
    bson_error_t error;
    EXPECT_TRUE(mongoc_collection_delete_many(collection_, filter.bson, nullptr, &reply, &error)) << error.message;
    EXPECT_EQ(field(&reply, "deletedCount"), 2000);
    bson_destroy(&reply);
    EXPECT_EQ(count("{}"), 8000);
    EXPECT_EQ(count(R"({"group": 5})", R"({"skip": 10, "limit": 50})"), 50);
    EXPECT_EQ(count(R"({"group": 5})", R"({"skip": 990})"), 10);
    EXPECT_EQ(count(R"({"group": 0})"), 0);
    EXPECT_EQ(mongoc_collection_estimated_document_count(collection_, nullptr, nullptr, nullptr, &error), 8000)
        << error.message;
  }

  // Indexes, with the ORE kind recorded and reported.
  {
    Bson command(R"({"createIndexes": "items", "indexes": [{"key": {"score": "ore"}, "name": "score_ore"}, {"key": {"group": 1}, "name": "group_1"}]})");
    bson_t reply;
    bson_error_t error;
    EXPECT_TRUE(mongoc_collection_write_command_with_opts(collection_, command.bson, nullptr, &reply, &error))
        << error.message;
    EXPECT_EQ(field(&reply, "numIndexesAfter"), 3);
    bson_destroy(&reply);
    mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(collection_, nullptr);
    const bson_t* index;
    std::vector<std::string> names;
    while (mongoc_cursor_next(cursor, &index)) {
      bson_iter_t it;
      ASSERT_TRUE(bson_iter_init_find(&it, index, "name"));
      names.emplace_back(bson_iter_utf8(&it, nullptr));
      if (names.back() == "score_ore") {
        ASSERT_TRUE(bson_iter_init_find(&it, index, "fluenceKind"));
        EXPECT_STREQ(bson_iter_utf8(&it, nullptr), "ore");
      }
    }
    EXPECT_FALSE(mongoc_cursor_error(cursor, &error)) << error.message;
    mongoc_cursor_destroy(cursor);
    EXPECT_EQ(names, (std::vector<std::string>{"_id_", "score_ore", "group_1"}));
  }

  // Collections: list, then drop.
  {
    mongoc_collection_t* other = mongoc_client_get_collection(client_, "app", "other");
    Bson doc(R"({"x": 1})");
    bson_error_t error;
    EXPECT_TRUE(mongoc_collection_insert_one(other, doc.bson, nullptr, nullptr, &error)) << error.message;
    EXPECT_EQ(collection_names(), (std::vector<std::string>{"items", "other"}));
    EXPECT_TRUE(mongoc_collection_drop(collection_, &error)) << error.message;
    EXPECT_EQ(collection_names(), (std::vector<std::string>{"other"}));
    EXPECT_EQ(count("{}"), 0);
    mongoc_collection_destroy(other);
  }
}

TEST_F(GatewayEndToEnd, UnsupportedCommandsAnswerWithErrorsNotHangs) {
  auto started = std::chrono::steady_clock::now();
  bson_error_t error;
  bson_t reply;
  Bson server_status(R"({"serverStatus": 1})");
  EXPECT_FALSE(mongoc_client_command_simple(client_, "admin", server_status.bson, nullptr, &reply, &error));
  EXPECT_EQ(error.code, 59u) << error.message;
  EXPECT_EQ(field(&reply, "code"), 59);
  bson_destroy(&reply);

  Bson bad_filter(R"({"a": {"$where": 1}})");
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection_, bad_filter.bson, nullptr, nullptr);
  const bson_t* document;
  EXPECT_FALSE(mongoc_cursor_next(cursor, &document));
  EXPECT_TRUE(mongoc_cursor_error(cursor, &error));
  EXPECT_EQ(error.code, 2u) << error.message;
  mongoc_cursor_destroy(cursor);

  // The connection still serves after errors.
  Bson ping(R"({"ping": 1})");
  EXPECT_TRUE(mongoc_client_command_simple(client_, "admin", ping.bson, nullptr, nullptr, &error)) << error.message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(GatewayEndToEnd, AbandonedCursorsAreKilled) {
  for (int i = 0; i < 50; ++i) {
    Bson doc("{\"_id\": " + std::to_string(i) + "}");
    bson_error_t error;
    ASSERT_TRUE(mongoc_collection_insert_one(collection_, doc.bson, nullptr, nullptr, &error)) << error.message;
  }
  Bson filter("{}"), opts(R"({"batchSize": 5})");
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection_, filter.bson, opts.bson, nullptr);
  const bson_t* document;
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(mongoc_cursor_next(cursor, &document));
  EXPECT_EQ(on_io([this] { return engine_->open_cursors(); }), 1u);
  mongoc_cursor_destroy(cursor);  // the driver sends killCursors
  Bson ping(R"({"ping": 1})");
  bson_error_t error;
  EXPECT_TRUE(mongoc_client_command_simple(client_, "admin", ping.bson, nullptr, nullptr, &error));
  EXPECT_EQ(on_io([this] { return engine_->open_cursors(); }), 0u);
}

// Bytes that are not MongoDB's protocol close the connection; the server
// goes on serving others.
TEST_F(GatewayEndToEnd, GarbageAndOversizedFramesCloseTheConnection) {
  asio::io_context io;
  auto send_and_wait_for_close = [&](const Bytes& bytes) {
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(bytes));
    uint8_t byte;
    boost::system::error_code ec;
    size_t n = socket.read_some(asio::buffer(&byte, 1), ec);  // blocks until the server closes
    EXPECT_EQ(n, 0u);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  };
  // messageLength of 1 GB: refused from the header, before any buffering.
  send_and_wait_for_close({0x00, 0x00, 0x00, 0x40, 1, 0, 0, 0, 0, 0, 0, 0, 0xDD, 0x07, 0, 0});
  // An HTTP request on the MongoDB port.
  std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  send_and_wait_for_close(Bytes(http.begin(), http.end()));
  Bson ping(R"({"ping": 1})");
  bson_error_t error;
  EXPECT_TRUE(mongoc_client_command_simple(client_, "admin", ping.bson, nullptr, nullptr, &error)) << error.message;
}

}  // namespace
}  // namespace fluence::gateway
