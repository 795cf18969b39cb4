// The encrypted index: a B+tree whose nodes ("buckets") are rows on the
// dataset's nodes, each sealed whole, so that a node can neither read nor
// order the keys.
//
// Scheme: the ZeroDB approach, M. Egorov and M. Wilkison, "ZeroDB White
// Paper", arXiv:1602.07168, 2016, which the white paper reuses for ordered
// indexes. A node cannot compare keys, so every step down the tree is the
// client fetching a bucket, decrypting it and choosing the child itself: a
// lookup costs one round trip per level not held in the client's cache.
//
// Sealing: a bucket's plaintext (btree_bucket.h) is sealed with the RowCipher
// the tree is opened with, with a random nonce, so equal buckets look
// unrelated and the associated data binds each to its row key and dataset.
// The caller chooses the key: dataset_bucket_cipher() below is the dataset's
// btree key (dataset_keys.h) under the dataset's row key id, which names the
// root secret both keys derive from; the gateway keys each collection's trees
// from the collection's node of the key tree (runtime/gateway/collection_keys.h),
// so that sharing one collection shares none of the others' buckets.
//
// Merkle tree: an internal bucket names each child by its bucket id (the row
// key is the tree's row prefix and the id) and by the BLAKE2b hash of the
// child's sealed row; the descriptor holds the root's. Every bucket fetched
// is checked against the hash its parent (or the descriptor) expects before
// it is decrypted, so a node that drops, alters, swaps or replays a bucket,
// or serves an older version of a row, fails the operation with
// kAuthentication: never a wrong answer. Freshness reaches as far as the
// descriptor's: the caller must keep it where a node cannot roll it back (the
// gateway signs it into a row on the cluster's chain).
//
// No leaf links. With copy-on-write and hashes, a link to the next leaf's
// hash would change whenever that leaf does, and so every write would rewrite
// every leaf before it (O. Rodeh, "B-trees, Shadowing, and Clones", ACM TOS
// 2008, drops leaf links for the same reason). A range scan instead keeps the
// path from the root and walks on from it: one extra round trip per internal
// bucket passed, about one per max-entries leaves, and the whole walk is
// verified by the same parent hashes.
//
// Copy-on-write and crash safety: a write never changes a row the current
// root reaches. It puts the changed buckets under fresh ids drawn from the
// descriptor's counter, leaf first and the new root last, and only when all
// puts succeeded does the tree adopt the new descriptor; the replaced
// buckets become obsolete. The caller then persists descriptor() and only
// after that calls collect_garbage(), which erases the obsolete rows. So a
// crash, or a failed put, at any point leaves the last persisted descriptor
// valid with every row it reaches intact. A failed write leaves the tree as
// it was; the rows it did put are unreachable and their ids are reused by the
// next write, which overwrites them. Obsolete rows not yet collected when the
// process dies are leaked: unreachable, never wrong.
//
// Client cache: buckets in the top cached_levels levels are kept decrypted
// after they have been fetched and verified (or written), and each use still
// matches the cached bucket's hash against its parent's, so the cache cannot
// serve a stale bucket. After warm-up a lookup costs max(0, height -
// cached_levels) round trips. The cache is emptied when the height changes.
//
// LEAKAGE to the nodes: the number, sizes and row keys of the buckets, hence
// roughly the tree's size and height; which buckets each operation fetches
// and writes, hence its access pattern (a repeated lookup fetches the same
// rows; a range scan fetches neighbouring leaves). ZeroDB accepts the same
// leakage. Keys and values never leave the client unsealed.
//
// A tree's rows share the dataset with other rows: the caller gives each
// tree a row prefix no other row key starts with.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/client/btree_bucket.h"
#include "model/client/dataset_keys.h"
#include "model/client/row_cipher.h"
#include "model/client/row_source.h"
#include "model/env/random.h"

