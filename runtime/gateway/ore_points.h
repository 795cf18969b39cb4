// The numbers an "ore" index holds, as points of ORE's 64-bit domain
// (model/crypto/ore.h), and the intervals of points a query predicate reaches.
//
// An ore index is for numeric fields: MongoDB's range operators match only
// values of the operand's type bracket, so a numeric range never needs a
// document whose field is a string or a date, and those are not indexed.
// The map from a number to a point must agree with MongoDB's order across
// int32, int64 and double, where 1, 1L and 1.0 are equal:
//
//   point(v) = ore_point_from_double(the largest double D <= v)
//
// Exact for every int32 and double; an int64 no double holds shares its
// point with its neighbours below the next double. So the map is monotone
// (a < b implies point(a) <= point(b)) but not injective, and everything
// built on it answers with a SUPERSET: the store re-applies the whole filter
// to each decrypted document. That is also why every interval below is
// closed: a strict bound on v can only be a non-strict bound on point(v).
// NaN, which MongoDB orders below every number (so {$lt: 0} matches it),
// takes point 0, below -infinity's.
#pragma once

#include <bson/bson.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/gateway/query.h"

namespace fluence::gateway {

// The point of a numeric element; nullopt for anything but int32, int64
// and double.
std::optional<uint64_t> ore_point(const bson_iter_t* element);

// Closed interval of points; an absent end is open.
struct OreInterval {
  std::optional<uint64_t> low;
  std::optional<uint64_t> high;
  bool operator==(const OreInterval&) const = default;
};

// The intervals that hold the point of every value satisfying `predicate`
// ($eq, $in: one point per operand; $gt, $gte, $lt, $lte: a half-open
// range), or nullopt when the index cannot answer it: another operator, or
// an operand that is not a number.
std::optional<std::vector<OreInterval>> ore_intervals(const Predicate& predicate);

// Both constraints at once, for two predicates on a field no document holds
// an array in (with arrays, each predicate may match a different element).
// nullopt when nothing can satisfy both.
std::optional<OreInterval> intersect(const OreInterval& a, const OreInterval& b);

}  // namespace fluence::gateway
