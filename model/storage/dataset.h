// A dataset replica: encrypted rows, index entries, the write journal and the
// state hash, kept in the node's store.
//
// The node never sees plaintext: row keys, row values and index keys are
// opaque bytes made by the client. Every write is a journal entry with the
// next sequence number; applying it updates rows, index entries, the journal
// and the applied sequence in one atomic store batch, so a crash leaves the
// replica at a journal boundary, never between. The state hash is the root of
// a Merkle treap over all entries (rows and index entries), identical on every
// replica that applied the same journal prefix.
//
// Store layout, under the prefix "d" + dataset id (32 bytes):
//   "e" + entry key   -> entry value     (entry key: "r" + row key, or
//                                          "i" + index name + 0x00 + index key + row key)
//   "j" + sequence    -> journal entry   (8-byte big-endian sequence)
//   "m"               -> meta: applied sequence, first journal sequence held
//   "v"               -> the pinned version's sequence (see pin())
//   "p" + entry key   -> the entry as it was at the pin: held flag, value
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "model/codec/codec.h"
#include "model/env/store.h"
#include "model/storage/merkle_treap.h"

namespace fluence::storage {

inline constexpr size_t kDatasetIdBytes = 32;
using DatasetId = std::array<uint8_t, kDatasetIdBytes>;

inline constexpr size_t kMaxRowKeyBytes = 256;
inline constexpr size_t kMaxRowValueBytes = 256 * 1024;
inline constexpr size_t kMaxIndexNameBytes = 64;
inline constexpr size_t kMaxIndexKeyBytes = 512;
inline constexpr size_t kMaxMutationsPerEntry = 4096;

// One change to one entry.
struct Mutation {
  enum class Kind : uint8_t { kPutRow, kDeleteRow, kPutIndex, kDeleteIndex, kLimit };
  Kind kind = Kind::kPutRow;
  Bytes row_key;
  Bytes value;       // kPutRow: the encrypted row
  Bytes index_name;  // index kinds
  Bytes index_key;   // index kinds: the encrypted (or order-revealing) key

  bool operator==(const Mutation&) const = default;
  void encode(codec::Writer& writer) const;
  static Mutation decode(codec::Reader& reader);
};

struct JournalEntry {
  uint64_t sequence = 0;
  std::vector<Mutation> mutations;

  bool operator==(const JournalEntry&) const = default;
  void encode(codec::Writer& writer) const;
  static JournalEntry decode(codec::Reader& reader);
};

// Checks sizes and kinds; the error names the mutation and field.
Status validate(const JournalEntry& entry);

struct IndexHit {
  Bytes index_key;
  Bytes row_key;
};

class Dataset {
 public:
  // Loads the replica from the store (empty if new) and rebuilds the treap.
  static Result<Dataset> open(env::Store& store, const DatasetId& id);

  // Applies the next journal entry; kInvalidArgument if its sequence is not
  // applied_sequence() + 1 or it fails validate().
  Status apply(const JournalEntry& entry);

  Result<std::optional<Bytes>> get_row(ByteView row_key) const;
  // Index entries of `index_name` with from <= index key < to (to empty: no
  // upper bound), in index-key order, at most `limit`.
  Result<std::vector<IndexHit>> scan_index(ByteView index_name, ByteView from, ByteView to,
                                           size_t limit) const;

  uint64_t applied_sequence() const { return applied_; }
  uint64_t first_journal_sequence() const { return first_journal_; }
  Result<JournalEntry> journal_entry(uint64_t sequence) const;
  // Forgets journal entries below `sequence` (the rows are the snapshot).
  Status compact_journal(uint64_t sequence);

  // A pinned version is the state after one journal sequence, kept readable
  // while later writes apply: a proof-of-retrievability challenge names the
  // state of a committed block, and the replica has usually moved on by the
  // time it arrives. One pin at a time; pinning again replaces it. The first
  // change to each entry after the pin saves the entry's old form (its
  // preimage) in the same store batch as the change, so the pin survives a
  // crash. Cost: a copy of the treap in memory and one preimage per entry
  // changed since the pin.
  enum class Version : uint8_t { kCurrent, kPinned };
  struct PinnedVersion {
    uint64_t sequence = 0;
    Hash256 root{};
    uint64_t entries = 0;
  };
  Status pin();
  std::optional<PinnedVersion> pinned() const;

  Hash256 state_root() const { return tree_.root(); }
  uint64_t entry_count() const { return tree_.size(); }
  // Entry `index` in key order of a version (kPinned needs a pin), with its
  // opening, for proofs of retrievability.
  uint64_t entry_count(Version version) const { return tree(version).size(); }
  Result<Bytes> entry_value(uint64_t index, Version version = Version::kCurrent) const;
  MerkleProof open_entry(uint64_t index, Version version = Version::kCurrent) const {
    return tree(version).open(index);
  }

  // Snapshot transfer for a replica that fell behind a compacted journal:
  // every entry in key order, and installing them at a sequence.
  Result<std::vector<std::pair<Bytes, Bytes>>> snapshot_entries() const;
  // Entries with key > `after` (all when empty) in key order, stopping once
  // about `max_bytes` are gathered; `complete` says whether the end was reached.
  Result<std::vector<std::pair<Bytes, Bytes>>> entries_after(ByteView after, size_t max_bytes,
                                                             bool* complete) const;
  Status install_snapshot(const std::vector<std::pair<Bytes, Bytes>>& entries, uint64_t sequence);

  // Rows whose key starts with `prefix` and is greater than `after` (all of
  // them when empty), in row-key order, each given to `visit` until it
  // returns false; the views it gets are valid during the call only. For
  // scans that read a range of rows without copying it (ore_scan.h).
  using RowVisitor = std::function<bool(ByteView row_key, ByteView value)>;
  Status visit_rows(ByteView prefix, ByteView after, const RowVisitor& visit) const;

  // For adversary strategies and tests: drop an entry (and its preimage, if
  // pinned) from this replica's store without a journal entry (a lazy node
  // deleting data it was paid to keep).
  Status silently_forget(uint64_t index);

  const DatasetId& id() const { return id_; }

 private:
  Dataset(env::Store& store, const DatasetId& id) : store_(&store), id_(id) {}
  Bytes key(char kind, ByteView suffix) const;
  Status write_meta(env::WriteBatch& batch) const;
  const MerkleTreap& tree(Version version) const;
  // Saves, in `batch`, the preimages of the entries `keys` before their
  // first change since the pin; returns the keys saved.
  Result<std::vector<Bytes>> save_preimages(const std::vector<Bytes>& keys, env::WriteBatch& batch) const;
  // Drops the pin's records, in `batch`.
  Status erase_pin(env::WriteBatch& batch) const;
  Status load_pin(const std::vector<std::pair<Bytes, Hash256>>& entries);
  // Entries whose key starts with `entry_prefix` and is greater than
  // `after` (when not empty), in key order, until `visit` returns false.
  Status visit_entries(ByteView entry_prefix, ByteView after, const RowVisitor& visit) const;

  env::Store* store_;
  DatasetId id_;
  MerkleTreap tree_;
  uint64_t applied_ = 0;
  uint64_t first_journal_ = 1;
  std::optional<uint64_t> pinned_sequence_;
  MerkleTreap pinned_tree_;
  std::set<Bytes> preimaged_;  // entry keys with a saved preimage
};

// Entry keys as stored in the treap (exposed for tests and proofs).
Bytes row_entry_key(ByteView row_key);
Bytes index_entry_key(ByteView index_name, ByteView index_key, ByteView row_key);

}  // namespace fluence::storage
