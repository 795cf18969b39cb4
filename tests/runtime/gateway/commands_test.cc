#include "runtime/gateway/commands.h"

#include <gtest/gtest.h>

#include "tests/runtime/gateway/memory_store.h"

namespace fluence::gateway {
namespace {

Document J(const std::string& json) { return Document::from_json(json); }

class CommandsTest : public ::testing::Test {
 protected:
  Document run(const std::string& json, const std::vector<wire::DocumentSequence>& sequences = {}) {
    return engine_.run_command(J(json), sequences, 9);
  }
  static double ok_of(const Document& reply) {
    bson_iter_t it;
    return reply.find("ok", &it) ? bson_iter_as_double(&it) : -1;
  }
  static int32_t code_of(const Document& reply) {
    bson_iter_t it;
    return reply.find("code", &it) ? bson_iter_int32(&it) : 0;
  }
  static int64_t int_at(const Document& reply, const char* dotted) {
    bson_iter_t it, found;
    if (!bson_iter_init(&it, reply.get()) || !bson_iter_find_descendant(&it, dotted, &found)) return -1;
    return bson_iter_as_int64(&found);
  }
  static std::vector<int64_t> batch_ids(const Document& reply, const char* batch) {
    bson_iter_t it, array, element;
    std::vector<int64_t> ids;
    std::string path = std::string("cursor.") + batch;
    if (!bson_iter_init(&it, reply.get()) || !bson_iter_find_descendant(&it, path.c_str(), &array)) return ids;
    bson_iter_recurse(&array, &element);
    while (bson_iter_next(&element)) {
      bson_iter_t id;
      if (bson_iter_recurse(&element, &id) && bson_iter_find(&id, "_id")) ids.push_back(bson_iter_as_int64(&id));
    }
    return ids;
  }
  void insert_numbers(int count) {
    std::string docs = "[";
    for (int i = 0; i < count; ++i) {
      docs += (i ? "," : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "n": )" + std::to_string(i) +
              R"(, "g": )" + std::to_string(i % 3) + "}";
    }
    docs += "]";
    Document reply = run(R"({"insert": "c", "$db": "d", "documents": )" + docs + "}");
    ASSERT_EQ(ok_of(reply), 1.0) << reply.to_json();
    ASSERT_EQ(int_at(reply, "n"), count);
  }

