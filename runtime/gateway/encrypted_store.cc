// EncryptedStore's machinery: opening the catalog and the shards' trees,
// committing a mutation (catalog, commit, garbage), undoing one, and the
// document rows themselves. The mutations are in encrypted_store_write.cc,
// the reads in encrypted_store_query.cc.
#include "runtime/gateway/encrypted_store.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "model/crypto/hash.h"
#include "runtime/gateway/encrypted_rows.h"

namespace fluence::gateway {

namespace {

Bytes just_above(ByteView key) {
  Bytes out(key.begin(), key.end());
  out.push_back(0x00);
  return out;
}

Status invalid(std::string message) { return Status::error(ErrorCode::kInvalidArgument, std::move(message)); }

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
    if (given.allocation_bytes == 0) return invalid("dataset " + to_hex(given.dataset) + " has a zero allocation");
    const client::DatasetKeys* dataset_keys = keys.find(given.dataset);
    if (dataset_keys == nullptr) return invalid("the key store holds no keys for dataset " + to_hex(given.dataset));
    slots.push_back(std::unique_ptr<Slot>(new Slot{given.dataset, given.rows, dataset_keys, given.allocation_bytes,
                                                   given.cluster, std::make_unique<MeteredRows>(*given.rows)}));
  }
  std::unique_ptr<EncryptedStore> store(new EncryptedStore(std::move(slots), random, std::move(commit), options));
  Slot& home = *store->slots_.front();
  Result<std::optional<Bytes>> row = home.rows->get(as_bytes(kCatalogRowKey));
  if (!row) return row.status().with_context("reading the catalog");
  std::optional<CatalogMark> served;
  if (row->has_value()) {
    Result<Bytes> plain = client::RowCipher::for_dataset(*home.keys).decrypt_row(as_bytes(kCatalogRowKey), **row);
    if (!plain) return plain.status().with_context("the catalog row");
    Result<Document> document = Document::parse(*plain, client::kMaxRowPlaintextBytes);
    if (!document) return document.status().with_context("the catalog row");
    Result<Catalog> catalog = Catalog::from_document(*document);
    if (!catalog) return catalog.status();
    for (const auto& [ns, collection] : catalog->collections) {
      for (const CatalogShard& shard : collection.shards) {
        if (!seen.contains(shard.dataset)) {
          return invalid("the catalog puts " + ns.full() + " in dataset " + to_hex(shard.dataset) +
                         ", which this gateway was not given");
        }
      }
    }
    served = mark_of(catalog->generation, **row);
    store->committed_ = std::move(*catalog);
    store->catalog_row_bytes_ = kCatalogRowKey.size() + (*row)->size();
  }
  if (options.anchor != nullptr) {
    Result<std::optional<CatalogMark>> anchored = options.anchor->load();
    if (!anchored) return anchored.status();
    FL_RETURN_IF_ERROR(check_catalog_freshness(*anchored, served));
    if (served && (!*anchored || (*anchored)->generation < served->generation)) {
      FL_RETURN_IF_ERROR(options.anchor->store(*served));
    }
  }
  store->catalog_ = store->committed_;
  FL_RETURN_IF_ERROR(store->rebuild_live());
  // A format-1 catalog's shards: counted once, here; the next mutation
  // writes the counts (and format 2).
  for (auto& [ns, collection] : store->catalog_.collections) {
    for (size_t i = 0; i < collection.shards.size(); ++i) {
      CatalogShard& shard = collection.shards[i];
      if (shard.measured) continue;
      Status measured = store->measure(shard, store->live_.at(ns)->shards[i]);
      if (!measured.is_ok()) return measured.with_context("measuring " + ns.full() + " from a format-1 catalog");
    }
  }
  store->committed_ = store->catalog_;
  return store;
}

Status EncryptedStore::measure(CatalogShard& shard, LiveShard& live) {
  Slot& slot = *live.slot;
  uint64_t bytes = 0;
  Result<std::vector<client::BTreeEntry>> entries = scan(live.primary, {}, {});
  if (!entries) return entries.status();
  for (const client::BTreeEntry& entry : *entries) {
    uint64_t row_bytes = 0;
    Result<Document> document = load_document(live, entry.value, &row_bytes);
    if (!document) return document.status();
    bytes += kDocumentRowKeyBytes + row_bytes;
  }
  // A full scan fetches every bucket of a tree once, and the meter keeps
  // each one's size.
  for (std::optional<client::BTree>& tree : live.indexes) {
    if (!tree) continue;
    Result<std::vector<client::BTreeEntry>> walked = scan(*tree, {}, {});
    if (!walked) return walked.status();
  }
  bytes += slot.meter->remembered_bytes(shard_prefix(kPrimaryTreeTag, shard.epoch));
  bytes += slot.meter->remembered_bytes(shard_prefix(kIndexTreeTag, shard.epoch));
  shard.stored_bytes = bytes;
  shard.measured = true;
  slot.meter->set_stored_bytes(bytes);
  return Status::ok();
}

