// EncryptedStore's per-collection descriptors (encrypted_store.h, "Descriptor
// rows"): the owner's side, which puts them beside the catalog, and the
// read-only view, which opens one collection from its descriptor alone.
#include <set>

#include "runtime/gateway/encrypted_rows.h"
#include "runtime/gateway/encrypted_store.h"

namespace fluence::gateway {
namespace {

Status invalid(std::string message) { return Status::error(ErrorCode::kInvalidArgument, std::move(message)); }

Status unauthenticated(std::string message) { return Status::error(ErrorCode::kAuthentication, std::move(message)); }

}  // namespace

Result<std::unique_ptr<EncryptedStore>> EncryptedStore::open_shared(std::vector<DatasetRows> datasets,
                                                                    const Namespace& ns,
                                                                    client::NodeKey collection_key,
                                                                    env::Random& random,
                                                                    EncryptedStoreOptions options) {
  if (datasets.empty()) return invalid("a shared collection needs at least its first dataset");
  Result<client::KeyPath> path = collection_path(ns);
  if (!path) return path.status();
  // A key above the collection's (a grant of the whole db, say) gives it too.
  if (!collection_key.path().covers(*path)) {
    return unauthenticated("the shared key of " + collection_key.path().to_string() + " does not open " + ns.full());
  }
  Result<client::NodeKey> own = collection_key.descendant(*path);
  if (!own) return own.status();
  std::vector<std::unique_ptr<Slot>> slots;
  std::set<storage::DatasetId> seen;
  for (const DatasetRows& given : datasets) {
    FL_ASSERT(given.rows != nullptr);
    if (!seen.insert(given.dataset).second) return invalid("dataset " + to_hex(given.dataset) + " given twice");
    slots.push_back(std::unique_ptr<Slot>(new Slot{given.dataset, given.rows, nullptr, given.allocation_bytes,
                                                   given.cluster, std::make_unique<MeteredRows>(*given.rows)}));
  }
  if (!seen.contains(own->dataset())) {
    return invalid(ns.full() + " starts in dataset " + to_hex(own->dataset()) + ", which this gateway was not given");
  }
  options.anchor = nullptr;  // the owner's, for its catalog; a view has none
  // A view never commits: a hook that would say so, were it ever called.
  CommitHook never = [] { return invalid("a read-only view commits nothing"); };
  std::unique_ptr<EncryptedStore> store(new EncryptedStore(std::move(slots), random, std::move(never), options));
  Bytes row = descriptor_row_key(*own);
  store->view_.emplace(View{ns, std::move(*own), std::move(row), std::nullopt, {}});
  FL_RETURN_IF_ERROR(store->refresh_view());
  return store;
}

Status EncryptedStore::refresh_view() {
  if (!view_) return Status::ok();
  View& view = *view_;
  const std::string name = view.ns.full();
  Slot& home = slot_of(view.key.dataset());
  Result<std::optional<Bytes>> row = home.meter->get_unmetered(view.descriptor_row);
  if (!row) return row.status().with_context("reading the descriptor of " + name);
  if (!row->has_value()) {
    return Status::error(ErrorCode::kNotFound, "dataset " + to_hex(view.key.dataset()) + " holds no descriptor of " +
                                                   name + " under this key: dropped, not made under it, or hidden");
  }
  if (view.generation && **row == view.sealed) return Status::ok();  // the trees open are current
  Result<Bytes> plain = view.key.row_cipher().decrypt_row(view.descriptor_row, **row);
  if (!plain) return plain.status().with_context("the descriptor of " + name);
  Result<Document> document = Document::parse(*plain, client::kMaxRowPlaintextBytes);
  if (!document) return document.status().with_context("the descriptor of " + name);
  Result<CollectionDescriptor> descriptor = CollectionDescriptor::from_document(*document);
  if (!descriptor) return descriptor.status();
  CatalogCollection& collection = descriptor->collection;
  // It decrypted under the collection's key, so the owner wrote it: these
  // would be the owner's bugs, still never trusted.
  if (collection.ns != view.ns) {
    return unauthenticated("the descriptor under the key of " + name + " is " + collection.ns.full() + "'s");
  }
  if (collection.shards.front().dataset != view.key.dataset()) {
    return unauthenticated("the descriptor of " + name + " puts its first shard outside the key's dataset");
  }
  if (view.generation && descriptor->generation < *view.generation) {
    return unauthenticated("the descriptor of " + name + " went back from generation " +
                           std::to_string(*view.generation) + " to " + std::to_string(descriptor->generation));
  }
  for (const CatalogShard& shard : collection.shards) {
    bool given = false;
    for (const std::unique_ptr<Slot>& slot : slots_) given = given || slot->dataset == shard.dataset;
    if (!given) {
      return invalid(name + " has a shard in dataset " + to_hex(shard.dataset) + ", which this gateway was not given");
    }
  }
  Result<std::unique_ptr<Live>> live = open_collection(collection, view.key.clone());
  if (!live) return live.status();
  catalog_.collections.clear();
  live_.clear();
  catalog_.generation = descriptor->generation;
  catalog_.collections.emplace(view.ns, std::move(collection));
  live_.emplace(view.ns, std::move(*live));
  view.generation = descriptor->generation;
  view.sealed = std::move(**row);
  return Status::ok();
}

Status EncryptedStore::check_writable(const Namespace& ns) const {
  if (!view_) return Status::ok();
  if (ns == view_->ns) return invalid(ns.full() + " is shared read-only with this gateway");
  return invalid(ns.full() + " is not on this gateway, which only reads " + view_->ns.full() + ", shared read-only");
}

Status EncryptedStore::persist_descriptors() {
  FL_ASSERT(!view_);
  for (auto& [ns, collection] : catalog_.collections) {
    if (collection.dataset_keys) continue;
    // Compared without the generation, which changes with every commit.
    CollectionDescriptor descriptor{0, collection};
    Document unnumbered = descriptor.to_document();
    Bytes entry(unnumbered.bytes().begin(), unnumbered.bytes().end());
    auto last = descriptors_put_.find(ns);
    if (last != descriptors_put_.end() && last->second == entry) continue;
    descriptor.generation = catalog_.generation;
    Document document = descriptor.to_document();
    const Live& live = *live_.at(ns);
    FL_ASSERT_MSG(live.key.has_value(), "a collection keyed by its own key has it open");
    Bytes row = descriptor_row_key(*live.key);
    Result<Bytes> sealed = live.key->row_cipher().encrypt_row(row, document.bytes(), *random_);
    if (!sealed) return sealed.status().with_context("sealing the descriptor of " + ns.full());
    const storage::DatasetId& dataset = collection.shards.front().dataset;
    FL_RETURN_IF_ERROR(slot_of(dataset).meter->put_unmetered(row, *sealed));
    // A drop of the same name in the same dataset may still list this row
    // for erasure (same key, same row): it is the new collection's now.
    for (GarbageLists* lists : {&garbage_, &pending_garbage_}) {
      auto listed = lists->find(dataset);
      if (listed != lists->end()) std::erase_if(listed->second, [&](const Garbage& g) { return g.key == row; });
    }
    collection.descriptor_bytes = row.size() + sealed->size();
    descriptors_put_[ns] = std::move(entry);
  }
  return Status::ok();
}

}  // namespace fluence::gateway
