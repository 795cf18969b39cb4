#include "runtime/gateway/query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace fluence::gateway {
namespace {

Document J(const std::string& json) { return Document::from_json(json); }

bool matches(const std::string& filter, const std::string& document) {
  Outcome<Filter> parsed = Filter::parse(J(filter).get());
  EXPECT_TRUE(parsed.is_ok()) << filter << ": " << (parsed ? "" : parsed.error().message);
  return parsed && parsed->matches(J(document).get());
}

MongoCode filter_error(const std::string& filter) {
  Outcome<Filter> parsed = Filter::parse(J(filter).get());
  EXPECT_FALSE(parsed.is_ok()) << filter;
  return parsed ? MongoCode::kInternalError : parsed.error().code;
}

TEST(Filter, ImplicitEqualityAndComparisons) {
  EXPECT_TRUE(matches(R"({})", R"({"a": 1})"));
  EXPECT_TRUE(matches(R"({"a": 1})", R"({"a": 1})"));
  EXPECT_TRUE(matches(R"({"a": 1})", R"({"a": 1.0})")) << "numbers compare by value across types";
  EXPECT_TRUE(matches(R"({"a": {"$numberLong": "1"}})", R"({"a": 1})"));
  EXPECT_FALSE(matches(R"({"a": 1})", R"({"a": "1"})"));
  EXPECT_TRUE(matches(R"({"a": {"$gt": 1, "$lte": 3}})", R"({"a": 3})"));
  EXPECT_FALSE(matches(R"({"a": {"$gt": 1, "$lte": 3}})", R"({"a": 3.5})"));
  EXPECT_TRUE(matches(R"({"a": {"$gte": 2.5}})", R"({"a": 3})"));
  EXPECT_TRUE(matches(R"({"a": {"$lt": "b"}})", R"({"a": "abc"})"));
  EXPECT_TRUE(matches(R"({"a": {"$ne": 1}})", R"({"b": 1})"));
  EXPECT_FALSE(matches(R"({"a": {"$ne": 1}})", R"({"a": 1})"));
  EXPECT_TRUE(matches(R"({"a": {"$eq": {"b": 1}}})", R"({"a": {"b": 1}})"));
  EXPECT_FALSE(matches(R"({"a": {"b": 1}})", R"({"a": {"b": 1, "c": 2}})")) << "documents equal as wholes";
}

TEST(Filter, RangeOperatorsStayInTheirTypeBracket) {
  EXPECT_FALSE(matches(R"({"a": {"$gt": 5}})", R"({"a": "6"})"));
  EXPECT_FALSE(matches(R"({"a": {"$lt": 5}})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": {"$gt": 5}})", R"({})"));
}

TEST(Filter, NullMatchesMissingAndExistsTests) {
  EXPECT_TRUE(matches(R"({"a": null})", R"({"b": 1})"));
  EXPECT_TRUE(matches(R"({"a": null})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": null})", R"({"a": 0})"));
  EXPECT_TRUE(matches(R"({"a": {"$exists": true}})", R"({"a": null})"));
  EXPECT_FALSE(matches(R"({"a": {"$exists": true}})", R"({"b": 1})"));
  EXPECT_TRUE(matches(R"({"a": {"$exists": false}})", R"({"b": 1})"));
}

TEST(Filter, ArraysMatchByAnyElement) {
  EXPECT_TRUE(matches(R"({"tags": "x"})", R"({"tags": ["w", "x"]})"));
  EXPECT_TRUE(matches(R"({"tags": ["w", "x"]})", R"({"tags": ["w", "x"]})"));
  EXPECT_FALSE(matches(R"({"tags": ["x", "w"]})", R"({"tags": ["w", "x"]})"));
  EXPECT_TRUE(matches(R"({"n": {"$gt": 10}})", R"({"n": [1, 20]})"));
  EXPECT_FALSE(matches(R"({"tags": {"$ne": "x"}})", R"({"tags": ["w", "x"]})"));
  EXPECT_TRUE(matches(R"({"tags": {"$in": ["q", "x"]}})", R"({"tags": ["w", "x"]})"));
  EXPECT_TRUE(matches(R"({"tags": {"$nin": ["q"]}})", R"({"tags": ["w", "x"]})"));
}

TEST(Filter, DottedPaths) {
  EXPECT_TRUE(matches(R"({"a.b": 2})", R"({"a": {"b": 2}})"));
  EXPECT_TRUE(matches(R"({"a.b": 2})", R"({"a": [{"b": 1}, {"b": 2}]})"));
  EXPECT_TRUE(matches(R"({"a.1": 7})", R"({"a": [5, 7]})"));
  EXPECT_FALSE(matches(R"({"a.b": 2})", R"({"a": 2})"));
  EXPECT_TRUE(matches(R"({"a.b.c": {"$gte": 3}})", R"({"a": {"b": {"c": 3}}})"));
}

TEST(Filter, LogicalOperators) {
  EXPECT_TRUE(matches(R"({"$or": [{"a": 1}, {"b": 2}]})", R"({"b": 2})"));
  EXPECT_FALSE(matches(R"({"$and": [{"a": 1}, {"b": 2}]})", R"({"b": 2})"));
  EXPECT_TRUE(matches(R"({"$nor": [{"a": 1}, {"b": 3}]})", R"({"b": 2})"));
  EXPECT_TRUE(matches(R"({"a": {"$in": [1, 2]}, "$or": [{"b": 1}, {"c": 1}]})", R"({"a": 2, "c": 1})"));
}

TEST(Filter, ErrorsAreBadValue) {
  EXPECT_EQ(filter_error(R"({"a": {"$regex": "x"}})"), MongoCode::kBadValue);  // libbson reads a regex value
  EXPECT_EQ(filter_error(R"({"a": {"$foo": 1}})"), MongoCode::kBadValue);
  EXPECT_EQ(filter_error(R"({"a": {"$gt": 1, "b": 2}})"), MongoCode::kBadValue);
  EXPECT_EQ(filter_error(R"({"$where": "1"})"), MongoCode::kBadValue);
  EXPECT_EQ(filter_error(R"({"a": {"$in": 1}})"), MongoCode::kBadValue);
  EXPECT_EQ(filter_error(R"({"$or": []})"), MongoCode::kBadValue);
  EXPECT_EQ(filter_error(R"({"$and": [1]})"), MongoCode::kBadValue);
  std::string deep = "a";
  for (int i = 0; i < 100'000; ++i) deep += ".a";
  EXPECT_EQ(filter_error(R"({")" + deep + R"(": 1})"), MongoCode::kBadValue);
  EXPECT_FALSE(Projection::parse(J(R"({")" + deep + R"(": 1})").get()).is_ok());
  EXPECT_FALSE(SortSpec::parse(J(R"({")" + deep + R"(": 1})").get()).is_ok());
}

std::string project(const std::string& projection, const std::string& document) {
  Outcome<Projection> parsed = Projection::parse(J(projection).get());
  EXPECT_TRUE(parsed.is_ok()) << projection;
  if (!parsed) return "";
  return parsed->apply(J(document).get()).to_json();
}

TEST(Projection, InclusionExclusionAndId) {
  const std::string doc = R"({"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "e": [{"c": 4, "f": 5}, 6]})";
  EXPECT_EQ(project(R"({})", doc), J(doc).to_json());
  EXPECT_EQ(project(R"({"a": 1})", doc), J(R"({"_id": 1, "a": 1})").to_json());
  EXPECT_EQ(project(R"({"a": 1, "_id": 0})", doc), J(R"({"a": 1})").to_json());
  EXPECT_EQ(project(R"({"_id": 1})", doc), J(R"({"_id": 1})").to_json());
  EXPECT_EQ(project(R"({"_id": 0})", doc), J(R"({"a": 1, "b": {"c": 2, "d": 3}, "e": [{"c": 4, "f": 5}, 6]})").to_json());
  EXPECT_EQ(project(R"({"b": 0, "e": 0})", doc), J(R"({"_id": 1, "a": 1})").to_json());
  EXPECT_EQ(project(R"({"b.c": 1, "e.c": 1})", doc), J(R"({"_id": 1, "b": {"c": 2}, "e": [{"c": 4}]})").to_json());
  EXPECT_EQ(project(R"({"b.c": 0, "e.c": 0})", doc),
            J(R"({"_id": 1, "a": 1, "b": {"d": 3}, "e": [{"f": 5}, 6]})").to_json());
}

