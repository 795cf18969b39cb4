#include "runtime/gateway/update.h"

#include <gtest/gtest.h>

#include <chrono>

namespace fluence::gateway {
namespace {

Document J(const std::string& json) { return Document::from_json(json); }

std::string updated(const std::string& update, const std::string& document) {
  Outcome<Update> parsed = Update::parse(J(update).get());
  EXPECT_TRUE(parsed.is_ok()) << update << ": " << (parsed ? "" : parsed.error().message);
  if (!parsed) return "";
  Outcome<Document> result = parsed->apply(J(document).get());
  EXPECT_TRUE(result.is_ok()) << update << ": " << (result ? "" : result.error().message);
  return result ? result->to_json() : "";
}

MongoCode apply_error(const std::string& update, const std::string& document) {
  Outcome<Update> parsed = Update::parse(J(update).get());
  if (!parsed) return parsed.error().code;
  Outcome<Document> result = parsed->apply(J(document).get());
  EXPECT_FALSE(result.is_ok()) << update;
  return result ? MongoCode::kInternalError : result.error().code;
}

TEST(Update, SetAndUnset) {
  EXPECT_EQ(updated(R"({"$set": {"a": 2}})", R"({"_id": 1, "a": 1, "b": 1})"), J(R"({"_id": 1, "a": 2, "b": 1})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"c": "new"}})", R"({"_id": 1})"), J(R"({"_id": 1, "c": "new"})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"x.y.z": 1}})", R"({"_id": 1})"), J(R"({"_id": 1, "x": {"y": {"z": 1}}})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"x.y": 5}})", R"({"_id": 1, "x": {"w": 0}})"),
            J(R"({"_id": 1, "x": {"w": 0, "y": 5}})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"a.1": 9}})", R"({"_id": 1, "a": [1, 2]})"), J(R"({"_id": 1, "a": [1, 9]})").to_json());
  EXPECT_EQ(updated(R"({"$unset": {"a": ""}})", R"({"_id": 1, "a": 1, "b": 2})"), J(R"({"_id": 1, "b": 2})").to_json());
  EXPECT_EQ(updated(R"({"$unset": {"x.y": 1, "q": 1}})", R"({"_id": 1, "x": {"y": 1, "z": 2}})"),
            J(R"({"_id": 1, "x": {"z": 2}})").to_json());
}

TEST(Update, IncKeepsMongoDBsNumericTypes) {
  EXPECT_EQ(updated(R"({"$inc": {"n": 1}})", R"({"_id": 1, "n": 41})"), J(R"({"_id": 1, "n": 42})").to_json());
  EXPECT_EQ(updated(R"({"$inc": {"n": 5}})", R"({"_id": 1})"), J(R"({"_id": 1, "n": 5})").to_json());
  EXPECT_EQ(updated(R"({"$inc": {"n": 0.5}})", R"({"_id": 1, "n": 1})"), J(R"({"_id": 1, "n": 1.5})").to_json());
  // int32 overflow widens to int64.
  Outcome<Update> inc = Update::parse(J(R"({"$inc": {"n": 1}})").get());
  ASSERT_TRUE(inc.is_ok());
  Outcome<Document> wide = inc->apply(J(R"({"_id": 1, "n": 2147483647})").get());
  ASSERT_TRUE(wide.is_ok());
  bson_iter_t n;
  ASSERT_TRUE(wide->find("n", &n));
  EXPECT_TRUE(BSON_ITER_HOLDS_INT64(&n));
  EXPECT_EQ(bson_iter_int64(&n), 2147483648LL);
}

TEST(Update, ReplacementKeepsId) {
  EXPECT_EQ(updated(R"({"b": 2})", R"({"_id": 7, "a": 1})"), J(R"({"_id": 7, "b": 2})").to_json());
  EXPECT_EQ(updated(R"({"b": 2, "_id": 7})", R"({"_id": 7, "a": 1})"), J(R"({"_id": 7, "b": 2})").to_json());
}

TEST(Update, ErrorsCarryMongoDBsCodes) {
  EXPECT_EQ(apply_error(R"({"$push": {"a": 1}})", R"({"_id": 1})"), MongoCode::kFailedToParse);
  EXPECT_EQ(apply_error(R"({"$set": 1})", R"({"_id": 1})"), MongoCode::kFailedToParse);
  EXPECT_EQ(apply_error(R"({"$set": {"a": 1}, "b": 2})", R"({"_id": 1})"), MongoCode::kFailedToParse);
  EXPECT_EQ(apply_error(R"({"$inc": {"a": "x"}})", R"({"_id": 1})"), MongoCode::kTypeMismatch);
  EXPECT_EQ(apply_error(R"({"$inc": {"a": 1}})", R"({"_id": 1, "a": "text"})"), MongoCode::kTypeMismatch);
  EXPECT_EQ(apply_error(R"({"$set": {"a.b": 1}})", R"({"_id": 1, "a": 5})"), MongoCode::kPathNotViable);
  EXPECT_EQ(apply_error(R"({"$set": {"a": 1}, "$inc": {"a.b": 1}})", R"({"_id": 1})"),
            MongoCode::kConflictingUpdateOperators);
  EXPECT_EQ(apply_error(R"({"$set": {"_id": 2}})", R"({"_id": 1})"), MongoCode::kImmutableField);
  EXPECT_EQ(apply_error(R"({"_id": 2, "a": 1})", R"({"_id": 1})"), MongoCode::kImmutableField);
  EXPECT_EQ(apply_error(R"({"$set": {"a.$": 1}})", R"({"_id": 1})"), MongoCode::kBadValue);
  // A path deeper than any document may be: refused, not built.
  std::string deep = "a";
  for (int i = 0; i < 100'000; ++i) deep += ".a";
  EXPECT_EQ(apply_error(R"({"$set": {")" + deep + R"(": 1}})", R"({"_id": 1})"), MongoCode::kBadValue);
}

// Conflicts are found by lookups: comparing each path with every earlier one
// made a large update (a 16 MB message holds about a million fields) hold
// the gateway's one thread for minutes.
TEST(Update, ManyPathsAreCheckedForConflictsInLinearTime) {
  bson_t update = BSON_INITIALIZER, fields;
  bson_append_document_begin(&update, "$set", -1, &fields);
  for (int i = 0; i < 200'000; ++i) {
    std::string path = "f" + std::to_string(i) + ".g";
    bson_append_int32(&fields, path.c_str(), -1, i);
  }
  bson_append_int32(&fields, "f7", -1, 0);  // overlaps f7.g, named long before
  bson_append_document_end(&update, &fields);
  Document document = Document::adopt(&update);
  auto start = std::chrono::steady_clock::now();
  Outcome<Update> parsed = Update::parse(document.get());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.error().code, MongoCode::kConflictingUpdateOperators);
  EXPECT_NE(parsed.error().message.find("conflict at 'f7.g'"), std::string::npos) << parsed.error().message;
}

// Top-level fields go in one pass, dotted paths one by one, in the
// update's order: the result is what applying each field in turn gives.
TEST(Update, FieldsApplyInTheUpdatesOrder) {
  EXPECT_EQ(updated(R"({"$set": {"z": 1, "x.y": 2, "a": 3}, "$inc": {"n": 5, "m": 1},
                        "$unset": {"gone": 1, "never": 1}})",
                    R"({"_id": 1, "a": 0, "gone": true, "n": 10, "k": 1})"),
            J(R"({"_id": 1, "a": 3, "n": 15, "k": 1, "z": 1, "x": {"y": 2}, "m": 1})").to_json());
  // A repeated key (BSON allows one) is replaced wherever it stands.
  bson_t twice = BSON_INITIALIZER;
  bson_append_int32(&twice, "_id", -1, 1);
  bson_append_int32(&twice, "a", -1, 1);
  bson_append_int32(&twice, "a", -1, 2);
  Outcome<Update> set = Update::parse(J(R"({"$inc": {"b": 1}, "$set": {"a": 7}})").get());
  ASSERT_TRUE(set.is_ok());
  Outcome<Document> result = set->apply(&twice);
  bson_destroy(&twice);
  ASSERT_TRUE(result.is_ok());
  std::vector<int32_t> as;
  bson_iter_t it;
  bson_iter_init(&it, result->get());
  while (bson_iter_next(&it)) {
    if (std::string(bson_iter_key(&it)) == "a") as.push_back(bson_iter_int32(&it));
  }
  EXPECT_EQ(as, (std::vector<int32_t>{7, 7}));
  // The first failing field's error, as in turn: $inc of a string before a not-viable path.
  EXPECT_EQ(apply_error(R"({"$inc": {"s": 1}, "$set": {"a.b.c": 1}})", R"({"_id": 1, "s": "x", "a": {"b": 5}})"),
            MongoCode::kTypeMismatch);
  EXPECT_EQ(apply_error(R"({"$set": {"a.b.c": 1}, "$inc": {"s": 1}})", R"({"_id": 1, "s": "x", "a": {"b": 5}})"),
            MongoCode::kPathNotViable);
}

