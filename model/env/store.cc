#include "model/env/store.h"

namespace fluence::env {

Result<std::optional<Bytes>> MemoryStore::get(ByteView key) {
  auto it = entries_.find(Bytes(key.begin(), key.end()));
  if (it == entries_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Status MemoryStore::write(const WriteBatch& batch) {
  if (batch.empty()) return Status::ok();
  ++generation_;
  for (const WriteBatch::Op& op : batch.ops()) {
    auto it = entries_.find(op.key);
    if (it != entries_.end()) {
      payload_bytes_ -= it->first.size() + it->second.size();
      if (op.erase) {
        entries_.erase(it);
      } else {
        it->second = op.value;
        payload_bytes_ += it->first.size() + it->second.size();
      }
    } else if (!op.erase) {
      entries_.emplace(op.key, op.value);
      payload_bytes_ += op.key.size() + op.value.size();
    }
  }
  return Status::ok();
}

class MemoryIterator final : public StoreIterator {
 public:
  explicit MemoryIterator(const MemoryStore& store)
      : store_(store), generation_(store.generation_), it_(store.entries_.end()) {}
  void seek(ByteView key) override {
    check_generation();
    it_ = store_.entries_.lower_bound(Bytes(key.begin(), key.end()));
  }
  bool valid() const override {
    check_generation();
    return it_ != store_.entries_.end();
  }
  void next() override {
    FL_ASSERT(valid());
    ++it_;
  }
  ByteView key() const override {
    FL_ASSERT(valid());
    return it_->first;
  }
  ByteView value() const override {
    FL_ASSERT(valid());
    return it_->second;
  }
  Status status() const override { return Status::ok(); }

 private:
  void check_generation() const {
    FL_ASSERT_MSG(generation_ == store_.generation_, "store iterator used after a write");
  }
  const MemoryStore& store_;
  uint64_t generation_;
  std::map<Bytes, Bytes, std::less<>>::const_iterator it_;
};

std::unique_ptr<StoreIterator> MemoryStore::iterate() {
  return std::make_unique<MemoryIterator>(*this);
}

}  // namespace fluence::env