  testing::MemoryStore store_;
  CommandEngine engine_{store_, [] {
                          EngineOptions o;
                          o.now_ms = [] { return int64_t{1'700'000'000'000}; };
                          o.max_open_cursors = 4;
                          return o;
                        }()};
};

TEST_F(CommandsTest, HelloDescribesAWritableStandalone) {
  Document reply = run(R"({"hello": 1, "helloOk": true, "$db": "admin"})");
  bson_iter_t it;
  ASSERT_TRUE(reply.find("isWritablePrimary", &it));
  EXPECT_TRUE(bson_iter_bool(&it));
  EXPECT_EQ(int_at(reply, "maxWireVersion"), kMaxWireVersion);
  EXPECT_EQ(int_at(reply, "maxBsonObjectSize"), 16 * 1024 * 1024);
  EXPECT_EQ(int_at(reply, "maxMessageSizeBytes"), 48'000'000);
  EXPECT_EQ(int_at(reply, "maxWriteBatchSize"), 100'000);
  EXPECT_EQ(int_at(reply, "connectionId"), 9);
  EXPECT_EQ(int_at(reply, "logicalSessionTimeoutMinutes"), 30);
  ASSERT_TRUE(reply.find("localTime", &it));
  EXPECT_EQ(bson_iter_date_time(&it), 1'700'000'000'000);
  EXPECT_TRUE(reply.find("helloOk", &it));
  EXPECT_EQ(ok_of(reply), 1.0);
  Document legacy = run(R"({"isMaster": 1, "$db": "admin"})");
  EXPECT_TRUE(legacy.find("ismaster", &it));
  EXPECT_EQ(ok_of(run(R"({"ping": 1, "$db": "admin"})")), 1.0);
  EXPECT_EQ(ok_of(run(R"({"buildInfo": 1, "$db": "admin"})")), 1.0);
  EXPECT_EQ(ok_of(run(R"({"endSessions": [{"id": 1}], "$db": "admin"})")), 1.0);
}

TEST_F(CommandsTest, UnknownCommandsGetCommandNotFound) {
  for (const char* command : {R"({"serverStatus": 1, "$db": "admin"})", R"({"getLastError": 1, "$db": "d"})",
                              R"({"mapReduce": "c", "$db": "d"})",
                              // The sharing commands need a gateway with a node connection.
                              R"({"fluenceIdentity": 1, "$db": "admin"})", R"({"fluenceShare": "c", "$db": "d"})"}) {
    Document reply = run(command);
    EXPECT_EQ(ok_of(reply), 0.0);
    EXPECT_EQ(code_of(reply), 59) << reply.to_json();
    bson_iter_t it;
    ASSERT_TRUE(reply.find("codeName", &it));
    EXPECT_EQ(utf8_of(&it), "CommandNotFound");
    EXPECT_TRUE(reply.find("errmsg", &it));
  }
  EXPECT_EQ(code_of(run(R"({"ping": 1})")), 2) << "no $db";
}

TEST_F(CommandsTest, BadArgumentsGetBadValueOrTypeMismatch) {
  insert_numbers(3);
  EXPECT_EQ(code_of(run(R"({"find": "c", "filter": 5, "$db": "d"})")), 14);
  EXPECT_EQ(code_of(run(R"({"find": "c", "limit": "x", "$db": "d"})")), 14);
  EXPECT_EQ(code_of(run(R"({"find": "c", "limit": -1, "$db": "d"})")), 2);
  EXPECT_EQ(code_of(run(R"({"find": "c", "skip": 1.5, "$db": "d"})")), 2);
  EXPECT_EQ(code_of(run(R"({"find": "c", "filter": {"a": {"$foo": 1}}, "$db": "d"})")), 2);
  EXPECT_EQ(code_of(run(R"({"find": "c", "collation": {"locale": "fr"}, "$db": "d"})")), 2);
  EXPECT_EQ(code_of(run(R"({"insert": "c", "documents": 5, "$db": "d"})")), 14);
  EXPECT_EQ(code_of(run(R"({"delete": "c", "deletes": [{"q": {}, "limit": 5}], "$db": "d"})")), 0)
      << "a bad statement is a write error, not a command error";
  EXPECT_EQ(code_of(run(R"({"find": 5, "$db": "d"})")), 73);
  EXPECT_EQ(code_of(run(R"({"find": "c", "$db": "bad.name"})")), 73);
  EXPECT_EQ(code_of(run(R"({"getMore": "x", "collection": "c", "$db": "d"})")), 14);
  EXPECT_EQ(code_of(run(R"({"find": "c", "startTransaction": true, "$db": "d"})")), 20);
}

TEST_F(CommandsTest, InsertReportsDuplicateKeysAsWriteErrors) {
  Document first = run(R"({"insert": "c", "$db": "d", "documents": [{"_id": 1}, {"_id": 1}, {"_id": 2}]})");
  EXPECT_EQ(ok_of(first), 1.0);
  EXPECT_EQ(int_at(first, "n"), 1) << "ordered stops at the first error";
  EXPECT_EQ(int_at(first, "writeErrors.0.code"), 11000);
  EXPECT_EQ(int_at(first, "writeErrors.0.index"), 1);
  Document unordered =
      run(R"({"insert": "c", "$db": "d", "ordered": false, "documents": [{"_id": 1}, {"_id": 3}, {"_id": 2}]})");
  EXPECT_EQ(int_at(unordered, "n"), 2);
  // Documents in a kind-1 sequence, and _id generated when missing.
  Document sequenced = run(R"({"insert": "c", "$db": "d"})", {{"documents", {J(R"({"x": 1})"), J(R"({"x": 2})")}}});
  EXPECT_EQ(int_at(sequenced, "n"), 2);
  Document found = run(R"({"find": "c", "filter": {"x": 1}, "$db": "d"})");
  bson_iter_t it, id;
  ASSERT_TRUE(bson_iter_init(&it, found.get()) && bson_iter_find_descendant(&it, "cursor.firstBatch.0._id", &id));
  EXPECT_TRUE(BSON_ITER_HOLDS_OID(&id));
}

TEST_F(CommandsTest, FindBatchesGetMoreAndKillCursors) {
  insert_numbers(10);
  Document first = run(R"({"find": "c", "filter": {"n": {"$gte": 2}}, "sort": {"n": -1}, "batchSize": 3, "$db": "d"})");
  EXPECT_EQ(batch_ids(first, "firstBatch"), (std::vector<int64_t>{9, 8, 7}));
  int64_t cursor = int_at(first, "cursor.id");
  ASSERT_GT(cursor, 0);
  Document more = run(R"({"getMore": {"$numberLong": ")" + std::to_string(cursor) +
                      R"("}, "collection": "c", "batchSize": 4, "$db": "d"})");
  EXPECT_EQ(batch_ids(more, "nextBatch"), (std::vector<int64_t>{6, 5, 4, 3}));
  EXPECT_EQ(int_at(more, "cursor.id"), cursor);
  Document last = run(R"({"getMore": {"$numberLong": ")" + std::to_string(cursor) + R"("}, "collection": "c", "$db": "d"})");
  EXPECT_EQ(batch_ids(last, "nextBatch"), (std::vector<int64_t>{2}));
  EXPECT_EQ(int_at(last, "cursor.id"), 0);
  Document gone = run(R"({"getMore": {"$numberLong": ")" + std::to_string(cursor) + R"("}, "collection": "c", "$db": "d"})");
  EXPECT_EQ(code_of(gone), 43);