// Fields of one parent go in one pass when the parent is one embedded
// document; through an array, a missing or repeated parent, one at a time.
// Every case gives what applying each field in turn gives.
TEST(Update, NestedFieldsApplyInTheUpdatesOrder) {
  EXPECT_EQ(updated(R"({"$set": {"p.q.z": 1, "p.q.a": 2}, "$inc": {"p.q.n": 1}, "$unset": {"p.q.gone": 1}})",
                    R"({"_id": 1, "p": {"q": {"a": 0, "gone": 1, "n": 41, "k": 1}, "r": 2}})"),
            J(R"({"_id": 1, "p": {"q": {"a": 2, "n": 42, "k": 1, "z": 1}, "r": 2}})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"new.x": 1, "new.y": 2, "new.z": 3}})", R"({"_id": 1})"),
            J(R"({"_id": 1, "new": {"x": 1, "y": 2, "z": 3}})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"arr.1.x": 1, "arr.1.y": 2}})", R"({"_id": 1, "arr": [{"x": 0}, {"w": 0}]})"),
            J(R"({"_id": 1, "arr": [{"x": 0}, {"w": 0, "x": 1, "y": 2}]})").to_json());
  EXPECT_EQ(updated(R"({"$set": {"s.x": 1, "s.y": 2}})", R"({"_id": 1, "s": {}})"),
            J(R"({"_id": 1, "s": {"x": 1, "y": 2}})").to_json());
  EXPECT_EQ(apply_error(R"({"$set": {"s.x": 1, "s.y": 2}})", R"({"_id": 1, "s": 5})"), MongoCode::kPathNotViable);
  EXPECT_EQ(apply_error(R"({"$inc": {"p.a": 1, "p.b": 1}})", R"({"_id": 1, "p": {"a": 1, "b": "x"}})"),
            MongoCode::kTypeMismatch);
  // A repeated parent key: each copy gets the fields.
  bson_t twice = BSON_INITIALIZER, first, second;
  bson_append_int32(&twice, "_id", -1, 1);
  bson_append_document_begin(&twice, "p", -1, &first);
  bson_append_int32(&first, "a", -1, 1);
  bson_append_document_end(&twice, &first);
  bson_append_document_begin(&twice, "p", -1, &second);
  bson_append_int32(&second, "b", -1, 2);
  bson_append_document_end(&twice, &second);
  Outcome<Update> set = Update::parse(J(R"({"$set": {"p.x": 7, "p.y": 8}})").get());
  ASSERT_TRUE(set.is_ok());
  Outcome<Document> result = set->apply(&twice);
  bson_destroy(&twice);
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result->to_json(),
            R"({ "_id" : 1, "p" : { "a" : 1, "x" : 7, "y" : 8 }, "p" : { "b" : 2, "x" : 7, "y" : 8 } })");
}

