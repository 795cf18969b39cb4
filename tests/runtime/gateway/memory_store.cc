#include "tests/runtime/gateway/memory_store.h"

#include <algorithm>

namespace fluence::gateway::testing {

Status MemoryStore::check() {
  ++calls_;
  return failure_ ? *failure_ : Status::ok();
}

std::string MemoryStore::id_key(const Value& id) {
  ByteView bytes = id.holder().bytes();
  return std::string(bytes.begin(), bytes.end());
}

Result<DocumentStore::InsertOutcome> MemoryStore::insert(const Namespace& ns, const Document& document) {
  FL_RETURN_IF_ERROR(check());
  std::optional<Value> id;
  bson_iter_t it;
  if (document.find("_id", &it)) id = Value::of(&it);
  if (!id) return Status::error(ErrorCode::kInvalidArgument, "document without _id");
  Collection& collection = collections_[ns];
  std::string key = id_key(*id);
  if (collection.by_id.contains(key)) return InsertOutcome::kDuplicateId;
  uint64_t sequence = next_sequence_++;
  collection.documents.emplace(sequence, document);
  collection.by_id.emplace(key, sequence);
  return InsertOutcome::kInserted;
}

Result<std::vector<Document>> MemoryStore::find(const Namespace& ns, const FindQuery& query) {
  FL_RETURN_IF_ERROR(check());
  std::vector<Document> out;
  auto found = collections_.find(ns);
  if (found == collections_.end()) return out;
  for (const auto& [sequence, document] : found->second.documents) {
    if (query.filter.matches(document.get())) out.push_back(document);
  }
  if (!query.sort.empty()) {
    std::stable_sort(out.begin(), out.end(),
                     [&](const Document& a, const Document& b) { return query.sort.compare(a.get(), b.get()) < 0; });
  }
  size_t skip = std::min<uint64_t>(query.skip, out.size());
  out.erase(out.begin(), out.begin() + static_cast<ptrdiff_t>(skip));
  if (query.limit && *query.limit < out.size()) out.resize(static_cast<size_t>(*query.limit));
  return out;
}

Result<uint64_t> MemoryStore::count(const Namespace& ns, const Filter& filter) {
  FL_RETURN_IF_ERROR(check());
  auto found = collections_.find(ns);
  if (found == collections_.end()) return uint64_t{0};
  uint64_t n = 0;
  for (const auto& [sequence, document] : found->second.documents) n += filter.matches(document.get()) ? 1 : 0;
  return n;
}

Result<bool> MemoryStore::replace(const Namespace& ns, const Value& id, const Document& document) {
  FL_RETURN_IF_ERROR(check());
  auto found = collections_.find(ns);
  if (found == collections_.end()) return false;
  auto entry = found->second.by_id.find(id_key(id));
  if (entry == found->second.by_id.end()) return false;
  found->second.documents[entry->second] = document;
  return true;
}

Result<bool> MemoryStore::remove(const Namespace& ns, const Value& id) {
  FL_RETURN_IF_ERROR(check());
  auto found = collections_.find(ns);
  if (found == collections_.end()) return false;
  auto entry = found->second.by_id.find(id_key(id));
  if (entry == found->second.by_id.end()) return false;
  found->second.documents.erase(entry->second);
  found->second.by_id.erase(entry);
  return true;
}

Result<std::vector<std::string>> MemoryStore::list_collections(const std::string& db) {
  FL_RETURN_IF_ERROR(check());
  std::vector<std::string> names;
  for (const auto& [ns, collection] : collections_) {
    if (ns.db == db) names.push_back(ns.collection);
  }
  return names;
}

Result<bool> MemoryStore::create_collection(const Namespace& ns) {
  FL_RETURN_IF_ERROR(check());
  return collections_.try_emplace(ns).second;
}

Result<bool> MemoryStore::drop(const Namespace& ns) {
  FL_RETURN_IF_ERROR(check());
  return collections_.erase(ns) > 0;
}

Result<bool> MemoryStore::create_index(const Namespace& ns, const IndexSpec& index) {
  FL_RETURN_IF_ERROR(check());
  Collection& collection = collections_[ns];
  for (const IndexSpec& existing : collection.indexes) {
    if (existing.name == index.name) return false;
  }
  collection.indexes.push_back(index);
  return true;
}

Result<std::vector<IndexSpec>> MemoryStore::list_indexes(const Namespace& ns) {
  FL_RETURN_IF_ERROR(check());
  auto found = collections_.find(ns);
  if (found == collections_.end()) return std::vector<IndexSpec>{};
  return found->second.indexes;
}

}  // namespace fluence::gateway::testing