// Fields are found through an index: a scan of the siblings for each made
// a projection of many fields (a 16 MB message holds about a million)
// quadratic to parse and to apply.
TEST(Projection, ManyFieldsCostALookupEach) {
  bson_t spec = BSON_INITIALIZER, document = BSON_INITIALIZER;
  for (int i = 0; i < 200'000; ++i) {
    std::string field = "f" + std::to_string(i);
    bson_append_int32(&spec, field.c_str(), -1, 1);
    bson_append_int32(&document, field.c_str(), -1, i);
  }
  bson_append_int32(&document, "other", -1, 0);
  Document spec_document = Document::adopt(&spec), whole = Document::adopt(&document);
  auto start = std::chrono::steady_clock::now();
  Outcome<Projection> projection = Projection::parse(spec_document.get());
  ASSERT_TRUE(projection.is_ok());
  Document projected = projection->apply(whole.get());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(bson_count_keys(projected.get()), 200'000u);
  bson_iter_t it;
  EXPECT_FALSE(projected.find("other", &it));
}

TEST(Projection, MixingAndOperatorsAreRefused) {
  EXPECT_FALSE(Projection::parse(J(R"({"a": 1, "b": 0})").get()).is_ok());
  EXPECT_FALSE(Projection::parse(J(R"({"a": {"$slice": 1}})").get()).is_ok());
  EXPECT_FALSE(Projection::parse(J(R"({"a": 1, "a.b": 1})").get()).is_ok());
  EXPECT_EQ(Projection::parse(J(R"({"a": "$b"})").get()).error().code, MongoCode::kBadValue);
}

std::vector<int> sorted_ids(const std::string& sort, const std::vector<std::string>& documents) {
  Outcome<SortSpec> spec = SortSpec::parse(J(sort).get());
  EXPECT_TRUE(spec.is_ok());
  std::vector<Document> docs;
  for (const std::string& d : documents) docs.push_back(J(d));
  std::stable_sort(docs.begin(), docs.end(),
                   [&](const Document& a, const Document& b) { return spec->compare(a.get(), b.get()) < 0; });
  std::vector<int> ids;
  for (const Document& d : docs) {
    bson_iter_t it;
    d.find("_id", &it);
    ids.push_back(bson_iter_int32(&it));
  }
  return ids;
}

TEST(Sort, AscendingDescendingAndMixedTypes) {
  std::vector<std::string> docs = {R"({"_id": 1, "a": 5})", R"({"_id": 2, "a": "x"})", R"({"_id": 3})",
                                   R"({"_id": 4, "a": 2.5})", R"({"_id": 5, "a": null})", R"({"_id": 6, "a": [9, 1]})"};
  // null and missing first, then numbers, then strings; an array sorts by
  // its least element ascending and its greatest descending.
  EXPECT_EQ(sorted_ids(R"({"a": 1})", docs), (std::vector<int>{3, 5, 6, 4, 1, 2}));
  EXPECT_EQ(sorted_ids(R"({"a": -1})", docs), (std::vector<int>{2, 6, 1, 4, 3, 5}));
}

TEST(Sort, CompoundKeysAndErrors) {
  std::vector<std::string> docs = {R"({"_id": 1, "g": 1, "n": 1})", R"({"_id": 2, "g": 0, "n": 2})",
                                   R"({"_id": 3, "g": 1, "n": 3})"};
  EXPECT_EQ(sorted_ids(R"({"g": 1, "n": -1})", docs), (std::vector<int>{2, 3, 1}));
  EXPECT_EQ(SortSpec::parse(J(R"({"a": 2})").get()).error().code, MongoCode::kBadValue);
  EXPECT_EQ(SortSpec::parse(J(R"({"a": {"$meta": "textScore"}})").get()).error().code, MongoCode::kBadValue);
}

// Found by fuzz_gateway_command under UBSan: values_at and the sort kept
// bson_iter_t in a std::vector, which drops libbson's 128-byte alignment of
// the type, so every use of an element was a misaligned access.
TEST(ValuesAt, KeepsIteratorsAtTheirDeclaredAlignment) {
  static_assert(alignof(HeldIter) == alignof(bson_iter_t));
  Document document = J(R"({"_id": 1, "a": [{"b": 1}, {"b": [2, 3]}, {"b": "x"}, {"c": 4}]})");
  std::vector<HeldIter> found;
  values_at(document.get(), {"a", "b"}, found);
  ASSERT_EQ(found.size(), 3u);
  for (const HeldIter& value : found) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(&value.it) % alignof(bson_iter_t), 0u);
  }
  std::vector<std::string> docs = {document.to_json(), R"({"_id": 2, "a": [{"b": [0, 9]}]})"};
  EXPECT_EQ(sorted_ids(R"({"a.b": 1})", docs), (std::vector<int>{2, 1}));
}

}  // namespace
}  // namespace fluence::gateway
