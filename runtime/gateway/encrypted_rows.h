// The encrypted store's row layout in a shard's dataset (encrypted_store.h,
// "Layout"): the row key tags, the trees' row prefixes, the index entries
// that locate a document row, and _id's index key.
#pragma once

#include <optional>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/crypto/hash.h"
#include "runtime/gateway/query.h"

namespace fluence::gateway {

inline constexpr uint8_t kDocumentRowTag = 'd';
inline constexpr uint8_t kPrimaryTreeTag = 'p';
inline constexpr uint8_t kIndexTreeTag = 'i';
inline constexpr uint8_t kOreIndexTag = 'o';
// A collection's descriptor row, in its first shard's dataset
// (collection_keys.h). Its key is 33 bytes, so never the catalog row's
// ("catalog"), which starts with the same byte.
inline constexpr uint8_t kDescriptorRowTag = 'c';
inline constexpr size_t kRowNameBytes = 32;
inline constexpr size_t kDocumentRowKeyBytes = 1 + kRowNameBytes;
// An index entry's value: the document's row key and the hash of its row.
inline constexpr size_t kLocatedBytes = kDocumentRowKeyBytes + crypto::kHashBytes;

void append_be(Bytes& out, uint64_t value, int bytes);

// A shard's primary tree ("p" || epoch) or an index's tree in it
// ("i" || epoch || number). Each index's rows in each shard have their own
// prefix, whatever kind of rows a future index kind keeps.
Bytes tree_prefix(uint64_t epoch, std::optional<uint32_t> index_number);
// An "ore" index's rows in a shard: "o" || epoch || number, then a row name.
Bytes ore_prefix(uint64_t epoch, uint32_t index_number);
// Every row prefix of a shard's trees starts with one of these: tag || epoch.
Bytes shard_prefix(uint8_t tag, uint64_t epoch);

// The document row an index entry names (kMalformed for a bad entry).
Result<ByteView> document_row_of(ByteView located);

// _id's index key: kInvalidArgument for an array, regex or undefined _id,
// one that cannot be encoded, or a key over client::kMaxBtreeKeyBytes.
Result<Bytes> encode_id(const bson_iter_t* id);
Result<Bytes> encode_id(const Value& id);

}  // namespace fluence::gateway
