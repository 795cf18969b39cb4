// EncryptedStore's mutations: collections, their shards and indexes, and the
// documents in them. Each runs through mutate(), which makes it durable or
// undoes it (encrypted_store.cc).
#include <algorithm>
#include <set>

#include "runtime/gateway/encrypted_rows.h"
#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/key_encoding.h"
#include "runtime/gateway/shard_placement.h"

namespace fluence::gateway {
namespace {

Status invalid(std::string message) { return Status::error(ErrorCode::kInvalidArgument, std::move(message)); }

Bytes row_key_of(ByteView located) { return Bytes(located.begin(), located.begin() + kDocumentRowKeyBytes); }

}  // namespace

template <typename Body>
auto EncryptedStore::mutate(Body body) -> decltype(body()) {
  if (!in_command_) {
    auto outcome = body();
    if (!outcome) {
      restore(/*erase_rows=*/true);
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

Status EncryptedStore::open_shard(CatalogCollection& collection) {
  std::vector<DatasetPlacement> datasets;
  for (const std::unique_ptr<Slot>& slot : slots_) {
    bool holds_shard = catalog_.shard_in(slot->dataset).has_value();
    datasets.push_back({slot->cluster, insert_limit(*slot), usage(*slot), holds_shard});
  }
  std::set<std::string> clusters;
  for (const CatalogShard& shard : collection.shards) clusters.insert(slot_of(shard.dataset).cluster);
  std::optional<size_t> chosen = place_shard(datasets, clusters);
  if (!chosen) {
    std::string what = collection.shards.empty() ? "collection " + collection.ns.full()
                                                 : "a new shard of " + collection.ns.full() + " (its " +
                                                       std::to_string(collection.shards.size()) +
                                                       " datasets are full)";
    return Status::error(ErrorCode::kLimitExceeded,
                         "no free dataset for " + what + ": each of this gateway's " + std::to_string(slots_.size()) +
                             " datasets holds a collection or is full; add a dataset, with its contract's "
                             "allocation_bytes, to the gateway's configuration");
  }
  Slot& slot = *slots_[*chosen];
  FL_ASSERT_MSG(slot.meter->stored_bytes() == 0, "a dataset without a shard counts no rows");
  CatalogShard shard;
  shard.dataset = slot.dataset;
  shard.epoch = catalog_.next_epoch[slot.dataset]++;
  Result<client::BTreeDescriptor> primary =
      client::BTreeDescriptor::empty(tree_prefix(shard.epoch, std::nullopt), options_.bucket_entries);
  if (!primary) return primary.status();
  shard.primary = *primary;
  for (const CatalogIndex& index : collection.indexes) {
    if (index.spec.kind != IndexKind::kBtree) {
      shard.trees.emplace_back();
      continue;
    }
    Result<client::BTreeDescriptor> tree =
        client::BTreeDescriptor::empty(tree_prefix(shard.epoch, index.number), options_.bucket_entries);
    if (!tree) return tree.status();
    shard.trees.emplace_back(*tree);
  }
  Live& live = *live_.at(collection.ns);
  if (collection.shards.empty() && !collection.dataset_keys) {
    // The first shard's dataset names the collection's key (collection_keys.h).
    Result<client::NodeKey> key = collection_key(*slot.keys, collection.ns);
    if (!key) return key.status();
    live.key = std::move(*key);
  }
  Result<LiveShard> opened = open_shard_trees(live.key, shard);
  if (!opened) return opened.status();
  live.shards.push_back(std::move(*opened));
  collection.shards.push_back(std::move(shard));
  return Status::ok();
}

Result<CatalogCollection*> EncryptedStore::ensure_collection(const Namespace& ns, bool* created) {
  *created = false;
  auto found = catalog_.collections.find(ns);
  if (found != catalog_.collections.end()) return &found->second;
  CatalogCollection fresh;
  fresh.ns = ns;
  fresh.dataset_keys = options_.dataset_keys_for_new_collections;
  CatalogCollection& collection = catalog_.collections.emplace(ns, std::move(fresh)).first->second;
  live_[ns] = std::make_unique<Live>();
  Status opened = open_shard(collection);
  if (!opened.is_ok()) {
    live_.erase(ns);
    catalog_.collections.erase(ns);
    return opened;
  }
  *created = true;
  return &collection;
}

Result<std::optional<EncryptedStore::Located>> EncryptedStore::locate(const Namespace& ns, ByteView id_key) {
  auto existing = live_.find(ns);
  if (existing == live_.end()) return std::optional<Located>();
  std::vector<LiveShard>& shards = existing->second->shards;
  for (size_t s = 0; s < shards.size(); ++s) {
    Result<std::optional<Bytes>> found = shards[s].primary.find(id_key);
    if (!found) return found.status();
    if (found->has_value()) return std::optional<Located>(Located{s, std::move(**found)});
  }
  return std::optional<Located>();
}

Result<std::vector<Bytes>> EncryptedStore::index_keys(const CatalogIndex& index, const bson_t* document,
                                                      ByteView id_key) const {
  std::vector<HeldIter> found;
  values_at(document, index.path, found);
  // The values SortSpec sorts by: arrays unrolled one level, null for none.
  std::vector<HeldIter> values;
  for (const HeldIter& value : found) {
    bson_iter_t element;
    if (BSON_ITER_HOLDS_ARRAY(&value.it) && bson_iter_recurse(&value.it, &element)) {
      while (bson_iter_next(&element)) values.push_back(HeldIter{element});
    } else {
      values.push_back(value);
    }
  }
  std::vector<Bytes> keys;
  if (values.empty()) keys.push_back(null_key_encoding());
  for (const HeldIter& value : values) {
    Result<Bytes> key = key_encoding(&value.it);
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

Status EncryptedStore::write_document(CatalogCollection& collection, size_t shard, ByteView id_key,
                                      const Document& document,
                                      const std::vector<std::vector<Bytes>>& keys_per_index) {
  CatalogShard& where = collection.shards.at(shard);
  LiveShard& live = live_.at(collection.ns)->shards.at(shard);
  Bytes located;
  Result<Bytes> row = seal_document(live, collection, where.epoch, id_key, document, located);
  if (!row) return row.status();
  Result<bool> added = live.primary.insert(id_key, located);
  if (!added) return added.status();
  for (size_t i = 0; i < keys_per_index.size(); ++i) {
    if (keys_per_index[i].size() > 1) collection.indexes[i].multikey = true;
    for (const Bytes& key : keys_per_index[i]) {
      Result<bool> inserted = live.indexes[i]->insert(key, located);
      if (!inserted) return inserted.status();
    }
  }
  return put_ore_rows(collection, shard, document.get(), located);
}

Result<DocumentStore::InsertOutcome> EncryptedStore::insert(const Namespace& ns, const Document& document) {
  FL_RETURN_IF_ERROR(check_writable(ns));
  bson_iter_t id;
  if (!document.find("_id", &id)) return invalid("document without _id");
  Result<Bytes> id_key = encode_id(&id);
  if (!id_key) return id_key.status();
  // Unique across shards: a document is in one shard, so one lookup per shard.
  Result<std::optional<Located>> existing = locate(ns, *id_key);
  if (!existing) return existing.status();
  if (existing->has_value()) return InsertOutcome::kDuplicateId;
  // What an insert costs is known exactly only once it is written (the
  // trees' splits), so it is written in the last shard and measured. If it
  // took the dataset past its limit, mutate() undoes it (its rows erased)
  // and it is made again in a new shard. Inside a command the undo would
  // reopen every tree and leak the command's earlier garbage (up to a
  // command's worth of rows), so there the document stays, one insert past
  // the limit, and the next insert opens the new shard.
  bool overshot = false;
  auto body = [&](bool in_new_shard) -> Result<InsertOutcome> {
    bool created = false;
    Result<CatalogCollection*> found = ensure_collection(ns, &created);
    if (!found) return found.status();
    CatalogCollection& collection = **found;
    std::vector<std::vector<Bytes>> keys_per_index;
    for (const CatalogIndex& index : collection.indexes) {
      keys_per_index.emplace_back();
      if (index.spec.kind != IndexKind::kBtree) continue;
      Result<std::vector<Bytes>> keys = index_keys(index, document.get(), *id_key);
      if (!keys) return keys.status();
      keys_per_index.back() = std::move(*keys);
    }
    // Already past it (a command's insert, a replace, an index build): the
    // document goes to a new shard straight away.
    const Slot& current = slot_of(collection.shards.back().dataset);
    if (in_new_shard || usage(current) > insert_limit(current)) FL_RETURN_IF_ERROR(open_shard(collection));
    in_new_shard = in_new_shard || &slot_of(collection.shards.back().dataset) != &current;
    size_t last = collection.shards.size() - 1;
    const Slot& slot = slot_of(collection.shards[last].dataset);
    FL_RETURN_IF_ERROR(write_document(collection, last, *id_key, document, keys_per_index));
    if (usage(slot) <= insert_limit(slot) || (in_command_ && !in_new_shard)) return InsertOutcome::kInserted;
    if (in_new_shard) {
      return Status::error(ErrorCode::kLimitExceeded,
                           "a document of " + std::to_string(document.bytes().size()) +
                               " bytes does not fit in dataset " + to_hex(slot.dataset) + " (" +
                               std::to_string(insert_limit(slot)) + " bytes for documents), the new shard of " +
                               ns.full());
    }
    overshot = true;
    return Status::error(ErrorCode::kLimitExceeded, "dataset full");  // undone, then made again below
  };
  Result<InsertOutcome> outcome = mutate([&] { return body(false); });
  if (outcome || !overshot) return outcome;
  return mutate([&] { return body(true); });
}

Result<bool> EncryptedStore::replace(const Namespace& ns, const Value& id, const Document& document) {
  FL_RETURN_IF_ERROR(check_writable(ns));
  Result<Bytes> id_key = encode_id(id);
  if (!id_key) return false;  // no stored document has such an _id
  Result<std::optional<Located>> where = locate(ns, *id_key);
  if (!where) return where.status();
  if (!where->has_value()) return false;
  bson_iter_t new_id;
  if (!document.find("_id", &new_id)) return invalid("replacement without _id");
  Result<Bytes> new_id_key = encode_id(&new_id);
  if (!new_id_key) return new_id_key.status();
  if (*new_id_key != *id_key) return invalid("a replacement must keep the document's _id");
  const Located& found = **where;
  auto body = [&]() -> Result<bool> {
    // The document stays in its shard: moving it would cost a second
    // dataset's write for every update.
    CatalogCollection& collection = catalog_.collections.at(ns);
    CatalogShard& shard = collection.shards.at(found.shard);
    LiveShard& live = live_.at(ns)->shards.at(found.shard);
    uint64_t old_row_bytes = 0;
    Result<Document> before = load_document(live, found.located, &old_row_bytes);
    if (!before) return before.status();
    Bytes located;
    Result<Bytes> row = seal_document(live, collection, shard.epoch, *id_key, document, located);
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
    FL_RETURN_IF_ERROR(put_ore_rows(collection, found.shard, document.get(), located));
    FL_RETURN_IF_ERROR(retire_ore_rows(collection, found.shard, before->get(), found.located));
    pending_garbage_[shard.dataset].push_back({row_key_of(found.located), old_row_bytes});
    return true;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::remove(const Namespace& ns, const Value& id) {
  FL_RETURN_IF_ERROR(check_writable(ns));
  Result<Bytes> id_key = encode_id(id);
  if (!id_key) return false;
  Result<std::optional<Located>> where = locate(ns, *id_key);
  if (!where) return where.status();
  if (!where->has_value()) return false;
  const Located& found = **where;
  auto body = [&]() -> Result<bool> {
    CatalogCollection& collection = catalog_.collections.at(ns);
    CatalogShard& shard = collection.shards.at(found.shard);
    LiveShard& live = live_.at(ns)->shards.at(found.shard);
    uint64_t old_row_bytes = 0;
    Result<Document> before = load_document(live, found.located, &old_row_bytes);
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
    FL_RETURN_IF_ERROR(retire_ore_rows(collection, found.shard, before->get(), found.located));
    pending_garbage_[shard.dataset].push_back({row_key_of(found.located), old_row_bytes});
    return true;
  };
  return mutate(body);
}

Result<std::vector<std::string>> EncryptedStore::list_collections(const std::string& db) {
  FL_RETURN_IF_ERROR(refresh_view());
  std::vector<std::string> names;
  for (const auto& [ns, collection] : catalog_.collections) {
    if (ns.db == db) names.push_back(ns.collection);
  }
  return names;  // sorted: the catalog is ordered by (db, collection)
}

Result<bool> EncryptedStore::create_collection(const Namespace& ns) {
  FL_RETURN_IF_ERROR(check_writable(ns));
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
  FL_RETURN_IF_ERROR(check_writable(ns));
  if (!live_.contains(ns)) return false;
  auto body = [&]() -> Result<bool> {
    CatalogCollection& collection = catalog_.collections.at(ns);
    Live& live = *live_.at(ns);
    for (size_t s = 0; s < collection.shards.size(); ++s) {
      const CatalogShard& shard = collection.shards[s];
      LiveShard& trees = live.shards[s];
      MeteredRows& meter = *slot_of(shard.dataset).meter;
      // Every row of the shard becomes garbage, erased once the catalog
      // without it is committed: the documents the primary index names, and
      // every bucket id each tree has ever used (a bucket's row key is its
      // tree's prefix and its id, below the descriptor's next_bucket_id).
      // The shard's count goes with it, so none of these is counted, nor
      // are the dataset's rows still waiting from earlier mutations.
      for (GarbageLists* lists : {&garbage_, &pending_garbage_}) {
        for (Garbage& row : (*lists)[shard.dataset]) row.counted_value_bytes.reset();
      }
      Result<std::vector<client::BTreeEntry>> entries = scan(trees.primary, {}, {});
      if (!entries) return entries.status();
      std::vector<Garbage>& garbage = pending_garbage_[shard.dataset];
      for (const client::BTreeEntry& entry : *entries) {
        Result<ByteView> row = document_row_of(entry.value);
        if (!row) return row.status();
        garbage.push_back({Bytes(row->begin(), row->end()), std::nullopt});
      }
      auto sweep = [&](const client::BTreeDescriptor& descriptor) {
        for (uint64_t id = 0; id < descriptor.next_bucket_id; ++id) {
          garbage.push_back({client::bucket_row_key(descriptor.row_prefix, id), std::nullopt});
        }
      };
      sweep(trees.primary.descriptor());
      for (const std::optional<client::BTree>& tree : trees.indexes) {
        if (tree) sweep(tree->descriptor());
      }
      // An ore index's rows are named by hashes, so the nodes list them.
      for (size_t i = 0; i < collection.indexes.size(); ++i) {
        if (collection.indexes[i].spec.kind != IndexKind::kOre) continue;
        Result<std::vector<Bytes>> rows = all_ore_rows(collection, s, i);
        if (!rows) return rows.status();
        for (Bytes& row : *rows) garbage.push_back({std::move(row), std::nullopt});
      }
      meter.forget(shard_prefix(kPrimaryTreeTag, shard.epoch));
      meter.forget(shard_prefix(kIndexTreeTag, shard.epoch));
      meter.set_stored_bytes(0);
    }
    // The descriptor row goes with the rows, once the catalog without the
    // collection is committed; it was never counted in a shard.
    if (live.key) {
      pending_garbage_[collection.shards.front().dataset].push_back({descriptor_row_key(*live.key), std::nullopt});
    }
    descriptors_put_.erase(ns);
    live_.erase(ns);
    catalog_.collections.erase(ns);
    return true;
  };
  return mutate(body);
}

Result<bool> EncryptedStore::create_index(const Namespace& ns, const IndexSpec& index) {
  FL_RETURN_IF_ERROR(check_writable(ns));
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
    CatalogIndex added{index, std::move(*path), (*collection)->next_index++, false};
    Live& live = *live_.at(ns);
    // Built in every shard, over the documents there: each is read and
    // decrypted once, and its keys inserted in its shard's tree.
    std::vector<std::optional<client::BTree>> trees(live.shards.size());
    std::vector<std::optional<client::BTreeDescriptor>> descriptors(live.shards.size());
    for (size_t s = 0; s < live.shards.size() && index.kind == IndexKind::kOre; ++s) {
      const CatalogShard& shard = (*collection)->shards[s];
      LiveShard& where = live.shards[s];
      Result<std::vector<client::BTreeEntry>> entries = scan(where.primary, {}, {});
      if (!entries) return entries.status();
      for (const client::BTreeEntry& entry : *entries) {
        Result<Document> document = load_document(where, entry.value);
        if (!document) return document.status();
        Result<std::vector<OreRow>> rows = ore_rows(where, shard, added, document->get(), entry.value, true);
        if (!rows) return rows.status();
        if (rows->size() > 1) added.multikey = true;
        for (const OreRow& row : *rows) FL_RETURN_IF_ERROR(where.slot->meter->put_counted(row.key, row.value));
      }
    }
    for (size_t s = 0; s < live.shards.size() && index.kind == IndexKind::kBtree; ++s) {
      const CatalogShard& shard = (*collection)->shards[s];
      LiveShard& where = live.shards[s];
      Result<client::BTreeDescriptor> empty =
          client::BTreeDescriptor::empty(tree_prefix(shard.epoch, added.number), options_.bucket_entries);
      if (!empty) return empty.status();
      descriptors[s] = *empty;
      Result<client::BTree> opened = client::BTree::open(*empty, where.keys.bucket_cipher(shard.dataset),
                                                         *where.slot->meter, *random_, options_.cached_levels);
      if (!opened) return opened.status();
      trees[s].emplace(std::move(*opened));
      Result<std::vector<client::BTreeEntry>> entries = scan(where.primary, {}, {});
      if (!entries) return entries.status();
      for (const client::BTreeEntry& entry : *entries) {
        Result<Document> document = load_document(where, entry.value);
        if (!document) return document.status();
        Result<std::vector<Bytes>> keys = index_keys(added, document->get(), entry.key);
        if (!keys) return keys.status();
        if (keys->size() > 1) added.multikey = true;
        for (const Bytes& key : *keys) {
          Result<bool> inserted = trees[s]->insert(key, entry.value);
          if (!inserted) return inserted.status();
        }
      }
    }
    (*collection)->indexes.push_back(std::move(added));
    for (size_t s = 0; s < live.shards.size(); ++s) {
      (*collection)->shards[s].trees.push_back(descriptors[s]);
      live.shards[s].indexes.push_back(std::move(trees[s]));
    }
    return true;
  };
  return mutate(body);
}

Result<std::vector<IndexSpec>> EncryptedStore::list_indexes(const Namespace& ns) {
  FL_RETURN_IF_ERROR(refresh_view());
  std::vector<IndexSpec> specs;
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return specs;
  for (const CatalogIndex& index : found->second.indexes) specs.push_back(index.spec);
  return specs;
}

}  // namespace fluence::gateway