  Document again = run(R"({"find": "c", "batchSize": 2, "skip": 1, "limit": 5, "projection": {"n": 0}, "$db": "d"})");
  EXPECT_EQ(batch_ids(again, "firstBatch"), (std::vector<int64_t>{1, 2}));
  bson_iter_t it, n;
  EXPECT_FALSE(bson_iter_init(&it, again.get()) && bson_iter_find_descendant(&it, "cursor.firstBatch.0.n", &n));
  int64_t open = int_at(again, "cursor.id");
  Document killed = run(R"({"killCursors": "c", "cursors": [{"$numberLong": ")" + std::to_string(open) +
                        R"("}, {"$numberLong": "12345"}], "$db": "d"})");
  EXPECT_EQ(int_at(killed, "cursorsKilled.0"), open);
  EXPECT_EQ(int_at(killed, "cursorsNotFound.0"), 12345);
  EXPECT_EQ(engine_.open_cursors(), 0u);

  Document single = run(R"({"find": "c", "batchSize": 2, "singleBatch": true, "$db": "d"})");
  EXPECT_EQ(int_at(single, "cursor.id"), 0);
}

TEST_F(CommandsTest, CursorTableIsBounded) {
  insert_numbers(5);
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(int_at(run(R"({"find": "c", "batchSize": 1, "$db": "d"})"), "cursor.id"));
  EXPECT_EQ(engine_.open_cursors(), 4u);
  Document evicted = run(R"({"getMore": {"$numberLong": ")" + std::to_string(ids[0]) + R"("}, "collection": "c", "$db": "d"})");
  EXPECT_EQ(code_of(evicted), 43);
  Document kept = run(R"({"getMore": {"$numberLong": ")" + std::to_string(ids[5]) + R"("}, "collection": "c", "$db": "d"})");
  EXPECT_EQ(ok_of(kept), 1.0);
}

