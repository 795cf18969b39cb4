#include "runtime/gateway/ore_points.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/crypto/ore.h"

namespace fluence::gateway {
namespace {

// The largest double <= v. The conversion rounds to nearest, so it may land
// one step above v; 2^63 itself (where INT64_MAX rounds to) is no int64.
double floor_to_double(int64_t v) {
  double d = static_cast<double>(v);
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (d >= kTwoTo63 || static_cast<int64_t>(d) > v) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return d;
}

// NaN is below every number in MongoDB's order, so it takes the lowest
// point, which no other double maps to: -infinity's is 2^52 - 1.
uint64_t point_of_double(double value) {
  if (std::isnan(value)) return 0;
  Result<uint64_t> point = crypto::ore_point_from_double(value);
  FL_ASSERT(point.is_ok());
  return *point;
}

}  // namespace

std::optional<uint64_t> ore_point(const bson_iter_t* element) {
  switch (bson_iter_type(element)) {
    case BSON_TYPE_INT32: return point_of_double(static_cast<double>(bson_iter_int32(element)));
    case BSON_TYPE_INT64: return point_of_double(floor_to_double(bson_iter_int64(element)));
    case BSON_TYPE_DOUBLE: return point_of_double(bson_iter_double(element));
    default: return std::nullopt;
  }
}

std::optional<std::vector<OreInterval>> ore_intervals(const Predicate& predicate) {
  if (predicate.operands.empty()) return std::nullopt;
  std::vector<OreInterval> intervals;
  for (const Value& operand : predicate.operands) {
    bson_iter_t it;
    operand.iter(&it);
    std::optional<uint64_t> point = ore_point(&it);
    if (!point) return std::nullopt;
    switch (predicate.op) {
      case PredicateOp::kEq:
      case PredicateOp::kIn: intervals.push_back({point, point}); break;
      case PredicateOp::kGt:
      case PredicateOp::kGte: intervals.push_back({point, std::nullopt}); break;
      case PredicateOp::kLt:
      case PredicateOp::kLte: intervals.push_back({std::nullopt, point}); break;
      default: return std::nullopt;
    }
  }
  return intervals;
}

std::optional<OreInterval> intersect(const OreInterval& a, const OreInterval& b) {
  OreInterval out;
  out.low = !a.low ? b.low : !b.low ? a.low : std::max(*a.low, *b.low);
  out.high = !a.high ? b.high : !b.high ? a.high : std::min(*a.high, *b.high);
  if (out.low && out.high && *out.low > *out.high) return std::nullopt;
  return out;
}

}  // namespace fluence::gateway
