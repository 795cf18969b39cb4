#include "runtime/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <string>

#include "model/base/check.h"

namespace fluence::runtime {

namespace {
rocksdb::Slice slice(ByteView bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
ByteView view(const rocksdb::Slice& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Iteration reads at one snapshot, first with the default read options:
// blocks go through the block cache, which is right for the short scans
// (index pages, a few rows) a node makes most. A scan that reaches
// kBulkScanEntries entries is a bulk scan -- an ORE index scan examines every
// row under its prefix, up to storage::kOreScanMaxExamined per page -- and
// goes on with an iterator at the same snapshot and position that neither
// fills the block cache (rows read once would evict the node's hot blocks,
// and inserting them costs more than it saves) nor reads the table files a
// block at a time (kBulkReadaheadBytes per read). The figures are in
// bench/README.md (ORE range queries), measured with bench/macro_ore_range.cc.
constexpr size_t kBulkScanEntries = 64;
constexpr size_t kBulkReadaheadBytes = 512 * 1024;

class RocksIterator final : public env::StoreIterator {
 public:
  explicit RocksIterator(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_;
    it_.reset(db_.NewIterator(options));
  }
  ~RocksIterator() override {
    it_.reset();  // before the snapshot it reads
    db_.ReleaseSnapshot(snapshot_);
  }
  RocksIterator(const RocksIterator&) = delete;
  RocksIterator& operator=(const RocksIterator&) = delete;

  void seek(ByteView key) override {
    it_->Seek(slice(key));
    entries_ = 0;
  }
  bool valid() const override { return it_->Valid(); }
  void next() override {
    it_->Next();
    if (++entries_ == kBulkScanEntries && !bulk_ && it_->Valid()) become_bulk();
  }
  ByteView key() const override { return view(it_->key()); }
  ByteView value() const override { return view(it_->value()); }
  Status status() const override {
    rocksdb::Status s = it_->status();
    return s.ok() ? Status::ok() : Status::error(ErrorCode::kIo, "store iteration: " + s.ToString());
  }

 private:
  void become_bulk() {
    const std::string at = it_->key().ToString();
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_;
    options.fill_cache = false;
    options.readahead_size = kBulkReadaheadBytes;
    it_.reset(db_.NewIterator(options));
    it_->Seek(at);
    bulk_ = true;
    // Same snapshot, so the same entry, unless the read failed (status() says so).
    FL_ASSERT(!it_->Valid() || it_->key() == rocksdb::Slice(at));
  }

  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
  std::unique_ptr<rocksdb::Iterator> it_;
  size_t entries_ = 0;  // since the last seek
  bool bulk_ = false;
};
}  // namespace

RocksStore::RocksStore(std::unique_ptr<rocksdb::DB> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
RocksStore::~RocksStore() = default;

Result<std::unique_ptr<RocksStore>> RocksStore::open(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return Status::error(ErrorCode::kIo, path + ": " + s.ToString());
  return std::unique_ptr<RocksStore>(new RocksStore(std::unique_ptr<rocksdb::DB>(raw), path));
}

Result<std::optional<Bytes>> RocksStore::get(ByteView key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  if (!s.ok()) return Status::error(ErrorCode::kIo, path_ + ": get: " + s.ToString());
  return std::optional<Bytes>(Bytes(value.begin(), value.end()));
}

Status RocksStore::write(const env::WriteBatch& batch) {
  rocksdb::WriteBatch rocks;
  for (const env::WriteBatch::Op& op : batch.ops()) {
    if (op.erase) {
      rocks.Delete(slice(op.key));
    } else {
      rocks.Put(slice(op.key), slice(op.value));
    }
  }
  rocksdb::WriteOptions options;
  options.sync = true;  // an acknowledged write must survive a crash
  rocksdb::Status s = db_->Write(options, &rocks);
  if (!s.ok()) return Status::error(ErrorCode::kIo, path_ + ": write: " + s.ToString());
  return Status::ok();
}

std::unique_ptr<env::StoreIterator> RocksStore::iterate() {
  return std::make_unique<RocksIterator>(*db_);
}

}  // namespace fluence::runtime