TEST_F(CommandsTest, UpdateDeleteAndCount) {
  insert_numbers(9);
  Document multi = run(R"({"update": "c", "$db": "d", "updates": [{"q": {"g": 1}, "u": {"$inc": {"n": 100}, "$set": {"f": true}}, "multi": true}]})");
  EXPECT_EQ(int_at(multi, "n"), 3);
  EXPECT_EQ(int_at(multi, "nModified"), 3);
  EXPECT_EQ(int_at(run(R"({"count": "c", "query": {"n": {"$gt": 100}}, "$db": "d"})"), "n"), 3);
  Document one = run(R"({"update": "c", "$db": "d", "updates": [{"q": {"g": 0}, "u": {"$set": {"n": 0}}}]})");
  EXPECT_EQ(int_at(one, "n"), 1);
  EXPECT_EQ(int_at(one, "nModified"), 0) << "the first g=0 document already has n=0";
  Document upsert = run(R"({"update": "c", "$db": "d", "updates": [{"q": {"_id": 50}, "u": {"$set": {"z": 1}}, "upsert": true}]})");
  EXPECT_EQ(int_at(upsert, "upserted.0._id"), 50);
  Document bad = run(R"({"update": "c", "$db": "d", "updates": [{"q": {}, "u": {"$set": {"_id": 7}}}]})");
  EXPECT_EQ(int_at(bad, "writeErrors.0.code"), 66);
  Document replace_multi = run(R"({"update": "c", "$db": "d", "updates": [{"q": {}, "u": {"a": 1}, "multi": true}]})");
  EXPECT_EQ(int_at(replace_multi, "writeErrors.0.code"), 9);
  Document pipeline = run(R"({"update": "c", "$db": "d", "updates": [{"q": {}, "u": [{"$set": {"a": 1}}]}]})");
  EXPECT_EQ(int_at(pipeline, "writeErrors.0.code"), 2);

  Document removed = run(R"({"delete": "c", "$db": "d", "deletes": [{"q": {"g": 2}, "limit": 0}, {"q": {"g": 0}, "limit": 1}]})");
  EXPECT_EQ(int_at(removed, "n"), 4);
  EXPECT_EQ(int_at(run(R"({"count": "c", "$db": "d"})"), "n"), 6);
  EXPECT_EQ(int_at(run(R"({"count": "c", "skip": 2, "limit": 3, "$db": "d"})"), "n"), 3);
  EXPECT_EQ(int_at(run(R"({"count": "missing", "$db": "d"})"), "n"), 0);
}

TEST_F(CommandsTest, NoDocumentIsStoredPastSixteenMebibytes) {
  const std::string nine_mb(9 * 1024 * 1024, 'x');
  Document first = run(R"({"insert": "c", "$db": "d", "documents": [{"_id": 1, "a": ")" + nine_mb + R"("}]})");
  ASSERT_EQ(int_at(first, "n"), 1) << "9 MiB is within the limit";
  // A second 9 MiB field would make an 18 MiB document: refused, the stored one unchanged.
  Document grown = run(R"({"update": "c", "$db": "d", "updates": [{"q": {"_id": 1}, "u": {"$set": {"b": ")" +
                       nine_mb + R"("}}}]})");
  EXPECT_EQ(int_at(grown, "writeErrors.0.code"), 17419) << grown.to_json().substr(0, 300);
  EXPECT_EQ(int_at(grown, "nModified"), 0);
  EXPECT_EQ(int_at(run(R"({"count": "c", "query": {"b": {"$exists": true}}, "$db": "d"})"), "n"), 0);
  // A document of exactly the limit passes the wire, but the _id the
  // gateway adds takes it past: refused as MongoDB refuses it.
  size_t skeleton = Document::from_json(R"({"a": ""})").get()->len;
  std::string exact(16 * 1024 * 1024 - skeleton, 'y');
  Document at_limit = J(R"({"a": ")" + exact + R"("})");
  ASSERT_EQ(at_limit.get()->len, 16u * 1024 * 1024);
  std::vector<wire::DocumentSequence> sequence(1);
  sequence[0].identifier = "documents";
  sequence[0].documents.push_back(std::move(at_limit));
  Document with_id = run(R"({"insert": "c", "$db": "d"})", sequence);
  EXPECT_EQ(int_at(with_id, "n"), 0);
  EXPECT_EQ(int_at(with_id, "writeErrors.0.code"), 2) << with_id.to_json().substr(0, 300);
  EXPECT_EQ(int_at(run(R"({"count": "c", "$db": "d"})"), "n"), 1);
}

