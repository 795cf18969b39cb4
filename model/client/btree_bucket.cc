#include "model/client/btree_bucket.h"

#include <algorithm>

#include "model/client/row_cipher.h"
#include "model/storage/dataset.h"

namespace fluence::client {

namespace {

constexpr std::string_view kBucketHashDomain = "fluence/client/v1/btree-bucket";
// A child reference on the wire: id and hash.
constexpr size_t kRefBytes = 8 + crypto::kHashBytes;
// Version, level, a 3-byte count, and per entry two strings with 2-byte
// length prefixes.
static_assert(2 + 3 + kMaxBucketEntries * (kMaxBtreeKeyBytes + kMaxBtreeValueBytes + 4) <=
                  kMaxRowPlaintextBytes,
              "a full leaf must fit in one row");
static_assert(kMaxBtreeRowPrefixBytes + 8 <= storage::kMaxRowKeyBytes,
              "a bucket's row key must be a valid row key");

void write_ref(codec::Writer& writer, const BucketRef& ref) {
  writer.u64(ref.id);
  writer.fixed(ref.hash);
}

BucketRef read_ref(codec::Reader& reader) {
  BucketRef ref;
  ref.id = reader.u64("bucket child id");
  ref.hash = reader.fixed<crypto::kHashBytes>("bucket child hash");
  return ref;
}

bool less(const Bytes& a, const Bytes& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// A key or separator: non-empty, and above the one before it.
void check_key(codec::Reader& reader, const char* field, const std::vector<Bytes>& keys) {
  if (!reader.ok()) return;
  if (keys.back().empty()) {
    reader.fail(field, "is empty");
  } else if (keys.size() > 1 && !less(keys[keys.size() - 2], keys.back())) {
    reader.fail(field, "is not above the one before it");
  }
}

}  // namespace

Bytes encode_bucket(const Bucket& bucket) {
  codec::Writer writer;
  writer.u8(kBtreeFormatVersion);
  writer.u8(bucket.level);
  if (bucket.is_leaf()) {
    FL_ASSERT(bucket.keys.size() == bucket.values.size() && bucket.children.empty());
    writer.varint(bucket.keys.size());
    for (size_t i = 0; i < bucket.keys.size(); ++i) {
      writer.bytes(bucket.keys[i]);
      writer.bytes(bucket.values[i]);
    }
  } else {
    FL_ASSERT(bucket.keys.size() + 1 == bucket.children.size() && bucket.values.empty());
    writer.varint(bucket.children.size());
    write_ref(writer, bucket.children[0]);
    for (size_t i = 0; i < bucket.keys.size(); ++i) {
      writer.bytes(bucket.keys[i]);
      write_ref(writer, bucket.children[i + 1]);
    }
  }
  return writer.finish();
}

Result<Bucket> decode_bucket(ByteView plaintext, size_t max_entries) {
  codec::Reader reader(plaintext);
  Bucket bucket;
  uint8_t version = reader.u8("bucket version");
  if (reader.ok() && version != kBtreeFormatVersion) {
    reader.fail("bucket version",
                "is " + std::to_string(version) + ", not " + std::to_string(kBtreeFormatVersion));
  }
  bucket.level = reader.u8("bucket level");
  if (reader.ok() && bucket.level >= kMaxBtreeHeight) {
    reader.fail("bucket level", std::to_string(bucket.level) + " is not below the height bound " +
                                    std::to_string(kMaxBtreeHeight));
  }
  if (bucket.is_leaf()) {
    size_t count = reader.count("leaf entries", max_entries, 3);
    if (reader.ok() && count == 0) reader.fail("leaf entries", "a leaf holds at least one");
    for (size_t i = 0; i < count && reader.ok(); ++i) {
      bucket.keys.push_back(reader.bytes("leaf key", kMaxBtreeKeyBytes));
      bucket.values.push_back(reader.bytes("leaf value", kMaxBtreeValueBytes));
      check_key(reader, "leaf key", bucket.keys);
    }
  } else {
    size_t count = reader.count("bucket children", max_entries, kRefBytes);
    if (reader.ok() && count < 2) {
      reader.fail("bucket children", "an internal bucket has at least two");
    }
    if (reader.ok()) bucket.children.push_back(read_ref(reader));
    for (size_t i = 1; i < count && reader.ok(); ++i) {
      bucket.keys.push_back(reader.bytes("bucket separator", kMaxBtreeKeyBytes));
      check_key(reader, "bucket separator", bucket.keys);
      bucket.children.push_back(read_ref(reader));
    }
  }
  FL_RETURN_IF_ERROR(reader.finish());
  return bucket;
}

crypto::Hash256 bucket_hash(ByteView sealed) {
  return crypto::blake2b_256(kBucketHashDomain, {sealed});
}

Bytes bucket_row_key(ByteView row_prefix, uint64_t id) {
  codec::Writer writer;
  writer.raw(row_prefix);
  // Big-endian, so a tree's rows sort by id on a node's ordered store.
  writer.u64(id);
  return writer.finish();
}

Result<BTreeDescriptor> BTreeDescriptor::empty(ByteView row_prefix, size_t max_entries) {
  BTreeDescriptor descriptor;
  descriptor.row_prefix.assign(row_prefix.begin(), row_prefix.end());
  if (max_entries < kMinBucketEntries || max_entries > kMaxBucketEntries) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "btree max entries " + std::to_string(max_entries) + " is outside " +
                             std::to_string(kMinBucketEntries) + ".." +
                             std::to_string(kMaxBucketEntries));
  }
  descriptor.max_entries = static_cast<uint16_t>(max_entries);
  if (auto problem = descriptor.first_problem()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         std::string("btree ") + problem->first + " " + problem->second);
  }
  return descriptor;
}

