// The encrypted B+tree's two records: a bucket (one tree node, the plaintext
// sealed into one row) and the descriptor (the root, which the caller keeps).
// Both are canonical codec encodings (model/codec/codec.h), and their
// decoders take untrusted bytes: a bucket decrypts only under the dataset's
// btree key and after its hash matched, so a malformed one means a leaked
// key or a bug, but it is still refused with a Status, never trusted.
//
// Bucket (format version 1):
//   version u8 (1) || level u8 (0 for a leaf, parent = child + 1)
//   leaf:     count varint (1..max entries), then count x (key bytes, value bytes),
//             keys strictly ascending
//   internal: count varint (2..max entries children), child 0 as (id u64, hash 32),
//             then count - 1 x (separator bytes, id u64, hash 32), separators
//             strictly ascending; child i holds the keys in
//             [separator i, separator i + 1)
// A child is named by its bucket id: its row key is the tree's row prefix
// followed by the id (bucket_row_key), and its hash is BLAKE2b over the
// child's sealed row (bucket_hash), which is what makes the tree a Merkle tree.
//
// Descriptor (format version 1):
//   version u8 (1) || row prefix bytes (1..64) || max entries u16 (4..120)
//   || height u8 (0 for an empty tree, at most 48)
//   || if height > 0: root id u64 || root hash (32 bytes)
//   || size u64 (entries; 0 exactly when height is 0)
//   || next bucket id u64 (above every id in use, the root's included)
//   || generation u64 (committed mutations, so a newer descriptor is told
//      from an older one)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/codec/codec.h"
#include "model/crypto/hash.h"

namespace fluence::client {

inline constexpr uint8_t kBtreeFormatVersion = 1;
// MongoDB's former index key limit, as the gateway indexes its fields here.
inline constexpr size_t kMaxBtreeKeyBytes = 1024;
// A document id (at most 1024 bytes, row_cipher.h) or a row key fits.
inline constexpr size_t kMaxBtreeValueBytes = 1024;
// Below 4 a split or a merge could leave a bucket with a single child; above
// 120 a full leaf of maximal entries would outgrow one row (static_assert in
// btree_bucket.cc).
inline constexpr size_t kMinBucketEntries = 4;
inline constexpr size_t kMaxBucketEntries = 120;
// Every bucket but the root is at least half full, so a tree this high would
// hold more than 2^47 entries.
inline constexpr size_t kMaxBtreeHeight = 48;
inline constexpr size_t kMaxBtreeRowPrefixBytes = 64;

struct BucketRef {
  uint64_t id = 0;
  crypto::Hash256 hash{};
  bool operator==(const BucketRef&) const = default;
};

struct Bucket {
  uint8_t level = 0;
  // A leaf's entries, or an internal bucket's separators (one fewer than its
  // children).
  std::vector<Bytes> keys;
  std::vector<Bytes> values;        // leaves only
  std::vector<BucketRef> children;  // internal buckets only

  bool is_leaf() const { return level == 0; }
  // What max entries bounds: a leaf's entries, an internal bucket's children.
  size_t entries() const { return is_leaf() ? keys.size() : children.size(); }
  bool operator==(const Bucket&) const = default;
};

Bytes encode_bucket(const Bucket& bucket);
// kMalformed naming the field for anything outside the format above, with
// at most max_entries entries or children.
Result<Bucket> decode_bucket(ByteView plaintext, size_t max_entries);

// BLAKE2b-256 of a sealed bucket, under its own domain label.
crypto::Hash256 bucket_hash(ByteView sealed);
Bytes bucket_row_key(ByteView row_prefix, uint64_t id);

struct BTreeDescriptor {
  Bytes row_prefix;
  uint16_t max_entries = 0;
  uint8_t height = 0;
  BucketRef root;  // all zero while height is 0
  uint64_t size = 0;
  uint64_t next_bucket_id = 0;
  uint64_t generation = 0;

  // An empty tree; kInvalidArgument for a prefix or bucket size out of range.
  static Result<BTreeDescriptor> empty(ByteView row_prefix, size_t max_entries);

  // The first field that breaks the bounds above, and how.
  std::optional<std::pair<const char*, std::string>> first_problem() const;

  void encode(codec::Writer& writer) const;
  static BTreeDescriptor decode(codec::Reader& reader);
  bool operator==(const BTreeDescriptor&) const = default;
};

}  // namespace fluence::client
