#include "runtime/gateway/encrypted_store.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "model/crypto/hash.h"
#include "runtime/gateway/key_encoding.h"

namespace fluence::gateway {

namespace {

constexpr uint8_t kDocumentRowTag = 'd';
constexpr uint8_t kPrimaryTreeTag = 'p';
constexpr uint8_t kIndexTreeTag = 'i';
constexpr size_t kRowNameBytes = 32;
constexpr size_t kLocatedBytes = 1 + kRowNameBytes + crypto::kHashBytes;

void append_be(Bytes& out, uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

// dataset_keys.h's derivation under a label of the gateway's own.
crypto::Secret<32> derive_name_key(const client::DatasetKeys& keys) {
  crypto_generichash_state state;
  int rc = crypto_generichash_init(&state, keys.root_secret().data(), keys.root_secret().size(), 32);
  FL_ASSERT(rc == 0);
  uint8_t length = static_cast<uint8_t>(kDocumentRowLabel.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, as_bytes(kDocumentRowLabel).data(), kDocumentRowLabel.size());
  crypto_generichash_update(&state, keys.dataset().data(), keys.dataset().size());
  crypto::Secret<32> key;
  crypto_generichash_final(&state, key.data(), key.size());
  return key;
}

Bytes tree_prefix(uint64_t epoch, std::optional<uint32_t> index_number) {
  Bytes prefix{index_number ? kIndexTreeTag : kPrimaryTreeTag};
  append_be(prefix, epoch, 8);
  if (index_number) append_be(prefix, *index_number, 4);
  return prefix;
}

Bytes just_above(ByteView key) {
  Bytes out(key.begin(), key.end());
  out.push_back(0x00);
  return out;
}

Status invalid(std::string message) { return Status::error(ErrorCode::kInvalidArgument, std::move(message)); }

Result<Bytes> encode_id(const bson_iter_t* id) {
  bson_type_t type = bson_iter_type(id);
  if (type == BSON_TYPE_ARRAY || type == BSON_TYPE_REGEX || type == BSON_TYPE_UNDEFINED) {
    return invalid("an _id cannot be an array, a regex or undefined");
  }
  Result<Bytes> key = key_encoding(id);
  if (!key) return key.status().with_context("_id");
  if (key->size() > client::kMaxBtreeKeyBytes) return invalid("the _id's index key is over 1024 bytes");
  return key;
}

Result<Bytes> encode_id(const Value& id) {
  bson_iter_t it;
  id.iter(&it);
  return encode_id(&it);
}

}  // namespace

Result<std::vector<client::BTreeEntry>> EncryptedStore::scan(client::BTree& tree, ByteView lo, ByteView hi) {
  std::vector<client::BTreeEntry> out;
  Bytes from(lo.begin(), lo.end());
  while (true) {
    Result<std::vector<client::BTreeEntry>> page = tree.range(from, hi, client::kMaxBtreeRangeEntries);
    if (!page) return page.status();
    bool full = page->size() == client::kMaxBtreeRangeEntries;
    if (!page->empty()) from = just_above(page->back().key);
    for (client::BTreeEntry& entry : *page) out.push_back(std::move(entry));
    if (!full) return out;
  }
}

EncryptedStore::EncryptedStore(std::vector<std::unique_ptr<Slot>> slots, env::Random& random, CommitHook commit,
                               EncryptedStoreOptions options)
    : slots_(std::move(slots)), random_(&random), commit_(std::move(commit)), options_(options) {}

EncryptedStore::~EncryptedStore() = default;

Result<std::unique_ptr<EncryptedStore>> EncryptedStore::open(std::vector<DatasetRows> datasets,
                                                             const client::KeyStore& keys, env::Random& random,
                                                             CommitHook commit, EncryptedStoreOptions options) {
  if (datasets.empty()) return invalid("the encrypted store needs at least one dataset");
  if (!commit) return invalid("the encrypted store needs a commit hook");
  std::vector<std::unique_ptr<Slot>> slots;
  std::set<storage::DatasetId> seen;
  for (const DatasetRows& given : datasets) {
    FL_ASSERT(given.rows != nullptr);
    if (!seen.insert(given.dataset).second) return invalid("dataset " + to_hex(given.dataset) + " given twice");
    const client::DatasetKeys* dataset_keys = keys.find(given.dataset);
    if (dataset_keys == nullptr) return invalid("the key store holds no keys for dataset " + to_hex(given.dataset));
    slots.push_back(std::unique_ptr<Slot>(new Slot{given.dataset, given.rows, dataset_keys,
                                                   client::RowCipher::for_dataset(*dataset_keys),
                                                   derive_name_key(*dataset_keys)}));
  }
  std::unique_ptr<EncryptedStore> store(new EncryptedStore(std::move(slots), random, std::move(commit), options));
  Slot& home = *store->slots_.front();
  Result<std::optional<Bytes>> row = home.rows->get(as_bytes(kCatalogRowKey));
  if (!row) return row.status().with_context("reading the catalog");
  if (row->has_value()) {
    Result<Bytes> plain = home.cipher.decrypt_row(as_bytes(kCatalogRowKey), **row);
    if (!plain) return plain.status().with_context("the catalog row");
    Result<Document> document = Document::parse(*plain, client::kMaxRowPlaintextBytes);
    if (!document) return document.status().with_context("the catalog row");
    Result<Catalog> catalog = Catalog::from_document(*document);
    if (!catalog) return catalog.status();
    for (const auto& [ns, collection] : catalog->collections) {
      if (!seen.contains(collection.dataset)) {
        return invalid("the catalog puts " + ns.full() + " in dataset " + to_hex(collection.dataset) +
                       ", which this gateway was not given");
      }
    }
    store->committed_ = std::move(*catalog);
  }
  store->catalog_ = store->committed_;
  FL_RETURN_IF_ERROR(store->rebuild_live());
  return store;
}

EncryptedStore::Slot& EncryptedStore::slot_of(const storage::DatasetId& dataset) {
  for (const std::unique_ptr<Slot>& slot : slots_) {
    if (slot->dataset == dataset) return *slot;
  }
  FL_ASSERT_MSG(false, "a collection's dataset is one of the store's (checked at open)");
  return *slots_.front();
}

std::optional<storage::DatasetId> EncryptedStore::dataset_of(const Namespace& ns) const {
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return std::nullopt;
  return found->second.dataset;
}

Status EncryptedStore::rebuild_live() {
  live_.clear();
  for (const auto& [ns, collection] : catalog_.collections) {
    Slot& slot = slot_of(collection.dataset);
    Result<client::BTree> primary =
        client::BTree::open(collection.primary, *slot.keys, *slot.rows, *random_, options_.cached_levels);
    if (!primary) return primary.status().with_context(ns.full() + " primary index");
    auto live = std::unique_ptr<Live>(new Live{std::move(*primary), {}});
    for (const CatalogIndex& index : collection.indexes) {
      if (!index.tree) {
        live->indexes.emplace_back();
        continue;
      }
      Result<client::BTree> tree =
          client::BTree::open(*index.tree, *slot.keys, *slot.rows, *random_, options_.cached_levels);
      if (!tree) return tree.status().with_context(ns.full() + " index " + index.spec.name);
      live->indexes.emplace_back(std::move(*tree));
    }
    live_.emplace(ns, std::move(live));
  }
  return Status::ok();
}

Status EncryptedStore::restore() {
  catalog_ = committed_;
  pending_garbage_.clear();
  Status rebuilt = rebuild_live();
  FL_ASSERT_MSG(rebuilt.is_ok(), "the committed catalog opened before");
  return rebuilt;
}

void EncryptedStore::sync_descriptors() {
  for (auto& [ns, collection] : catalog_.collections) {
    Live& live = *live_.at(ns);
    collection.primary = live.primary.descriptor();
    for (size_t i = 0; i < collection.indexes.size(); ++i) {
      if (live.indexes[i]) collection.indexes[i].tree = live.indexes[i]->descriptor();
    }
  }
}

Status EncryptedStore::persist_catalog() {
  sync_descriptors();
  Document document = catalog_.to_document();
  Slot& home = *slots_.front();
  Result<Bytes> sealed = home.cipher.encrypt_row(as_bytes(kCatalogRowKey), document.bytes(), *random_);
  if (!sealed) return sealed.status().with_context("sealing the catalog");
  return home.rows->put(as_bytes(kCatalogRowKey), *sealed);
}

Status EncryptedStore::finish_mutation() {
  Status status = persist_catalog();
  if (status.is_ok()) status = commit_();
  if (!status.is_ok()) {
    (void)restore();
    return status;
  }
  committed_ = catalog_;
  for (auto& [dataset, rows] : pending_garbage_) {
    auto& list = garbage_[dataset];
    list.insert(list.end(), rows.begin(), rows.end());
  }
  pending_garbage_.clear();
  // The committed catalog no longer reaches these rows. Failures here cost
  // space, not correctness: the rows stay listed and the next mutation
  // retries, so the call itself has succeeded.
  for (auto& [ns, live] : live_) {
    (void)live->primary.collect_garbage();
    for (std::optional<client::BTree>& tree : live->indexes) {
      if (tree) (void)tree->collect_garbage();
    }
  }
  for (auto& [dataset, rows] : garbage_) {
    Slot& slot = slot_of(dataset);
    size_t erased = 0;
    while (erased < rows.size() && slot.rows->erase(rows[erased]).is_ok()) ++erased;
    rows.erase(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(erased));
  }
  std::erase_if(garbage_, [](const auto& entry) { return entry.second.empty(); });
  (void)commit_();
  return Status::ok();
}

EncryptedStore::Savepoint EncryptedStore::savepoint() {
  sync_descriptors();
  return Savepoint{catalog_, pending_garbage_};
}

void EncryptedStore::roll_back(Savepoint saved) {
  // The undone mutation's rows are unreachable from the saved catalog; the
  // next write reuses their bucket ids. Reopening the trees drops the obsolete
  // lists of the command's earlier mutations: those buckets leak (never
  // wrong), a cost only failures pay.
  catalog_ = std::move(saved.catalog);
  pending_garbage_ = std::move(saved.pending_garbage);
  Status rebuilt = rebuild_live();
  FL_ASSERT_MSG(rebuilt.is_ok(), "a catalog these trees had open reopens");
}

template <typename Body>
auto EncryptedStore::mutate(Body body) -> decltype(body()) {
  if (!in_command_) {
    auto outcome = body();
    if (!outcome) {
      (void)restore();
      return outcome;
    }
    FL_RETURN_IF_ERROR(finish_mutation());
    return outcome;
  }
  Savepoint saved = savepoint();
  auto outcome = body();
  if (!outcome) {
    roll_back(std::move(saved));
    return outcome;
  }
  dirty_ = true;
  return outcome;
}

void EncryptedStore::begin_command() {
  in_command_ = true;
  dirty_ = false;
}

Status EncryptedStore::end_command() {
  in_command_ = false;
  if (!dirty_) return Status::ok();
  dirty_ = false;
  return finish_mutation();
}

Result<CatalogCollection*> EncryptedStore::ensure_collection(const Namespace& ns, bool* created) {
  *created = false;
  auto found = catalog_.collections.find(ns);
  if (found != catalog_.collections.end()) return &found->second;
  const Slot* free_slot = nullptr;
  for (const std::unique_ptr<Slot>& slot : slots_) {
    bool taken = std::any_of(catalog_.collections.begin(), catalog_.collections.end(),
                             [&](const auto& entry) { return entry.second.dataset == slot->dataset; });
    if (!taken) {
      free_slot = slot.get();
      break;
    }
  }
  if (free_slot == nullptr) {
    return Status::error(ErrorCode::kLimitExceeded, "no free dataset for collection " + ns.full() + ": all " +
                                                        std::to_string(slots_.size()) +
                                                        " datasets of this gateway hold collections");
  }
  CatalogCollection collection;
  collection.ns = ns;
  collection.dataset = free_slot->dataset;
  collection.epoch = catalog_.next_epoch[free_slot->dataset]++;
  Result<client::BTreeDescriptor> primary =
      client::BTreeDescriptor::empty(tree_prefix(collection.epoch, std::nullopt), options_.bucket_entries);
  if (!primary) return primary.status();
  collection.primary = *primary;
  Result<client::BTree> tree =
      client::BTree::open(collection.primary, *free_slot->keys, *free_slot->rows, *random_, options_.cached_levels);
  if (!tree) return tree.status();
  live_[ns] = std::unique_ptr<Live>(new Live{std::move(*tree), {}});
  *created = true;
  return &catalog_.collections.emplace(ns, std::move(collection)).first->second;
}

Result<Document> EncryptedStore::load_document(Slot& slot, ByteView located) {
  if (located.size() != kLocatedBytes) {
    return Status::error(ErrorCode::kMalformed, "an index entry names no document row");
  }
  ByteView row_key = located.first(1 + kRowNameBytes);
  ByteView expected = located.subspan(1 + kRowNameBytes);
  Result<std::optional<Bytes>> row = slot.rows->get(row_key);
  if (!row) return row.status();
  if (!row->has_value()) {
    return Status::error(ErrorCode::kAuthentication, "a document row the index names is missing");
  }
  crypto::Hash256 actual = crypto::blake2b_256(kDocumentHashDomain, {**row});
  if (!std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
    return Status::error(ErrorCode::kAuthentication, "a document row does not match its index entry's hash");
  }
  Result<Bytes> plain = slot.cipher.decrypt_document(row_key, **row);
  if (!plain) return plain.status();
  Result<Document> document = Document::parse(*plain);
  if (!document) return document.status().with_context("a decrypted document");
  return document;
}

Result<std::vector<Bytes>> EncryptedStore::index_keys(const CatalogIndex& index, const bson_t* document,
                                                      ByteView id_key) const {
  std::vector<bson_iter_t> found;
  values_at(document, index.path, found);
  // The values SortSpec sorts by: arrays unrolled one level, null for none.
  std::vector<bson_iter_t> values;
  for (const bson_iter_t& value : found) {
    bson_iter_t element;
    if (BSON_ITER_HOLDS_ARRAY(&value) && bson_iter_recurse(&value, &element)) {
      while (bson_iter_next(&element)) values.push_back(element);
    } else {
      values.push_back(value);
    }
  }
  std::vector<Bytes> keys;
  if (values.empty()) keys.push_back(null_key_encoding());
  for (const bson_iter_t& value : values) {
    Result<Bytes> key = key_encoding(&value);
    if (!key) return key.status().with_context("index " + index.spec.name);
    keys.push_back(std::move(*key));
  }
  for (Bytes& key : keys) {
    key.insert(key.end(), id_key.begin(), id_key.end());
    if (key.size() > client::kMaxBtreeKeyBytes) {
      return invalid("index " + index.spec.name + ": a key is over " + std::to_string(client::kMaxBtreeKeyBytes) +
                     " bytes");
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Result<Bytes> EncryptedStore::seal_document(Slot& slot, CatalogCollection& collection, ByteView id_key,
                                            const Document& document, Bytes& located) {
  Bytes message;
  append_be(message, collection.epoch, 8);
  append_be(message, collection.next_version++, 8);
  message.insert(message.end(), id_key.begin(), id_key.end());
  Bytes row_key{kDocumentRowTag};
  row_key.resize(1 + kRowNameBytes);
  int rc = crypto_generichash(row_key.data() + 1, kRowNameBytes, message.data(), message.size(), slot.name_key.data(),
                              slot.name_key.size());
  FL_ASSERT(rc == 0);
  Result<Bytes> sealed = slot.cipher.encrypt_document(row_key, document.bytes(), *random_);
  if (!sealed) return sealed.status();
  FL_RETURN_IF_ERROR(slot.rows->put(row_key, *sealed));
  crypto::Hash256 hash = crypto::blake2b_256(kDocumentHashDomain, {*sealed});
  located = row_key;
  located.insert(located.end(), hash.begin(), hash.end());
  return row_key;
}

Result<DocumentStore::InsertOutcome> EncryptedStore::insert(const Namespace& ns, const Document& document) {
  bson_iter_t id;
  if (!document.find("_id", &id)) return invalid("document without _id");
  Result<Bytes> id_key = encode_id(&id);
  if (!id_key) return id_key.status();
  auto existing = live_.find(ns);
  if (existing != live_.end()) {
    Result<std::optional<Bytes>> found = existing->second->primary.find(*id_key);
    if (!found) return found.status();
    if (found->has_value()) return InsertOutcome::kDuplicateId;
  }
  auto body = [&]() -> Result<InsertOutcome> {
    bool created = false;
    Result<CatalogCollection*> collection = ensure_collection(ns, &created);
    if (!collection) return collection.status();
    Live& live = *live_.at(ns);
    std::vector<std::vector<Bytes>> keys_per_index;
    for (const CatalogIndex& index : (*collection)->indexes) {
      if (!index.tree) {
        keys_per_index.emplace_back();
        continue;
      }
      Result<std::vector<Bytes>> keys = index_keys(index, document.get(), *id_key);
      if (!keys) return keys.status();
      keys_per_index.push_back(std::move(*keys));
    }
    Slot& slot = slot_of((*collection)->dataset);
    Bytes located;
    Result<Bytes> row = seal_document(slot, **collection, *id_key, document, located);
    if (!row) return row.status();
    Result<bool> added = live.primary.insert(*id_key, located);
    if (!added) return added.status();
    for (size_t i = 0; i < keys_per_index.size(); ++i) {
      if (keys_per_index[i].size() > 1) (*collection)->indexes[i].multikey = true;
      for (const Bytes& key : keys_per_index[i]) {
        Result<bool> inserted = live.indexes[i]->insert(key, located);
        if (!inserted) return inserted.status();
      }
    }
    return InsertOutcome::kInserted;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::replace(const Namespace& ns, const Value& id, const Document& document) {
  auto existing = live_.find(ns);
  if (existing == live_.end()) return false;
  Result<Bytes> id_key = encode_id(id);
  if (!id_key) return false;  // no stored document has such an _id
  Live& live = *existing->second;
  Result<std::optional<Bytes>> found = live.primary.find(*id_key);
  if (!found) return found.status();
  if (!found->has_value()) return false;
  bson_iter_t new_id;
  if (!document.find("_id", &new_id)) return invalid("replacement without _id");
  Result<Bytes> new_id_key = encode_id(&new_id);
  if (!new_id_key) return new_id_key.status();
  if (*new_id_key != *id_key) return invalid("a replacement must keep the document's _id");
  CatalogCollection& collection = catalog_.collections.at(ns);
  Slot& slot = slot_of(collection.dataset);
  auto body = [&]() -> Result<bool> {
    Result<Document> before = load_document(slot, **found);
    if (!before) return before.status();
    Bytes located;
    Result<Bytes> row = seal_document(slot, collection, *id_key, document, located);
    if (!row) return row.status();
    Result<bool> updated = live.primary.insert(*id_key, located);
    if (!updated) return updated.status();
    for (size_t i = 0; i < collection.indexes.size(); ++i) {
      if (!live.indexes[i]) continue;
      Result<std::vector<Bytes>> old_keys = index_keys(collection.indexes[i], before->get(), *id_key);
      Result<std::vector<Bytes>> new_keys = index_keys(collection.indexes[i], document.get(), *id_key);
      if (!old_keys) return old_keys.status();
      if (!new_keys) return new_keys.status();
      if (new_keys->size() > 1) collection.indexes[i].multikey = true;
      for (const Bytes& key : *old_keys) {
        if (std::binary_search(new_keys->begin(), new_keys->end(), key)) continue;
        Result<bool> erased = live.indexes[i]->erase(key);
        if (!erased) return erased.status();
      }
      // Every entry names the new row, so each is rewritten.
      for (const Bytes& key : *new_keys) {
        Result<bool> inserted = live.indexes[i]->insert(key, located);
        if (!inserted) return inserted.status();
      }
    }
    pending_garbage_[collection.dataset].emplace_back((*found)->begin(), (*found)->begin() + 1 + kRowNameBytes);
    return true;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::remove(const Namespace& ns, const Value& id) {
  auto existing = live_.find(ns);
  if (existing == live_.end()) return false;
  Result<Bytes> id_key = encode_id(id);
  if (!id_key) return false;
  Live& live = *existing->second;
  Result<std::optional<Bytes>> found = live.primary.find(*id_key);
  if (!found) return found.status();
  if (!found->has_value()) return false;
  CatalogCollection& collection = catalog_.collections.at(ns);
  Slot& slot = slot_of(collection.dataset);
  auto body = [&]() -> Result<bool> {
    Result<Document> before = load_document(slot, **found);
    if (!before) return before.status();
    for (size_t i = 0; i < collection.indexes.size(); ++i) {
      if (!live.indexes[i]) continue;
      Result<std::vector<Bytes>> keys = index_keys(collection.indexes[i], before->get(), *id_key);
      if (!keys) return keys.status();
      for (const Bytes& key : *keys) {
        Result<bool> erased = live.indexes[i]->erase(key);
        if (!erased) return erased.status();
      }
    }
    Result<bool> erased = live.primary.erase(*id_key);
    if (!erased) return erased.status();
    pending_garbage_[collection.dataset].emplace_back((*found)->begin(), (*found)->begin() + 1 + kRowNameBytes);
    return true;
  };
  return mutate(body);
}

Result<std::vector<std::string>> EncryptedStore::list_collections(const std::string& db) {
  std::vector<std::string> names;
  for (const auto& [ns, collection] : catalog_.collections) {
    if (ns.db == db) names.push_back(ns.collection);
  }
  return names;  // sorted: the catalog is ordered by (db, collection)
}

Result<bool> EncryptedStore::create_collection(const Namespace& ns) {
  if (catalog_.collections.contains(ns)) return false;
  auto body = [&]() -> Result<bool> {
    bool created = false;
    Result<CatalogCollection*> collection = ensure_collection(ns, &created);
    if (!collection) return collection.status();
    return created;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::drop(const Namespace& ns) {
  auto existing = live_.find(ns);
  if (existing == live_.end()) return false;
  CatalogCollection& collection = catalog_.collections.at(ns);
  Live& live = *existing->second;
  auto body = [&]() -> Result<bool> {
    // Every row of the collection becomes garbage, erased once the catalog
    // without it is committed: the documents the primary index names, and
    // every bucket id each tree has ever used (a bucket's row key is its
    // tree's prefix and its id, below the descriptor's next_bucket_id).
    Result<std::vector<client::BTreeEntry>> entries = scan(live.primary, {}, {});
    if (!entries) return entries.status();
    std::vector<Bytes>& garbage = pending_garbage_[collection.dataset];
    for (const client::BTreeEntry& entry : *entries) {
      if (entry.value.size() != kLocatedBytes) return Status::error(ErrorCode::kMalformed, "a bad primary entry");
      garbage.emplace_back(entry.value.begin(), entry.value.begin() + 1 + kRowNameBytes);
    }
    auto sweep = [&](const client::BTreeDescriptor& descriptor) {
      for (uint64_t id = 0; id < descriptor.next_bucket_id; ++id) {
        garbage.push_back(client::bucket_row_key(descriptor.row_prefix, id));
      }
    };
    sweep(live.primary.descriptor());
    for (const std::optional<client::BTree>& tree : live.indexes) {
      if (tree) sweep(tree->descriptor());
    }
    live_.erase(ns);
    catalog_.collections.erase(ns);
    return true;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::create_index(const Namespace& ns, const IndexSpec& index) {
  auto existing = catalog_.collections.find(ns);
  if (existing != catalog_.collections.end()) {
    for (const CatalogIndex& known : existing->second.indexes) {
      if (known.spec.name == index.name) return false;
    }
  }
  auto body = [&]() -> Result<bool> {
    bool created = false;
    Result<CatalogCollection*> collection = ensure_collection(ns, &created);
    if (!collection) return collection.status();
    if ((*collection)->indexes.size() >= kMaxIndexesPerCollection) {
      return Status::error(ErrorCode::kLimitExceeded, ns.full() + " has " +
                                                          std::to_string(kMaxIndexesPerCollection) +
                                                          " indexes already");
    }
    Outcome<std::vector<std::string>> path = parse_path(index.key.first_key());
    if (!path) return invalid(path.error().message);
    CatalogIndex added{index, std::move(*path), (*collection)->next_index++, false, std::nullopt};
    Live& live = *live_.at(ns);
    std::optional<client::BTree> tree;
    if (index.kind == IndexKind::kBtree) {
      Result<client::BTreeDescriptor> empty = client::BTreeDescriptor::empty(
          tree_prefix((*collection)->epoch, added.number), options_.bucket_entries);
      if (!empty) return empty.status();
      added.tree = *empty;
      Slot& slot = slot_of((*collection)->dataset);
      Result<client::BTree> opened =
          client::BTree::open(*empty, *slot.keys, *slot.rows, *random_, options_.cached_levels);
      if (!opened) return opened.status();
      tree.emplace(std::move(*opened));
      // Builds the index over the documents there are: each is read and
      // decrypted once, and its keys inserted.
      Result<std::vector<client::BTreeEntry>> entries = scan(live.primary, {}, {});
      if (!entries) return entries.status();
      for (const client::BTreeEntry& entry : *entries) {
        Result<Document> document = load_document(slot, entry.value);
        if (!document) return document.status();
        Result<std::vector<Bytes>> keys = index_keys(added, document->get(), entry.key);
        if (!keys) return keys.status();
        if (keys->size() > 1) added.multikey = true;
        for (const Bytes& key : *keys) {
          Result<bool> inserted = tree->insert(key, entry.value);
          if (!inserted) return inserted.status();
        }
      }
    }
    (*collection)->indexes.push_back(std::move(added));
    live.indexes.push_back(std::move(tree));
    return true;
  };
  return mutate(body);
}

Result<std::vector<IndexSpec>> EncryptedStore::list_indexes(const Namespace& ns) {
  std::vector<IndexSpec> specs;
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return specs;
  for (const CatalogIndex& index : found->second.indexes) specs.push_back(index.spec);
  return specs;
}

}  // namespace fluence::gateway
