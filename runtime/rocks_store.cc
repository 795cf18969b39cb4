#include "runtime/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace fluence::runtime {

namespace {
rocksdb::Slice slice(ByteView bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
ByteView view(const rocksdb::Slice& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class RocksIterator final : public env::StoreIterator {
 public:
  explicit RocksIterator(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}
  void seek(ByteView key) override { it_->Seek(slice(key)); }
  bool valid() const override { return it_->Valid(); }
  void next() override { it_->Next(); }
  ByteView key() const override { return view(it_->key()); }
  ByteView value() const override { return view(it_->value()); }
  Status status() const override {
    rocksdb::Status s = it_->status();
    return s.ok() ? Status::ok() : Status::error(ErrorCode::kIo, "store iteration: " + s.ToString());
  }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
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
  return std::make_unique<RocksIterator>(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions())));
}

}  // namespace fluence::runtime
