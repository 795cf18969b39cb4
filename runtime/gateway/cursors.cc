#include "runtime/gateway/cursors.h"

#include <algorithm>

namespace fluence::gateway {

namespace {
// Moves documents [from, from + n) into a batch, n bounded by both limits.
size_t batch_end(const std::vector<Document>& documents, size_t from, size_t max_documents, size_t max_bytes) {
  size_t end = from, bytes = 0;
  while (end < documents.size() && end - from < max_documents) {
    size_t next_bytes = bytes + documents[end].size_bytes();
    if (end > from && next_bytes > max_bytes) break;
    bytes = next_bytes;
    ++end;
  }
  return end;
}
}  // namespace

int64_t CursorTable::open(std::string ns, std::vector<Document> documents) {
  FL_ASSERT(max_open_ > 0);
  while (cursors_.size() >= max_open_) {
    auto oldest = std::min_element(cursors_.begin(), cursors_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    cursors_.erase(oldest);
  }
  int64_t id = next_id_++;
  FL_ASSERT(id > 0);
  cursors_.emplace(id, Cursor{std::move(ns), std::move(documents), 0, ++tick_});
  return id;
}

std::optional<CursorTable::Batch> CursorTable::next(int64_t id, size_t max_documents, size_t max_bytes) {
  auto found = cursors_.find(id);
  if (found == cursors_.end()) return std::nullopt;
  Cursor& cursor = found->second;
  cursor.last_used = ++tick_;
  size_t end = batch_end(cursor.documents, cursor.position, max_documents, max_bytes);
  Batch batch;
  batch.documents.reserve(end - cursor.position);
  for (size_t i = cursor.position; i < end; ++i) batch.documents.push_back(std::move(cursor.documents[i]));
  cursor.position = end;
  if (cursor.position == cursor.documents.size()) {
    batch.exhausted = true;
    cursors_.erase(found);
  }
  return batch;
}

std::optional<std::string> CursorTable::ns_of(int64_t id) const {
  auto found = cursors_.find(id);
  if (found == cursors_.end()) return std::nullopt;
  return found->second.ns;
}

bool CursorTable::kill(int64_t id) { return cursors_.erase(id) > 0; }

CursorTable::Batch take_batch(std::vector<Document>& documents, size_t max_documents, size_t max_bytes) {
  size_t end = batch_end(documents, 0, max_documents, max_bytes);
  CursorTable::Batch batch;
  batch.documents.assign(std::make_move_iterator(documents.begin()), std::make_move_iterator(documents.begin() + end));
  documents.erase(documents.begin(), documents.begin() + end);
  batch.exhausted = documents.empty();
  return batch;
}

}  // namespace fluence::gateway
