#include "model/client/row_source.h"

#include <algorithm>

namespace fluence::client {

Result<storage::OreScanPage> RowSource::scan_ore(const storage::OreScanQuery&) {
  return Status::error(ErrorCode::kUnavailable, "this row source cannot scan an ORE index");
}

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

Result<storage::OreScanPage> CountingRowSource::scan_ore(const storage::OreScanQuery& query) {
  ++counts_.scans;
  return inner_->scan_ore(query);
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

Result<storage::OreScanPage> MemoryRowSource::scan_ore(const storage::OreScanQuery& query) {
  FL_RETURN_IF_ERROR(storage::validate(query));
  storage::OreScanner scanner(query);
  // validate() keeps `after` under the prefix, so both starts are in it or past it.
  auto it = query.after.empty() ? rows_.lower_bound(query.prefix) : rows_.upper_bound(query.after);
  for (; it != rows_.end(); ++it) {
    const Bytes& key = it->first;
    if (key.size() < query.prefix.size() || !std::equal(query.prefix.begin(), query.prefix.end(), key.begin())) break;
    if (!scanner.offer(key, it->second)) break;
  }
  return std::move(scanner).finish();
}

}  // namespace fluence::client
