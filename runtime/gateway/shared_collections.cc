#include "runtime/gateway/shared_collections.h"

#include <algorithm>

namespace fluence::gateway {

Result<DocumentStore*> SharedCollections::store_for(const Namespace& ns) {
  if (sharing_.is_shared(ns)) {
    Result<std::unique_ptr<EncryptedStore>> view = sharing_.open_view(ns);
    if (!view) return view.status();
    view_ = std::move(*view);
    return static_cast<DocumentStore*>(view_.get());
  }
  if (own_ == nullptr) {
    return Status::error(ErrorCode::kInvalidArgument,
                         ns.full() + ": this gateway has no datasets of its own (config \"datasets\") and " +
                             "no share of that name (fluenceAttachShare)");
  }
  return own_;
}

Result<DocumentStore*> SharedCollections::own_for(const Namespace& ns) {
  if (sharing_.is_shared(ns)) {
    return Status::error(ErrorCode::kInvalidArgument, ns.full() + " is shared read-only with this gateway");
  }
  return store_for(ns);
}

Result<DocumentStore::InsertOutcome> SharedCollections::insert(const Namespace& ns, const Document& document) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->insert(ns, document);
}

Result<std::vector<Document>> SharedCollections::find(const Namespace& ns, const FindQuery& query) {
  Result<DocumentStore*> store = store_for(ns);
  if (!store) return store.status();
  Result<std::vector<Document>> found = (*store)->find(ns, query);
  if (!found || *store == own_) return found;
  uint64_t bytes = 0;
  for (const Document& document : *found) bytes += document.size_bytes();
  FL_RETURN_IF_ERROR(sharing_.charge(ns, bytes, found->size()));
  return found;
}

Result<uint64_t> SharedCollections::count(const Namespace& ns, const Filter& filter) {
  Result<DocumentStore*> store = store_for(ns);
  if (!store) return store.status();
  Result<uint64_t> counted = (*store)->count(ns, filter);
  if (!counted || *store == own_) return counted;
  FL_RETURN_IF_ERROR(sharing_.charge(ns, 0, *counted));
  return counted;
}

Result<bool> SharedCollections::replace(const Namespace& ns, const Value& id, const Document& document) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->replace(ns, id, document);
}

Result<bool> SharedCollections::remove(const Namespace& ns, const Value& id) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->remove(ns, id);
}

Result<std::vector<std::string>> SharedCollections::list_collections(const std::string& db) {
  std::vector<std::string> names = sharing_.shared_collections(db);
  if (own_ != nullptr) {
    Result<std::vector<std::string>> own = own_->list_collections(db);
    if (!own) return own.status();
    names.insert(names.end(), own->begin(), own->end());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> SharedCollections::create_collection(const Namespace& ns) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->create_collection(ns);
}

Result<bool> SharedCollections::drop(const Namespace& ns) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->drop(ns);
}

Result<bool> SharedCollections::create_index(const Namespace& ns, const IndexSpec& index) {
  Result<DocumentStore*> store = own_for(ns);
  if (!store) return store.status();
  return (*store)->create_index(ns, index);
}

Result<std::vector<IndexSpec>> SharedCollections::list_indexes(const Namespace& ns) {
  Result<DocumentStore*> store = store_for(ns);
  if (!store) return store.status();
  return (*store)->list_indexes(ns);
}

void SharedCollections::begin_command() {
  if (own_ != nullptr) own_->begin_command();
}

Status SharedCollections::end_command() {
  view_.reset();
  return own_ != nullptr ? own_->end_command() : Status::ok();
}

}  // namespace fluence::gateway