namespace fluence::client {

// A range scan returns at most this many entries per call; the caller
// continues from just above the last key.
inline constexpr size_t kMaxBtreeRangeEntries = 65536;

struct BTreeEntry {
  Bytes key;
  Bytes value;
  bool operator==(const BTreeEntry&) const = default;
};

// The dataset-wide bucket cipher: the dataset's btree key, named by its row
// key id (what every tree was sealed with before per-collection keys).
RowCipher dataset_bucket_cipher(const DatasetKeys& keys);

class BTree {
 public:
  // The tree a descriptor describes (BTreeDescriptor::empty() for a new one),
  // its buckets sealed and opened with `cipher`. `source` and `random`
  // (nonces for sealing) must outlive the tree.
  // kInvalidArgument for a descriptor out of its bounds or cached_levels
  // above kMaxBtreeHeight. Opening reads nothing.
  static Result<BTree> open(const BTreeDescriptor& descriptor, RowCipher cipher, RowSource& source,
                            env::Random& random, size_t cached_levels);

  // Every operation below fails with kInvalidArgument for a key of 0 or more
  // than kMaxBtreeKeyBytes bytes (or a value over kMaxBtreeValueBytes), with
  // kAuthentication when a bucket a node returned is missing or does not
  // match its expected hash, with kMalformed when a verified bucket
  // contradicts the descriptor (its height, its bucket size), and with the
  // source's own error when a call to it fails. On any error the tree is
  // unchanged.

  // Inserts or replaces; true if the key was new. Replacing a value with an
  // equal one writes nothing.
  Result<bool> insert(ByteView key, ByteView value);
  // True if the key was there.
  Result<bool> erase(ByteView key);
  Result<std::optional<Bytes>> find(ByteView key);
  // Entries with lo <= key < hi in ascending order, at most `limit`
  // (1..kMaxBtreeRangeEntries). An empty `lo` starts at the first key and an
  // empty `hi` has no upper bound (keys are never empty).
  Result<std::vector<BTreeEntry>> range(ByteView lo, ByteView hi, size_t limit);

  uint64_t size() const { return descriptor_.size; }
  size_t height() const { return descriptor_.height; }
  // What the caller persists after each write, before collect_garbage().
  const BTreeDescriptor& descriptor() const { return descriptor_; }

  // Rows replaced by committed writes and not yet erased.
  size_t obsolete_buckets() const { return obsolete_.size(); }
  // Erases them. Call only once the current descriptor is persisted: the
  // previous one reaches these rows. On error the rows not yet erased stay
  // listed, and a retry continues.
  Status collect_garbage();

  // The calls the last operation made to the source, each one round trip.
  const RoundTrips& last_round_trips() const { return source_.counts(); }

 private:
  struct CachedBucket {
    crypto::Hash256 hash;
    Bucket bucket;
  };
  // A bucket on the way down, and which child the way took.
  struct Step {
    BucketRef ref;
    Bucket bucket;
    size_t child = 0;
  };
  // What a write has put so far; adopted by commit() when it is whole.
  struct Pending {
    uint64_t next_bucket_id = 0;
    std::vector<std::pair<BucketRef, Bucket>> written;
    std::vector<uint64_t> obsolete;
  };

  BTree(BTreeDescriptor descriptor, RowCipher cipher, RowSource& source, env::Random& random,
        size_t cached_levels);

  Status check_key(ByteView key, const char* what) const;
  bool caches_level(size_t level, size_t height) const;
  // The bucket `ref` names, verified; points into the cache or at `scratch`.
  Result<const Bucket*> load(const BucketRef& ref, size_t level, Bucket& scratch);
  Result<Bucket> load_copy(const BucketRef& ref, size_t level);
  // Root to leaf towards `key`, each bucket a copy the caller may change.
  Result<std::vector<Step>> descend(ByteView key);
  Result<BucketRef> write(Bucket bucket, Pending& pending);
  void commit(Pending pending, const BucketRef& root, size_t height, uint64_t size);

  BTreeDescriptor descriptor_;
  RowCipher cipher_;
  CountingRowSource source_;
  env::Random* random_;
  size_t cached_levels_;
  std::map<uint64_t, CachedBucket> cache_;
  std::vector<uint64_t> obsolete_;
};

}  // namespace fluence::client
