#include "runtime/gateway/ore_points.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/gateway/compare.h"

namespace fluence::gateway {
namespace {

// A one-field document {v: value}. Iterators are made where they are used:
// a small document lives inside its bson_t, so moving it moves the bytes.
struct Element {
  Document holder;
  bson_iter_t iter() const {
    bson_iter_t it;
    EXPECT_TRUE(bson_iter_init_find(&it, holder.get(), "v"));
    return it;
  }
};

std::optional<uint64_t> point(const Element& e) {
  bson_iter_t it = e.iter();
  return ore_point(&it);
}

template <typename Append>
Element make(Append append) {
  bson_t doc = BSON_INITIALIZER;
  append(&doc);
  return Element{Document::adopt(&doc)};
}
Element i32(int32_t v) { return make([v](bson_t* d) { BSON_APPEND_INT32(d, "v", v); }); }
Element i64(int64_t v) { return make([v](bson_t* d) { BSON_APPEND_INT64(d, "v", v); }); }
Element dbl(double v) { return make([v](bson_t* d) { BSON_APPEND_DOUBLE(d, "v", v); }); }

Predicate predicate(const std::string& json) {
  Outcome<Filter> filter = Filter::parse(Document::from_json(json).get());
  EXPECT_TRUE(filter.is_ok()) << json;
  return filter->root().kind == FilterNode::Kind::kPredicate ? filter->root().predicate
                                                             : filter->root().children.at(0).predicate;
}

TEST(OrePoints, EqualNumbersShareAPointAcrossTypes) {
  EXPECT_EQ(point(i32(7)), point(i64(7)));
  EXPECT_EQ(point(i32(7)), point(dbl(7.0)));
  EXPECT_EQ(point(dbl(0.0)), point(dbl(-0.0))) << "MongoDB holds -0.0 equal to 0";
  EXPECT_NE(point(i32(7)), point(dbl(7.5)));
}

TEST(OrePoints, NaNIsBelowEveryNumberAndOtherTypesHaveNoPoint) {
  EXPECT_EQ(point(dbl(std::nan(""))), 0u);
  EXPECT_LT(0u, *point(dbl(-std::numeric_limits<double>::infinity())));
  Element text = make([](bson_t* d) { BSON_APPEND_UTF8(d, "v", "7"); });
  EXPECT_FALSE(point(text).has_value());
  Element date = make([](bson_t* d) { BSON_APPEND_DATE_TIME(d, "v", 7); });
  EXPECT_FALSE(point(date).has_value());
}

// MongoDB's order and the points' order agree wherever the points differ:
// a < b implies point(a) <= point(b), and equal values have equal points.
TEST(OrePoints, MonotoneWithMongoOrderAcrossTypes) {
  std::mt19937_64 random(5);
  std::vector<Element> values;
  const int64_t edges[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                           (int64_t{1} << 53) + 1, -(int64_t{1} << 53) - 1, (int64_t{1} << 62) + 3, 0, -1};
  for (int64_t edge : edges) values.push_back(i64(edge));
  values.push_back(dbl(std::numeric_limits<double>::infinity()));
  values.push_back(dbl(-std::numeric_limits<double>::infinity()));
  values.push_back(dbl(9223372036854775808.0));
  values.push_back(dbl(std::nan("")));
  for (int i = 0; i < 300; ++i) {
    int64_t big = static_cast<int64_t>(random());
    values.push_back(i64(big));
    values.push_back(dbl(static_cast<double>(big) * (i % 2 ? 1.0 : 1e-10)));
    values.push_back(i32(static_cast<int32_t>(random())));
    values.push_back(i64(big >> (i % 60)));
  }
  for (const Element& a : values) {
    for (const Element& b : values) {
      bson_iter_t ia = a.iter(), ib = b.iter();
      int order = compare_values(&ia, &ib);
      uint64_t pa = *point(a), pb = *point(b);
      if (order < 0) {
        ASSERT_LE(pa, pb);
      }
      if (order == 0) {
        ASSERT_EQ(pa, pb);
      }
    }
  }
}

TEST(OrePoints, AnInt64NoDoubleHoldsFloorsToTheDoubleBelow) {
  int64_t above = (int64_t{1} << 53) + 1;  // between the doubles 2^53 and 2^53 + 2
  EXPECT_EQ(point(i64(above)), point(dbl(9007199254740992.0)));
  EXPECT_LT(*point(i64(above)), *point(dbl(9007199254740994.0)));
  EXPECT_EQ(point(i64(std::numeric_limits<int64_t>::max())), point(dbl(std::nextafter(9223372036854775808.0, 0.0))));
}

TEST(OrePoints, IntervalsOfEachOperator) {
  uint64_t five = *point(i32(5));
  uint64_t nine = *point(i32(9));
  EXPECT_EQ(ore_intervals(predicate(R"({"a": 5})")), (std::vector<OreInterval>{{five, five}}));
  EXPECT_EQ(ore_intervals(predicate(R"({"a": {"$gt": 5}})")), (std::vector<OreInterval>{{five, std::nullopt}}))
      << "closed: a strict bound on a value is only a bound on its point";
  EXPECT_EQ(ore_intervals(predicate(R"({"a": {"$lte": 5}})")), (std::vector<OreInterval>{{std::nullopt, five}}));
  EXPECT_EQ(ore_intervals(predicate(R"({"a": {"$in": [9, 5.0]}})")),
            (std::vector<OreInterval>{{nine, nine}, {five, five}}));
  EXPECT_FALSE(ore_intervals(predicate(R"({"a": {"$in": [5, "x"]}})")).has_value());
  EXPECT_FALSE(ore_intervals(predicate(R"({"a": {"$ne": 5}})")).has_value());
  EXPECT_FALSE(ore_intervals(predicate(R"({"a": {"$gt": "b"}})")).has_value());
}

TEST(OrePoints, IntersectKeepsBothConstraints) {
  OreInterval above{3, std::nullopt}, below{std::nullopt, 8};
  EXPECT_EQ(intersect(above, below), (OreInterval{3, 8}));
  EXPECT_EQ(intersect(OreInterval{}, below), below);
  EXPECT_EQ(intersect(OreInterval{2, 6}, OreInterval{4, 9}), (OreInterval{4, 6}));
  EXPECT_FALSE(intersect(OreInterval{9, std::nullopt}, below).has_value());
}

}  // namespace
}  // namespace fluence::gateway