EncryptedStore::Slot& EncryptedStore::slot_of(const storage::DatasetId& dataset) {
  return const_cast<Slot&>(std::as_const(*this).slot_of(dataset));
}

const EncryptedStore::Slot& EncryptedStore::slot_of(const storage::DatasetId& dataset) const {
  for (const std::unique_ptr<Slot>& slot : slots_) {
    if (slot->dataset == dataset) return *slot;
  }
  FL_ASSERT_MSG(false, "a shard's dataset is one of the store's (checked at open)");
  return *slots_.front();
}

std::optional<storage::DatasetId> EncryptedStore::dataset_of(const Namespace& ns) const {
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return std::nullopt;
  return found->second.shards.front().dataset;
}

std::vector<storage::DatasetId> EncryptedStore::shards_of(const Namespace& ns) const {
  std::vector<storage::DatasetId> out;
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return out;
  for (const CatalogShard& shard : found->second.shards) out.push_back(shard.dataset);
  return out;
}

uint64_t EncryptedStore::stored_bytes(const storage::DatasetId& dataset) const {
  for (const std::unique_ptr<Slot>& slot : slots_) {
    if (slot->dataset == dataset) return usage(*slot);
  }
  return 0;
}

uint64_t EncryptedStore::usage(const Slot& slot) const {
  uint64_t bytes = slot.meter->stored_bytes() + (&slot == slots_.front().get() ? catalog_row_bytes_ : 0);
  for (const auto& [ns, collection] : catalog_.collections) {
    if (!collection.shards.empty() && collection.shards.front().dataset == slot.dataset) {
      bytes += collection.descriptor_bytes;
    }
  }
  return bytes;
}

uint64_t EncryptedStore::insert_limit(const Slot& slot) const {
  uint64_t reserve = &slot == slots_.front().get() ? options_.catalog_reserve_bytes : 0;
  for (const auto& [ns, collection] : catalog_.collections) {
    if (!collection.dataset_keys && !collection.shards.empty() && collection.shards.front().dataset == slot.dataset) {
      reserve += options_.descriptor_reserve_bytes;
    }
  }
  return slot.allocation_bytes - std::min<uint64_t>(slot.allocation_bytes, reserve);
}

Result<std::optional<client::NodeKey>> EncryptedStore::key_of(const CatalogCollection& collection) const {
  if (collection.dataset_keys) return std::optional<client::NodeKey>();
  FL_ASSERT(!collection.shards.empty());
  const Slot& first = slot_of(collection.shards.front().dataset);
  FL_ASSERT_MSG(first.keys != nullptr, "only a view has no keys, and it never derives one");
  Result<client::NodeKey> key = collection_key(*first.keys, collection.ns);
  if (!key) return key.status();
  return std::optional<client::NodeKey>(std::move(*key));
}

Result<EncryptedStore::LiveShard> EncryptedStore::open_shard_trees(const std::optional<client::NodeKey>& key,
                                                                   const CatalogShard& shard) {
  Slot& slot = slot_of(shard.dataset);
  FL_ASSERT_MSG(key || slot.keys != nullptr, "a collection keyed by its datasets' keys, in a store holding them");
  ShardKeys keys = key ? ShardKeys::of_collection(*key, shard.dataset) : ShardKeys::of_dataset(*slot.keys);
  Result<client::BTree> primary = client::BTree::open(shard.primary, keys.bucket_cipher(shard.dataset), *slot.meter,
                                                      *random_, options_.cached_levels);
  if (!primary) return primary.status().with_context("primary index");
  LiveShard live{&slot, std::move(keys), std::move(*primary), {}};
  for (const std::optional<client::BTreeDescriptor>& descriptor : shard.trees) {
    if (!descriptor) {
      live.indexes.emplace_back();
      continue;
    }
    Result<client::BTree> tree = client::BTree::open(*descriptor, live.keys.bucket_cipher(shard.dataset),
                                                     *slot.meter, *random_, options_.cached_levels);
    if (!tree) return tree.status().with_context("an index");
    live.indexes.emplace_back(std::move(*tree));
  }
  return live;
}

