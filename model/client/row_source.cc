#include "model/client/row_source.h"

namespace fluence::client {

Result<std::optional<Bytes>> CountingRowSource::get(ByteView key) {
  ++counts_.gets;
  return inner_->get(key);
}

Status CountingRowSource::put(ByteView key, ByteView value) {
  ++counts_.puts;
  return inner_->put(key, value);
}

Status CountingRowSource::erase(ByteView key) {
  ++counts_.erases;
  return inner_->erase(key);
}

Result<std::optional<Bytes>> MemoryRowSource::get(ByteView key) {
  auto it = rows_.find(Bytes(key.begin(), key.end()));
  if (it == rows_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Status MemoryRowSource::put(ByteView key, ByteView value) {
  rows_[Bytes(key.begin(), key.end())] = Bytes(value.begin(), value.end());
  return Status::ok();
}

Status MemoryRowSource::erase(ByteView key) {
  rows_.erase(Bytes(key.begin(), key.end()));
  return Status::ok();
}

}  // namespace fluence::client
