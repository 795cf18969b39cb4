// How many bytes the encrypted store keeps in one dataset: a RowSource that
// forwards to the dataset's rows and counts what passes through it.
//
// The count is the key and value bytes of every row put through the meter and
// not erased since: what the store has stored in the dataset, which is what a
// contract's allocation bounds. The store reads it to decide when a dataset
// is full (encrypted_store.h, "Shards") and persists it in the catalog.
//
// Erasing a row subtracts its size, so the meter must know it:
//  - index buckets (btree.h) go through put/get/erase; the meter remembers
//    the size of each bucket it saw put or fetched. A bucket only becomes
//    obsolete after its tree has fetched or written it in this process, so
//    every bucket a tree erases has a known size. One entry per bucket seen,
//    about 1/64 of the documents: bounded by the trees' size.
//  - document rows are many and read often, so the meter does not remember
//    them: the store puts them with put_counted() and, having read the row it
//    erases, passes its size to erase_counted().
//  - rows no shard counts any more (a dropped collection's) go through
//    erase_uncounted().
// An erase of a row whose size is unknown subtracts nothing: the count errs
// high, which only makes a shard fill early, never past its allocation.
//
// Undo. The meter logs the keys put since the last commit. revert() erases
// those after a mark and resets the count: a failed mutation, or an insert
// moved to a new shard, leaves no rows behind that nobody counts. Only rows
// the committed state cannot reach are ever put (copy-on-write trees, fresh
// document versions), so erasing them is always safe.
//
// A node that returns a forged bucket may make the meter remember a wrong
// size (the tree refuses the bucket, but after the meter saw it): the count
// is then off, placement suffers, correctness does not.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "model/client/row_source.h"

namespace fluence::gateway {

class MeteredRows final : public client::RowSource {
 public:
  // `inner` must outlive the meter.
  explicit MeteredRows(client::RowSource& inner) : inner_(&inner) {}

  Result<std::optional<Bytes>> get(ByteView key) override;
  Status put(ByteView key, ByteView value) override;
  Status erase(ByteView key) override;
  // Scans change nothing, so they pass through uncounted.
  Result<storage::OreScanPage> scan_ore(const storage::OreScanQuery& query) override {
    return inner_->scan_ore(query);
  }

  // A row whose size the meter should not keep (a document): counted, logged.
  Status put_counted(ByteView key, ByteView value);
  // Erases a row of `value_bytes` put earlier with put_counted().
  Status erase_counted(ByteView key, uint64_t value_bytes);
  // Erases a row without touching the count (its shard is gone).
  Status erase_uncounted(ByteView key);
  // Reads around the meter: nothing remembered (documents, the catalog).
  Result<std::optional<Bytes>> get_unmetered(ByteView key) { return inner_->get(key); }
  Status put_unmetered(ByteView key, ByteView value) { return inner_->put(key, value); }

  uint64_t stored_bytes() const { return stored_bytes_; }
  void set_stored_bytes(uint64_t bytes) { stored_bytes_ = bytes; }
  // The remembered sizes (key + value) of the rows whose key starts with
  // `prefix`: a tree's bytes, once a scan has fetched every bucket of it.
  uint64_t remembered_bytes(ByteView prefix) const;
  // Drops the remembered sizes under `prefix` (a dropped tree's).
  void forget(ByteView prefix);

  // The undo log: mark() now, revert(mark, count) later erases (best effort)
  // what was put since and sets the count back; commit() empties the log.
  size_t mark() const { return put_log_.size(); }
  void revert(size_t mark, uint64_t stored_bytes);
  void commit() { put_log_.clear(); }

 private:
  client::RowSource* inner_;
  uint64_t stored_bytes_ = 0;
  std::map<Bytes, uint64_t> sizes_;  // row key -> value bytes, buckets only
  std::vector<Bytes> put_log_;
};

}  // namespace fluence::gateway