constexpr int kWideFields = 50'000;

// {$set: {<prefix>0: 0, <prefix>1: 1, ...}}, kWideFields of them.
Outcome<Update> wide_set(const std::string& prefix) {
  bson_t update = BSON_INITIALIZER, fields;
  bson_append_document_begin(&update, "$set", -1, &fields);
  for (int i = 0; i < kWideFields; ++i) bson_append_int32(&fields, (prefix + std::to_string(i)).c_str(), -1, i);
  bson_append_document_end(&update, &fields);
  Document document = Document::adopt(&update);
  return Update::parse(document.get());
}

TEST(Update, AWideNestedUpdateSetsEveryField) {
  constexpr int kFields = kWideFields;
  Outcome<Update> parsed = wide_set("p.q.f");
  ASSERT_TRUE(parsed.is_ok());
  Outcome<Document> result = parsed->apply(J(R"({"_id": 1, "p": {"q": {"f3": "old"}, "r": 1}})").get());
  ASSERT_TRUE(result.is_ok());
  bson_iter_t it, q;
  ASSERT_TRUE(bson_iter_init(&it, result->get()) && bson_iter_find_descendant(&it, "p.q", &q));
  bson_t inner;
  ASSERT_TRUE(embedded(&q, &inner));
  EXPECT_EQ(bson_count_keys(&inner), static_cast<uint32_t>(kFields));
  ASSERT_TRUE(bson_iter_init(&it, result->get()) && bson_iter_find_descendant(&it, "p.q.f49999", &q));
  EXPECT_EQ(bson_iter_int32(&q), 49'999);
  ASSERT_TRUE(bson_iter_init(&it, result->get()) && bson_iter_find_descendant(&it, "p.r", &q));
  EXPECT_EQ(bson_iter_int32(&q), 1);
}

TEST(Update, AWideUpdateSetsEveryField) {
  constexpr int kFields = kWideFields;
  Outcome<Update> parsed = wide_set("f");
  ASSERT_TRUE(parsed.is_ok());
  Outcome<Document> result = parsed->apply(J(R"({"_id": 1, "f7": "old"})").get());
  ASSERT_TRUE(result.is_ok());
  bson_iter_t it;
  int fields_seen = 0;
  bson_iter_init(&it, result->get());
  ASSERT_TRUE(bson_iter_next(&it));
  EXPECT_STREQ(bson_iter_key(&it), "_id");
  ASSERT_TRUE(bson_iter_next(&it));
  EXPECT_STREQ(bson_iter_key(&it), "f7") << "replaced where it stood";
  EXPECT_EQ(bson_iter_int32(&it), 7);
  for (int expected = 0; bson_iter_next(&it); ++expected) {
    if (expected == 7) ++expected;
    ASSERT_EQ(bson_iter_key(&it), "f" + std::to_string(expected));
    ASSERT_EQ(bson_iter_int32(&it), expected);
    ++fields_seen;
  }
  EXPECT_EQ(fields_seen, kFields - 1);
}

TEST(Update, SettingTheSameIdIsAllowed) {
  EXPECT_EQ(updated(R"({"$set": {"_id": 1, "a": 1}})", R"({"_id": 1})"), J(R"({"_id": 1, "a": 1})").to_json());
}

TEST(Update, UpsertSeedsFromTheFiltersEqualities) {
  Outcome<Filter> filter = Filter::parse(J(R"({"name": "ada", "age": {"$gt": 3}, "a.b": 1})").get());
  ASSERT_TRUE(filter.is_ok());
  Outcome<Update> update = Update::parse(J(R"({"$inc": {"visits": 1}})").get());
  ASSERT_TRUE(update.is_ok());
  Outcome<Document> seed = update->upsert_document(*filter);
  ASSERT_TRUE(seed.is_ok());
  EXPECT_EQ(seed->to_json(), J(R"({"name": "ada", "a": {"b": 1}, "visits": 1})").to_json());
}

}  // namespace
}  // namespace fluence::gateway