TEST_F(CommandsTest, AggregateCountsAndRunsSimpleStages) {
  insert_numbers(10);
  // The pipeline mongoc_collection_count_documents sends.
  Document count = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$match": {"n": {"$lt": 7}}}, {"$skip": 1}, {"$limit": 4}, {"$group": {"_id": 1, "n": {"$sum": 1}}}]})");
  EXPECT_EQ(int_at(count, "cursor.firstBatch.0.n"), 4) << count.to_json();
  Document none = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$match": {"n": 99}}, {"$group": {"_id": 1, "n": {"$sum": 1}}}]})");
  EXPECT_EQ(batch_ids(none, "firstBatch").size(), 0u);
  Document grouped = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$group": {"_id": "$g", "total": {"$sum": "$n"}}}, {"$sort": {"_id": 1}}]})");
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.0.total"), 0 + 3 + 6 + 9);
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.2.total"), 2 + 5 + 8);
  Document counted = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$sort": {"n": -1}}, {"$limit": 3}, {"$project": {"n": 1}}, {"$count": "k"}]})");
  EXPECT_EQ(int_at(counted, "cursor.firstBatch.0.k"), 3);
  Document unknown = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$lookup": {}}]})");
  EXPECT_EQ(code_of(unknown), 40324);
  EXPECT_EQ(code_of(run(R"({"aggregate": "c", "$db": "d", "pipeline": []})")), 9);
  EXPECT_EQ(code_of(run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": 3})")), 14);
}

// A count or size given as a double is taken only when it is a whole number
// int64 holds: libbson's conversion of any other double is undefined (on x86
// it gave INT64_MIN), and truncation made {limit: 0.5} a delete of all.
TEST_F(CommandsTest, IntegerArgumentsRefuseDoublesTheyCannotHold) {
  insert_numbers(4);
  for (const char* stage : {R"({"$limit": 1e300})", R"({"$skip": {"$numberDouble": "NaN"}})", R"({"$limit": 2.5})",
                            R"({"$skip": {"$numberDouble": "-Infinity"}})"}) {
    Document reply = run(std::string(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [)") + stage + "]}");
    EXPECT_EQ(code_of(reply), 2) << stage << ": " << reply.to_json();
  }
  EXPECT_EQ(code_of(run(R"({"aggregate": "c", "cursor": {"batchSize": 1e300}, "$db": "d", "pipeline": []})")), 2);
  EXPECT_EQ(code_of(run(R"({"listIndexes": "c", "cursor": {"batchSize": 1e300}, "$db": "d"})")), 2);
  Document half = run(R"({"delete": "c", "deletes": [{"q": {}, "limit": 0.5}], "$db": "d"})");
  EXPECT_EQ(int_at(half, "n"), 0) << half.to_json();
  EXPECT_EQ(int_at(half, "writeErrors.0.code"), 2) << half.to_json();
  EXPECT_EQ(int_at(run(R"({"count": "c", "$db": "d"})"), "n"), 4);
  Document whole = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$skip": 1.0}, {"$limit": 2.0}]})");
  EXPECT_EQ(batch_ids(whole, "firstBatch"), (std::vector<int64_t>{1, 2})) << whole.to_json();
}

// A $sum past int64 goes on in double from the operands, as MongoDB's
// does; it used to continue from the wrapped sum and change sign.
TEST_F(CommandsTest, GroupSumOverflowsIntoDouble) {
  Document inserted = run(R"({"insert": "c", "$db": "d", "documents": [
      {"_id": 1, "n": {"$numberLong": "9223372036854775807"}}, {"_id": 2, "n": 1}]})");
  ASSERT_EQ(int_at(inserted, "n"), 2);
  Document sum = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$sort": {"_id": 1}},
      {"$group": {"_id": null, "total": {"$sum": "$n"}}}]})");
  bson_iter_t it, total;
  ASSERT_TRUE(bson_iter_init(&it, sum.get()) && bson_iter_find_descendant(&it, "cursor.firstBatch.0.total", &total))
      << sum.to_json();
  ASSERT_TRUE(BSON_ITER_HOLDS_DOUBLE(&total)) << sum.to_json();
  EXPECT_EQ(bson_iter_double(&total), 9223372036854775808.0);
}

