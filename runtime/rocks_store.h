// The node's store on RocksDB: atomic write batches, synced to disk before
// write() returns, so an acknowledged write survives a crash of the process
// or the machine.
#pragma once

#include <memory>
#include <string>

#include "model/env/store.h"

namespace rocksdb {
class DB;
}

namespace fluence::runtime {

class RocksStore final : public env::Store {
 public:
  // Creates the database if missing; the error names the path.
  static Result<std::unique_ptr<RocksStore>> open(const std::string& path);
  ~RocksStore() override;

  Result<std::optional<Bytes>> get(ByteView key) override;
  Status write(const env::WriteBatch& batch) override;
  std::unique_ptr<env::StoreIterator> iterate() override;

 private:
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::string path);
  std::unique_ptr<rocksdb::DB> db_;
  std::string path_;
};

}  // namespace fluence::runtime