Result<std::unique_ptr<EncryptedStore::Live>> EncryptedStore::open_collection(const CatalogCollection& collection,
                                                                              std::optional<client::NodeKey> key) {
  auto live = std::make_unique<Live>();
  live->key = std::move(key);
  for (const CatalogShard& shard : collection.shards) {
    Result<LiveShard> opened = open_shard_trees(live->key, shard);
    if (!opened) return opened.status().with_context(collection.ns.full());
    live->shards.push_back(std::move(*opened));
  }
  return live;
}

Status EncryptedStore::rebuild_live() {
  live_.clear();
  for (const std::unique_ptr<Slot>& slot : slots_) slot->meter->set_stored_bytes(0);
  for (const auto& [ns, collection] : catalog_.collections) {
    Result<std::optional<client::NodeKey>> key = key_of(collection);
    if (!key) return key.status();
    Result<std::unique_ptr<Live>> live = open_collection(collection, std::move(*key));
    if (!live) return live.status();
    for (const CatalogShard& shard : collection.shards) {
      slot_of(shard.dataset).meter->set_stored_bytes(shard.stored_bytes);
    }
    live_.emplace(ns, std::move(*live));
  }
  return Status::ok();
}

void EncryptedStore::restore(bool erase_rows) {
  catalog_ = committed_;
  pending_garbage_.clear();
  // A failed commit may have sent descriptors of the undone state: put
  // every one again at the next commit.
  if (!erase_rows) descriptors_put_.clear();
  for (const std::unique_ptr<Slot>& slot : slots_) {
    if (erase_rows) slot->meter->revert(0, slot->meter->stored_bytes());
    slot->meter->commit();
  }
  Status rebuilt = rebuild_live();
  FL_ASSERT_MSG(rebuilt.is_ok(), "the committed catalog opened before");
}

void EncryptedStore::sync_catalog() {
  for (auto& [ns, collection] : catalog_.collections) {
    Live& live = *live_.at(ns);
    FL_ASSERT(live.shards.size() == collection.shards.size());
    for (size_t s = 0; s < collection.shards.size(); ++s) {
      CatalogShard& shard = collection.shards[s];
      LiveShard& trees = live.shards[s];
      shard.primary = trees.primary.descriptor();
      for (size_t i = 0; i < shard.trees.size(); ++i) {
        if (trees.indexes[i]) shard.trees[i] = trees.indexes[i]->descriptor();
      }
      // One shard per dataset, so the dataset's meter is the shard's count.
      shard.stored_bytes = slot_of(shard.dataset).meter->stored_bytes();
    }
  }
}

Status EncryptedStore::persist_catalog() {
  sync_catalog();
  catalog_.generation = committed_.generation + 1;
  FL_RETURN_IF_ERROR(persist_descriptors());
  Document document = catalog_.to_document();
  Slot& home = *slots_.front();
  Result<Bytes> sealed =
      client::RowCipher::for_dataset(*home.keys).encrypt_row(as_bytes(kCatalogRowKey), document.bytes(), *random_);
  if (!sealed) return sealed.status().with_context("sealing the catalog");
  FL_RETURN_IF_ERROR(home.meter->put_unmetered(as_bytes(kCatalogRowKey), *sealed));
  catalog_row_bytes_ = kCatalogRowKey.size() + sealed->size();
  catalog_mark_ = mark_of(catalog_.generation, *sealed);
  return Status::ok();
}

void EncryptedStore::anchor_catalog() {
  // Best effort, by the anchor's contract: a stale anchor is only a weaker
  // check until the next commit, while failing here would report a
  // committed mutation as failed.
  if (options_.anchor != nullptr) (void)options_.anchor->store(catalog_mark_);
}