TEST_F(CommandsTest, GroupKeysEqualAsMongoDBComparesThemShareABucket) {
  Document inserted = run(R"({"insert": "c", "$db": "d", "documents": [
      {"_id": 1, "k": {"$numberInt": "1"}, "n": 1}, {"_id": 2, "k": {"$numberDouble": "1.0"}, "n": 2},
      {"_id": 3, "k": "1", "n": 4}, {"_id": 4, "k": {"$numberLong": "1"}, "n": 8}, {"_id": 5, "k": 2, "n": 16}]})");
  ASSERT_EQ(int_at(inserted, "n"), 5);
  Document grouped = run(R"({"aggregate": "c", "cursor": {}, "$db": "d", "pipeline": [{"$sort": {"_id": 1}},
      {"$group": {"_id": "$k", "total": {"$sum": "$n"}}}]})");
  // Buckets in order of first appearance; the string "1" is not the number 1.
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.0.total"), 1 + 2 + 8) << grouped.to_json();
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.1.total"), 4);
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.2.total"), 16);
  EXPECT_EQ(int_at(grouped, "cursor.firstBatch.3.total"), -1) << "three buckets";

  std::string docs = "[";
  for (int i = 0; i < 4000; ++i) {
    docs += (i ? "," : "") + std::string(R"({"_id": )") + std::to_string(i) + R"(, "k": )" + std::to_string(i % 2000) + "}";
  }
  ASSERT_EQ(int_at(run(R"({"insert": "many", "$db": "d", "documents": )" + docs + "]}"), "n"), 4000);
  Document pairs = run(R"({"aggregate": "many", "cursor": {}, "$db": "d", "pipeline": [
      {"$group": {"_id": "$k", "c": {"$sum": 1}}}, {"$match": {"c": 2}}, {"$count": "groups"}]})");
  EXPECT_EQ(int_at(pairs, "cursor.firstBatch.0.groups"), 2000) << pairs.to_json();
}

TEST_F(CommandsTest, CollectionsAndIndexes) {
  Document created = run(R"({"createIndexes": "people", "$db": "d", "indexes": [{"key": {"age": "ore"}, "name": "age_ore"}, {"key": {"name": 1}, "name": "name_1"}]})");
  EXPECT_EQ(ok_of(created), 1.0) << created.to_json();
  EXPECT_EQ(int_at(created, "numIndexesBefore"), 1);
  EXPECT_EQ(int_at(created, "numIndexesAfter"), 3);
  bson_iter_t it;
  ASSERT_TRUE(created.find("createdCollectionAutomatically", &it));
  EXPECT_TRUE(bson_iter_bool(&it));
  Document again = run(R"({"createIndexes": "people", "$db": "d", "indexes": [{"key": {"age": "ore"}, "name": "age_ore"}]})");
  EXPECT_EQ(int_at(again, "numIndexesAfter"), 3);
  EXPECT_EQ(code_of(run(R"({"createIndexes": "people", "$db": "d", "indexes": [{"key": {"age": 1}, "name": "age_ore"}]})")), 85);
  EXPECT_EQ(code_of(run(R"({"createIndexes": "people", "$db": "d", "indexes": [{"key": {"t": "text"}, "name": "t"}]})")), 67);
  Document listed = run(R"({"listIndexes": "people", "$db": "d"})");
  bson_iter_t root, kind;
  ASSERT_TRUE(bson_iter_init(&root, listed.get()) && bson_iter_find_descendant(&root, "cursor.firstBatch.1.fluenceKind", &kind));
  EXPECT_EQ(utf8_of(&kind), "ore");
  ASSERT_TRUE(bson_iter_init(&root, listed.get()) && bson_iter_find_descendant(&root, "cursor.firstBatch.0.name", &kind));
  EXPECT_EQ(utf8_of(&kind), "_id_");
  EXPECT_EQ(code_of(run(R"({"listIndexes": "nothing", "$db": "d"})")), 26);

  EXPECT_EQ(ok_of(run(R"({"create": "empty", "$db": "d"})")), 1.0);
  EXPECT_EQ(code_of(run(R"({"create": "empty", "$db": "d"})")), 48);
  Document collections = run(R"({"listCollections": 1, "nameOnly": true, "filter": {"name": "people"}, "$db": "d"})");
  ASSERT_TRUE(bson_iter_init(&root, collections.get()) && bson_iter_find_descendant(&root, "cursor.firstBatch.0.name", &kind));
  EXPECT_EQ(utf8_of(&kind), "people");
  EXPECT_FALSE(bson_iter_init(&root, collections.get()) && bson_iter_find_descendant(&root, "cursor.firstBatch.1", &kind));
  EXPECT_EQ(ok_of(run(R"({"drop": "people", "$db": "d"})")), 1.0);
  EXPECT_EQ(code_of(run(R"({"drop": "people", "$db": "d"})")), 26);
  EXPECT_EQ(ok_of(run(R"({"dropDatabase": 1, "$db": "d"})")), 1.0);
  Document after = run(R"({"listCollections": 1, "$db": "d"})");
  EXPECT_FALSE(bson_iter_init(&root, after.get()) && bson_iter_find_descendant(&root, "cursor.firstBatch.0", &kind));
}