std::optional<std::pair<const char*, std::string>> BTreeDescriptor::first_problem() const {
  auto problem = [](const char* field, std::string what) {
    return std::optional<std::pair<const char*, std::string>>(std::in_place, field,
                                                              std::move(what));
  };
  if (row_prefix.empty() || row_prefix.size() > kMaxBtreeRowPrefixBytes) {
    return problem("row prefix", "of " + std::to_string(row_prefix.size()) +
                                     " bytes is outside 1.." +
                                     std::to_string(kMaxBtreeRowPrefixBytes));
  }
  if (max_entries < kMinBucketEntries || max_entries > kMaxBucketEntries) {
    return problem("max entries", std::to_string(max_entries) + " is outside " +
                                      std::to_string(kMinBucketEntries) + ".." +
                                      std::to_string(kMaxBucketEntries));
  }
  if (height > kMaxBtreeHeight) {
    return problem("height",
                   std::to_string(height) + " exceeds " + std::to_string(kMaxBtreeHeight));
  }
  if ((height == 0) != (size == 0)) {
    return problem("size", std::to_string(size) + " does not fit height " + std::to_string(height) +
                               " (only an empty tree has height 0)");
  }
  if (height == 0 && root != BucketRef{}) {
    return problem("root", "is set in an empty tree");
  }
  if (height > 0 && root.id >= next_bucket_id) {
    return problem("next bucket id", std::to_string(next_bucket_id) +
                                         " is not above the root's id " + std::to_string(root.id));
  }
  return std::nullopt;
}

void BTreeDescriptor::encode(codec::Writer& writer) const {
  FL_ASSERT(!first_problem());
  writer.u8(kBtreeFormatVersion);
  writer.bytes(row_prefix);
  writer.u16(max_entries);
  writer.u8(height);
  if (height > 0) write_ref(writer, root);
  writer.u64(size);
  writer.u64(next_bucket_id);
  writer.u64(generation);
}

BTreeDescriptor BTreeDescriptor::decode(codec::Reader& reader) {
  BTreeDescriptor descriptor;
  uint8_t version = reader.u8("btree descriptor version");
  if (reader.ok() && version != kBtreeFormatVersion) {
    reader.fail("btree descriptor version",
                "is " + std::to_string(version) + ", not " + std::to_string(kBtreeFormatVersion));
  }
  descriptor.row_prefix = reader.bytes("btree row prefix", kMaxBtreeRowPrefixBytes);
  descriptor.max_entries = reader.u16("btree max entries");
  descriptor.height = reader.u8("btree height");
  if (reader.ok() && descriptor.height > 0) {
    descriptor.root.id = reader.u64("btree root id");
    descriptor.root.hash = reader.fixed<crypto::kHashBytes>("btree root hash");
  }
  descriptor.size = reader.u64("btree size");
  descriptor.next_bucket_id = reader.u64("btree next bucket id");
  descriptor.generation = reader.u64("btree generation");
  if (reader.ok()) {
    if (auto problem = descriptor.first_problem()) {
      reader.fail((std::string("btree ") + problem->first).c_str(), problem->second);
    }
  }
  return descriptor;
}

}  // namespace fluence::client