Status EncryptedStore::finish_mutation() {
  Status status = persist_catalog();
  if (status.is_ok()) status = commit_();
  if (!status.is_ok()) {
    // Part of the rows may have reached the nodes: leave them, unreachable.
    restore(/*erase_rows=*/false);
    return status;
  }
  committed_ = catalog_;
  anchor_catalog();
  for (const std::unique_ptr<Slot>& slot : slots_) slot->meter->commit();
  for (auto& [dataset, rows] : pending_garbage_) {
    auto& list = garbage_[dataset];
    list.insert(list.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  }
  pending_garbage_.clear();
  auto total_stored = [this] {
    uint64_t total = 0;
    for (const std::unique_ptr<Slot>& slot : slots_) total += slot->meter->stored_bytes();
    return total;
  };
  uint64_t stored_before_collecting = total_stored();
  // The committed catalog no longer reaches these rows. Failures here cost
  // space, not correctness: the rows stay listed and the next mutation
  // retries, so the call itself has succeeded.
  for (auto& [ns, live] : live_) {
    for (LiveShard& shard : live->shards) {
      (void)shard.primary.collect_garbage();
      for (std::optional<client::BTree>& tree : shard.indexes) {
        if (tree) (void)tree->collect_garbage();
      }
    }
  }
  for (auto& [dataset, rows] : garbage_) {
    MeteredRows& meter = *slot_of(dataset).meter;
    size_t erased = 0;
    while (erased < rows.size()) {
      const Garbage& row = rows[erased];
      Status gone = row.counted_value_bytes ? meter.erase_counted(row.key, *row.counted_value_bytes)
                                            : meter.erase_uncounted(row.key);
      if (!gone.is_ok()) break;
      ++erased;
    }
    rows.erase(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(erased));
  }
  std::erase_if(garbage_, [](const auto& entry) { return entry.second.empty(); });
  // The counts the erasures lowered, so that a restart reads them; the
  // catalog reaches the same rows, so this write is safe whenever it lands.
  bool recounted = total_stored() != stored_before_collecting && persist_catalog().is_ok();
  if (recounted) committed_ = catalog_;
  for (const std::unique_ptr<Slot>& slot : slots_) slot->meter->commit();
  if (commit_().is_ok() && recounted) anchor_catalog();
  return Status::ok();
}

EncryptedStore::Savepoint EncryptedStore::savepoint() {
  sync_catalog();
  Savepoint saved{catalog_, pending_garbage_, {}};
  for (const std::unique_ptr<Slot>& slot : slots_) saved.marks[slot->dataset] = slot->meter->mark();
  return saved;
}

void EncryptedStore::roll_back(Savepoint saved) {
  // The undone mutation's rows are unreachable from the saved catalog, and
  // erased. Reopening the trees drops the obsolete lists of the command's
  // earlier mutations: those buckets leak (never wrong), a cost only
  // failures and new shards pay.
  for (const std::unique_ptr<Slot>& slot : slots_) slot->meter->revert(saved.marks.at(slot->dataset), 0);
  catalog_ = std::move(saved.catalog);
  pending_garbage_ = std::move(saved.pending_garbage);
  Status rebuilt = rebuild_live();  // sets the meters' counts from the catalog
  FL_ASSERT_MSG(rebuilt.is_ok(), "a catalog these trees had open reopens");
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

Result<Document> EncryptedStore::load_document(LiveShard& shard, ByteView located, uint64_t* row_bytes) {
  Result<ByteView> row_key = document_row_of(located);
  if (!row_key) return row_key.status();
  ByteView expected = located.subspan(kDocumentRowKeyBytes);
  Result<std::optional<Bytes>> row = shard.slot->meter->get_unmetered(*row_key);
  if (!row) return row.status();
  if (!row->has_value()) {
    return Status::error(ErrorCode::kAuthentication, "a document row the index names is missing");
  }
  crypto::Hash256 actual = crypto::blake2b_256(kDocumentHashDomain, {**row});
  if (!std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
    return Status::error(ErrorCode::kAuthentication, "a document row does not match its index entry's hash");
  }
  Result<Bytes> plain = shard.keys.documents.decrypt_document(*row_key, **row);
  if (!plain) return plain.status();
  Result<Document> document = Document::parse(*plain);
  if (!document) return document.status().with_context("a decrypted document");
  if (row_bytes != nullptr) *row_bytes = (*row)->size();
  return document;
}

Result<Bytes> EncryptedStore::seal_document(LiveShard& shard, CatalogCollection& collection, uint64_t epoch,
                                            ByteView id_key, const Document& document, Bytes& located) {
  Bytes message;
  append_be(message, epoch, 8);
  append_be(message, collection.next_version++, 8);
  message.insert(message.end(), id_key.begin(), id_key.end());
  Bytes row_key{kDocumentRowTag};
  row_key.resize(kDocumentRowKeyBytes);
  int rc = crypto_generichash(row_key.data() + 1, kRowNameBytes, message.data(), message.size(),
                              shard.keys.row_names.data(), shard.keys.row_names.size());
  FL_ASSERT(rc == 0);
  Result<Bytes> sealed = shard.keys.documents.encrypt_document(row_key, document.bytes(), *random_);
  if (!sealed) return sealed.status();
  FL_RETURN_IF_ERROR(shard.slot->meter->put_counted(row_key, *sealed));
  crypto::Hash256 hash = crypto::blake2b_256(kDocumentHashDomain, {*sealed});
  located = row_key;
  located.insert(located.end(), hash.begin(), hash.end());
  return row_key;
}

}  // namespace fluence::gateway