TEST_F(CommandsTest, AListCollectionsCursorPagesThroughGetMore) {
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_EQ(ok_of(run(std::string(R"({"create": ")") + name + R"(", "$db": "d"})")), 1.0);
  }
  Document first = run(R"({"listCollections": 1, "nameOnly": true, "cursor": {"batchSize": 1}, "$db": "d"})");
  ASSERT_EQ(ok_of(first), 1.0) << first.to_json();
  bson_iter_t it, found;
  ASSERT_TRUE(bson_iter_init(&it, first.get()) && bson_iter_find_descendant(&it, "cursor.id", &found));
  int64_t id = bson_iter_as_int64(&found);
  ASSERT_NE(id, 0) << "two collections left";
  std::vector<std::string> names;
  auto collect = [&names](const Document& reply, const char* batch) {
    for (int i = 0;; ++i) {
      bson_iter_t at, name;
      std::string path = std::string("cursor.") + batch + "." + std::to_string(i) + ".name";
      if (!bson_iter_init(&at, reply.get()) || !bson_iter_find_descendant(&at, path.c_str(), &name)) return;
      names.push_back(bson_iter_utf8(&name, nullptr));
    }
  };
  collect(first, "firstBatch");
  Document more = run(R"({"getMore": {"$numberLong": ")" + std::to_string(id) +
                      R"("}, "collection": "$cmd.listCollections", "$db": "d"})");
  ASSERT_EQ(ok_of(more), 1.0) << more.to_json();
  collect(more, "nextBatch");
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(int_at(more, "cursor.id"), 0);
  // The special name reads only the cursor the table gave it; others stay refused.
  Document stranger = run(R"({"getMore": {"$numberLong": "1"}, "collection": "$cmd.other", "$db": "d"})");
  EXPECT_EQ(code_of(stranger), 73) << stranger.to_json();
}

TEST_F(CommandsTest, BackendFailuresBecomeRetryableNetworkErrors) {
  store_.fail_with(Status::error(ErrorCode::kUnavailable, "cluster unreachable"));
  Document reply = run(R"({"find": "c", "$db": "d"})");
  EXPECT_EQ(code_of(reply), 6);
  Document insert = run(R"({"insert": "c", "$db": "d", "documents": [{"a": 1}, {"a": 2}]})");
  EXPECT_EQ(int_at(insert, "writeErrors.0.code"), 6);
  EXPECT_EQ(int_at(insert, "n"), 0);
  store_.fail_with(Status::error(ErrorCode::kTimeout, "slow"));
  EXPECT_EQ(code_of(run(R"({"count": "c", "$db": "d"})")), 89);
  store_.fail_with(std::nullopt);
  EXPECT_EQ(ok_of(run(R"({"count": "c", "$db": "d"})")), 1.0);
}

