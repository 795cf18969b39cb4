#include "runtime/gateway/encrypted_rows.h"

#include "model/client/btree_bucket.h"
#include "runtime/gateway/key_encoding.h"

namespace fluence::gateway {

void append_be(Bytes& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

Bytes tree_prefix(uint64_t epoch, std::optional<uint32_t> index_number) {
  Bytes prefix = shard_prefix(index_number ? kIndexTreeTag : kPrimaryTreeTag, epoch);
  if (index_number) append_be(prefix, *index_number, 4);
  return prefix;
}

Bytes ore_prefix(uint64_t epoch, uint32_t index_number) {
  Bytes prefix = shard_prefix(kOreIndexTag, epoch);
  append_be(prefix, index_number, 4);
  return prefix;
}

Bytes shard_prefix(uint8_t tag, uint64_t epoch) {
  Bytes prefix{tag};
  append_be(prefix, epoch, 8);
  return prefix;
}

Result<ByteView> document_row_of(ByteView located) {
  if (located.size() != kLocatedBytes) {
    return Status::error(ErrorCode::kMalformed, "an index entry names no document row");
  }
  return located.first(kDocumentRowKeyBytes);
}

Result<Bytes> encode_id(const bson_iter_t* id) {
  bson_type_t type = bson_iter_type(id);
  if (type == BSON_TYPE_ARRAY || type == BSON_TYPE_REGEX || type == BSON_TYPE_UNDEFINED) {
    return Status::error(ErrorCode::kInvalidArgument, "an _id cannot be an array, a regex or undefined");
  }
  Result<Bytes> key = key_encoding(id);
  if (!key) return key.status().with_context("_id");
  if (key->size() > client::kMaxBtreeKeyBytes) {
    return Status::error(ErrorCode::kInvalidArgument, "the _id's index key is over 1024 bytes");
  }
  return key;
}

Result<Bytes> encode_id(const Value& id) {
  bson_iter_t it;
  id.iter(&it);
  return encode_id(&it);
}

}  // namespace fluence::gateway
