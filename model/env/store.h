// The node's durable state: an ordered key-value store with atomic batches.
//
// Sim: MemoryStore below, owned by the binding so that it outlives a crashed
// node. Runtime: RocksDB. Keys order bytewise (memcmp, shorter first on a
// common prefix), as RocksDB's default comparator does, so that a scan means
// the same thing in both worlds.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "model/base/bytes.h"
#include "model/base/status.h"

namespace fluence::env {

class WriteBatch {
 public:
  struct Op {
    bool erase;
    Bytes key;
    Bytes value;
  };
  void put(ByteView key, ByteView value) {
    ops_.push_back({false, Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end())});
  }
  void erase(ByteView key) { ops_.push_back({true, Bytes(key.begin(), key.end()), {}}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

// Positioned on an entry or past the end. An iterator must not be used after
// a write to its store: the node is single-threaded, so a scan finishes inside
// one handler, and the memory store asserts this rule rather than paying for
// snapshots.
class StoreIterator {
 public:
  virtual ~StoreIterator() = default;
  virtual void seek(ByteView key) = 0;  // first entry with key >= `key`
  virtual bool valid() const = 0;
  virtual void next() = 0;
  virtual ByteView key() const = 0;
  virtual ByteView value() const = 0;
  // An I/O error stops iteration (valid() turns false) and shows here.
  virtual Status status() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::optional<Bytes>> get(ByteView key) = 0;
  // All or nothing; durable when it returns ok.
  virtual Status write(const WriteBatch& batch) = 0;
  virtual std::unique_ptr<StoreIterator> iterate() = 0;
};

class MemoryStore final : public Store {
 public:
  Result<std::optional<Bytes>> get(ByteView key) override;
  Status write(const WriteBatch& batch) override;
  std::unique_ptr<StoreIterator> iterate() override;
  size_t size() const { return entries_.size(); }
  // Bytes held in keys and values, for memory accounting in large runs.
  uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  friend class MemoryIterator;
  std::map<Bytes, Bytes, std::less<>> entries_;
  uint64_t generation_ = 0;  // bumped by every write; iterators check it
  uint64_t payload_bytes_ = 0;
};

}  // namespace fluence::env
