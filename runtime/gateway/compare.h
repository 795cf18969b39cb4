// MongoDB's order over BSON values (the "BSON comparison order" of its
// manual): first by type bracket (MinKey < null < numbers < strings <
// objects < arrays < binary < ObjectId < bool < date < timestamp < regex <
// MaxKey), then by value within the bracket. Numbers compare by value across
// int32, int64, double and decimal128, so 1 == 1.0; strings compare as bytes
// (the simple collation; collations are not supported).
#pragma once

#include <bson/bson.h>

namespace fluence::gateway {

// The type bracket; values of different brackets never match a range query.
int type_bracket(bson_type_t type);

// <0, 0, >0. Both iterators point at elements of validated documents.
int compare_values(const bson_iter_t* a, const bson_iter_t* b);
int compare_documents(const bson_t* a, const bson_t* b);

}  // namespace fluence::gateway
