#include "runtime/gateway/metered_rows.h"

#include <algorithm>

namespace fluence::gateway {
namespace {

// The first key above every key starting with `prefix` (empty: none).
Bytes prefix_end(ByteView prefix) {
  Bytes end(prefix.begin(), prefix.end());
  while (!end.empty() && end.back() == 0xFF) end.pop_back();
  if (!end.empty()) ++end.back();
  return end;
}

}  // namespace

Result<std::optional<Bytes>> MeteredRows::get(ByteView key) {
  Result<std::optional<Bytes>> row = inner_->get(key);
  if (row && row->has_value()) sizes_[Bytes(key.begin(), key.end())] = (*row)->size();
  return row;
}

Status MeteredRows::put(ByteView key, ByteView value) {
  FL_RETURN_IF_ERROR(put_counted(key, value));
  sizes_[Bytes(key.begin(), key.end())] = value.size();
  return Status::ok();
}

Status MeteredRows::erase(ByteView key) {
  FL_RETURN_IF_ERROR(inner_->erase(key));
  auto found = sizes_.find(Bytes(key.begin(), key.end()));
  if (found == sizes_.end()) return Status::ok();
  uint64_t bytes = key.size() + found->second;
  stored_bytes_ -= std::min(stored_bytes_, bytes);
  sizes_.erase(found);
  return Status::ok();
}

Status MeteredRows::put_counted(ByteView key, ByteView value) {
  FL_RETURN_IF_ERROR(inner_->put(key, value));
  stored_bytes_ += key.size() + value.size();
  put_log_.emplace_back(key.begin(), key.end());
  return Status::ok();
}

Status MeteredRows::erase_counted(ByteView key, uint64_t value_bytes) {
  FL_RETURN_IF_ERROR(inner_->erase(key));
  uint64_t bytes = key.size() + value_bytes;
  stored_bytes_ -= std::min(stored_bytes_, bytes);
  return Status::ok();
}

Status MeteredRows::erase_uncounted(ByteView key) {
  FL_RETURN_IF_ERROR(inner_->erase(key));
  sizes_.erase(Bytes(key.begin(), key.end()));
  return Status::ok();
}

uint64_t MeteredRows::remembered_bytes(ByteView prefix) const {
  uint64_t total = 0;
  Bytes end = prefix_end(prefix);
  for (auto it = sizes_.lower_bound(Bytes(prefix.begin(), prefix.end())); it != sizes_.end(); ++it) {
    if (!end.empty() && it->first >= end) break;
    total += it->first.size() + it->second;
  }
  return total;
}

void MeteredRows::forget(ByteView prefix) {
  auto first = sizes_.lower_bound(Bytes(prefix.begin(), prefix.end()));
  Bytes end = prefix_end(prefix);
  auto last = end.empty() ? sizes_.end() : sizes_.lower_bound(end);
  sizes_.erase(first, last);
}

void MeteredRows::revert(size_t mark, uint64_t stored_bytes) {
  FL_ASSERT(mark <= put_log_.size());
  // Best effort: a row left behind is unreachable, merely uncounted.
  for (size_t i = mark; i < put_log_.size(); ++i) {
    (void)inner_->erase(put_log_[i]);
    sizes_.erase(put_log_[i]);
  }
  put_log_.resize(mark);
  stored_bytes_ = stored_bytes;
}

}  // namespace fluence::gateway
