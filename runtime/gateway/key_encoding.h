// An order-preserving byte encoding of BSON values, for the keys of the
// encrypted B-trees (model/client/btree.h), which compare keys as bytes.
//
// Contract: for every pair of values this encodes,
//   encode(a) < encode(b) as bytes  <=>  compare_values(a, b) < 0   (compare.h)
//   encode(a) == encode(b)          <=>  compare_values(a, b) == 0
// so 1, 1L and 1.0 encode alike (they are one _id in MongoDB), and NaN sorts
// below every other number. The encoding is also prefix-free: no value's
// encoding is a proper prefix of another's, so an index key
// encode(field value) || encode(_id) orders by the field first, and
// encode(v) || 0xFF is above every key that starts with encode(v) and below
// every key of a greater value (what range bounds use).
//
// Layout: the type bracket of compare.h as one byte, then per bracket:
//   numbers: 0x00 for NaN; else 0x01 || the largest double D <= value, as
//            8 sign-flipped big-endian bytes || value - D as u16 big-endian
//            (nonzero only for an int64 no double holds, and below 2^11)
//   strings, symbols, code: bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x00
//   objects: per element 0x01 || bracket || escaped key || value body; 0x00 ends
//   arrays: the same without keys
//   binary: length u32 || subtype || bytes; ObjectId: its 12 bytes;
//   bool: 0 or 1; date: int64 with the sign bit flipped; timestamp: t u32 || i u32;
//   regex: escaped pattern || escaped options
//   MinKey, undefined, null, MaxKey: the bracket byte alone.
// Not encodable (kInvalidArgument naming the type): decimal128 (its order
// against binary floating point is not exact here), DBPointer and code with
// scope. The encoding is private to the client: it is sealed inside buckets,
// never seen by a node.
#pragma once

#include <bson/bson.h>

#include "model/base/bytes.h"
#include "model/base/status.h"

namespace fluence::gateway {

// Appends the value under `element` to `out`; on error `out` may hold part of it.
Status append_key_encoding(const bson_iter_t* element, Bytes& out);
Result<Bytes> key_encoding(const bson_iter_t* element);
// The encoding of null: what a document missing an indexed field is indexed
// as (MongoDB's rule, and how SortSpec sorts a missing field).
Bytes null_key_encoding();
// The first byte of every encoding in `type`'s bracket, and one past its last:
// [bracket_start, bracket_end) holds exactly that bracket's keys.
Bytes bracket_start(bson_type_t type);
Bytes bracket_end(bson_type_t type);

}  // namespace fluence::gateway