// The message level: framing, OP_QUERY handshakes, moreToCome.
TEST_F(CommandsTest, MessagesGetRepliesOfTheRightShape) {
  Bytes msg = wire::serialize_op_msg(77, 0, J(R"({"ping": 1, "$db": "admin"})"));
  CommandEngine::Response response = engine_.handle_message(msg, 1);
  ASSERT_TRUE(response.reply.has_value());
  Result<wire::Message> reply = wire::parse_message(*response.reply, wire::Limits{});
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(reply->header.response_to, 77);
  EXPECT_EQ(ok_of(std::get<wire::OpMsg>(reply->body).body), 1.0);

  Bytes quiet = wire::serialize_op_msg(78, 0, J(R"({"insert": "c", "$db": "d", "documents": [{"a": 1}]})"), wire::kMoreToCome);
  response = engine_.handle_message(quiet, 1);
  EXPECT_FALSE(response.reply.has_value());
  EXPECT_FALSE(response.close);
  EXPECT_EQ(int_at(run(R"({"count": "c", "$db": "d"})"), "n"), 1) << "an unacknowledged write still happens";

  Bytes corrupt = msg;
  corrupt[22] = 0xFF;  // the body's length, so the body no longer parses
  response = engine_.handle_message(corrupt, 1);
  ASSERT_TRUE(response.reply.has_value()) << "a framed but unparsable OP_MSG gets an error reply";
  reply = wire::parse_message(*response.reply, wire::Limits{});
  ASSERT_TRUE(reply.is_ok());
  EXPECT_EQ(ok_of(std::get<wire::OpMsg>(reply->body).body), 0.0);

  Bytes lying = msg;
  lying[0] = 0x05;  // messageLength below the header
  response = engine_.handle_message(lying, 1);
  EXPECT_TRUE(response.close);
  EXPECT_FALSE(response.why.empty());
}

Bytes op_query(const std::string& collection, const Document& query) {
  Bytes out(16, 0);
  auto put = [&](int32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i)));
  };
  put(0);
  out.insert(out.end(), collection.begin(), collection.end());
  out.push_back(0);
  put(0);
  put(-1);
  ByteView bytes = query.bytes();
  out.insert(out.end(), bytes.begin(), bytes.end());
  uint32_t length = static_cast<uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(length >> (8 * i));
  out[4] = 33;                                         // requestID
  out[12] = static_cast<uint8_t>(wire::kOpQuery & 0xFF);  // opCode 2004 = 0x07D4
  out[13] = static_cast<uint8_t>(wire::kOpQuery >> 8);
  return out;
}

TEST_F(CommandsTest, OpQueryCarriesOnlyTheHandshake) {
  CommandEngine::Response response =
      engine_.handle_message(op_query("admin.$cmd", J(R"({"isMaster": 1, "helloOk": true})")), 4);
  ASSERT_TRUE(response.reply.has_value());
  Result<wire::Header> header = wire::parse_header(*response.reply, wire::Limits{});
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->op_code, wire::kOpReply);
  EXPECT_EQ(header->response_to, 33);
  // OP_REPLY: header, flags, cursorID, startingFrom, numberReturned, document.
  Result<Document> document = Document::parse(ByteView(*response.reply).subspan(16 + 20));
  ASSERT_TRUE(document.is_ok());
  bson_iter_t it;
  EXPECT_TRUE(document->find("ismaster", &it));
  EXPECT_EQ(ok_of(*document), 1.0);

  response = engine_.handle_message(op_query("admin.$cmd", J(R"({"$query": {"hello": 1}})")), 4);
  document = Document::parse(ByteView(*response.reply).subspan(36));
  ASSERT_TRUE(document.is_ok());
  EXPECT_EQ(ok_of(*document), 1.0);

  response = engine_.handle_message(op_query("d.$cmd", J(R"({"find": "c"})")), 4);
  document = Document::parse(ByteView(*response.reply).subspan(36));
  ASSERT_TRUE(document.is_ok());
  EXPECT_EQ(code_of(*document), 352);
  response = engine_.handle_message(op_query("d.c", J(R"({})")), 4);
  document = Document::parse(ByteView(*response.reply).subspan(36));
  ASSERT_TRUE(document.is_ok());
  EXPECT_EQ(code_of(*document), 352);
}

}  // namespace
}  // namespace fluence::gateway
