#include "runtime/gateway/encrypted_catalog.h"

#include <algorithm>
#include <set>

#include "model/codec/codec.h"

namespace fluence::gateway {
namespace {

void append_binary(bson_t* out, const char* key, ByteView bytes) {
  bson_append_binary(out, key, -1, BSON_SUBTYPE_BINARY, bytes.data(), static_cast<uint32_t>(bytes.size()));
}

Status malformed(const std::string& what) {
  return Status::error(ErrorCode::kMalformed, "encrypted store catalog: " + what);
}

Result<ByteView> binary_at(const bson_t* document, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, document, key) || !BSON_ITER_HOLDS_BINARY(&it)) return malformed(std::string("no binary ") + key);
  bson_subtype_t subtype;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(&it, &subtype, &length, &data);
  return ByteView(data, length);
}

Result<int64_t> integer_at(const bson_t* document, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, document, key) || !(BSON_ITER_HOLDS_INT64(&it) || BSON_ITER_HOLDS_INT32(&it))) {
    return malformed(std::string("no integer ") + key);
  }
  int64_t value = bson_iter_as_int64(&it);
  if (value < 0) return malformed(std::string(key) + " is negative");
  return value;
}

Result<std::string> string_at(const bson_t* document, const char* key) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, document, key) || !BSON_ITER_HOLDS_UTF8(&it)) return malformed(std::string("no string ") + key);
  return std::string(utf8_of(&it));
}

Result<storage::DatasetId> dataset_at(const bson_t* document, const char* key) {
  Result<ByteView> bytes = binary_at(document, key);
  if (!bytes) return bytes.status();
  storage::DatasetId id{};
  if (bytes->size() != id.size()) return malformed(std::string(key) + " is not a dataset id");
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

Result<client::BTreeDescriptor> descriptor_at(const bson_t* document, const char* key) {
  Result<ByteView> bytes = binary_at(document, key);
  if (!bytes) return bytes.status();
  Result<client::BTreeDescriptor> descriptor = codec::decode<client::BTreeDescriptor>(*bytes);
  if (!descriptor) return descriptor.status().with_context(std::string("encrypted store catalog: ") + key);
  if (auto problem = descriptor->first_problem()) {
    return malformed(std::string(key) + "." + problem->first + ": " + problem->second);
  }
  return descriptor;
}

// Calls `each` with every element of the array `key`, each a document.
template <typename F>
Status for_each_document(const bson_t* document, const char* key, size_t max_count, F each) {
  bson_iter_t it, element;
  if (!bson_iter_init_find(&it, document, key) || !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &element)) {
    return malformed(std::string("no array ") + key);
  }
  size_t count = 0;
  while (bson_iter_next(&element)) {
    bson_t child;
    if (++count > max_count) return malformed(std::string(key) + " has too many entries");
    if (!BSON_ITER_HOLDS_DOCUMENT(&element) || !embedded(&element, &child)) return malformed(std::string(key) + " entry is not a document");
    FL_RETURN_IF_ERROR(each(&child));
  }
  return Status::ok();
}

// Format 1 kept an index's tree beside its definition; `tree` receives it.
Result<CatalogIndex> parse_index(const bson_t* entry, std::optional<client::BTreeDescriptor>* tree) {
  CatalogIndex index;
  bson_iter_t it;
  bson_t spec;
  if (!bson_iter_init_find(&it, entry, "spec") || !BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &spec)) {
    return malformed("index without spec");
  }
  Outcome<IndexSpec> parsed = IndexSpec::parse(&spec);
  if (!parsed) return malformed("index spec: " + parsed.error().message);
  index.spec = std::move(*parsed);
  index.path = *parse_path(index.spec.key.first_key());  // parse() checked the field
  Result<int64_t> number = integer_at(entry, "number");
  if (!number) return number.status();
  if (*number > UINT32_MAX) return malformed("index number out of range");
  index.number = static_cast<uint32_t>(*number);
  if (!bson_iter_init_find(&it, entry, "multikey") || !BSON_ITER_HOLDS_BOOL(&it)) return malformed("index without multikey");
  index.multikey = bson_iter_bool(&it);
  if (tree != nullptr && index.spec.kind == IndexKind::kBtree) {
    Result<client::BTreeDescriptor> descriptor = descriptor_at(entry, "tree");
    if (!descriptor) return descriptor.status();
    *tree = std::move(*descriptor);
  }
  return index;
}

Result<CatalogShard> parse_shard(const bson_t* entry, const std::vector<CatalogIndex>& indexes) {
  CatalogShard shard;
  Result<storage::DatasetId> dataset = dataset_at(entry, "dataset");
  Result<int64_t> epoch = integer_at(entry, "epoch");
  Result<int64_t> bytes = integer_at(entry, "bytes");
  Result<client::BTreeDescriptor> primary = descriptor_at(entry, "primary");
  if (!dataset) return dataset.status();
  if (!epoch) return epoch.status();
  if (!bytes) return bytes.status();
  if (!primary) return primary.status();
  shard.dataset = *dataset;
  shard.epoch = static_cast<uint64_t>(*epoch);
  shard.stored_bytes = static_cast<uint64_t>(*bytes);
  shard.primary = std::move(*primary);
  FL_RETURN_IF_ERROR(for_each_document(entry, "trees", kMaxIndexesPerCollection, [&](const bson_t* child) {
    size_t position = shard.trees.size();
    if (position >= indexes.size()) return malformed("a shard has more trees than its collection has indexes");
    Result<int64_t> number = integer_at(child, "number");
    if (!number) return number.status();
    if (*number != indexes[position].number) return malformed("a shard's trees are not in its indexes' order");
    std::optional<client::BTreeDescriptor> tree;
    if (indexes[position].spec.kind == IndexKind::kBtree) {
      Result<client::BTreeDescriptor> descriptor = descriptor_at(child, "tree");
      if (!descriptor) return descriptor.status();
      tree = std::move(*descriptor);
    }
    shard.trees.push_back(std::move(tree));
    return Status::ok();
  }));
  if (shard.trees.size() != indexes.size()) return malformed("a shard lacks trees of its collection's indexes");
  return shard;
}

// `in_descriptor`: a descriptor's entry, without descriptorBytes.
Result<CatalogCollection> parse_collection(const bson_t* entry, int32_t version, bool in_descriptor) {
  CatalogCollection collection;
  Result<std::string> db = string_at(entry, "db");
  Result<std::string> name = string_at(entry, "name");
  if (!db) return db.status();
  if (!name) return name.status();
  Outcome<Namespace> ns = make_namespace(*db, *name);
  if (!ns) return malformed("collection name: " + ns.error().message);
  collection.ns = *ns;
  Result<int64_t> next_version = integer_at(entry, "nextVersion");
  Result<int64_t> next_index = integer_at(entry, "nextIndex");
  if (!next_version) return next_version.status();
  if (!next_index) return next_index.status();
  if (*next_index > UINT32_MAX) return malformed("nextIndex out of range");
  collection.next_version = static_cast<uint64_t>(*next_version);
  collection.next_index = static_cast<uint32_t>(*next_index);
  collection.dataset_keys = version < kCatalogFormatVersion;
  if (version == kCatalogFormatVersion) {
    Result<std::string> keys = string_at(entry, "keys");
    if (!keys) return keys.status();
    if (*keys != "collection" && *keys != "dataset") return malformed("keys: neither \"collection\" nor \"dataset\"");
    collection.dataset_keys = *keys == "dataset";
    if (!in_descriptor) {
      Result<int64_t> descriptor_bytes = integer_at(entry, "descriptorBytes");
      if (!descriptor_bytes) return descriptor_bytes.status();
      collection.descriptor_bytes = static_cast<uint64_t>(*descriptor_bytes);
    }
  }
  CatalogShard unsharded;  // format 1: the collection's one shard
  FL_RETURN_IF_ERROR(for_each_document(entry, "indexes", kMaxIndexesPerCollection, [&](const bson_t* child) {
    std::optional<client::BTreeDescriptor> tree;
    Result<CatalogIndex> index = parse_index(child, version == kCatalogFormatVersionUnsharded ? &tree : nullptr);
    if (!index) return index.status();
    collection.indexes.push_back(std::move(*index));
    unsharded.trees.push_back(std::move(tree));
    return Status::ok();
  }));
  if (version == kCatalogFormatVersionUnsharded) {
    Result<storage::DatasetId> dataset = dataset_at(entry, "dataset");
    Result<int64_t> epoch = integer_at(entry, "epoch");
    Result<client::BTreeDescriptor> primary = descriptor_at(entry, "primary");
    if (!dataset) return dataset.status();
    if (!epoch) return epoch.status();
    if (!primary) return primary.status();
    unsharded.dataset = *dataset;
    unsharded.epoch = static_cast<uint64_t>(*epoch);
    unsharded.primary = std::move(*primary);
    unsharded.measured = false;
    collection.shards.push_back(std::move(unsharded));
    return collection;
  }
  // Bounded by the datasets a store can be given, one shard each.
  constexpr size_t kMaxShards = 1 << 16;
  FL_RETURN_IF_ERROR(for_each_document(entry, "shards", kMaxShards, [&](const bson_t* child) {
    Result<CatalogShard> shard = parse_shard(child, collection.indexes);
    if (!shard) return shard.status();
    collection.shards.push_back(std::move(*shard));
    return Status::ok();
  }));
  if (collection.shards.empty()) return malformed(collection.ns.full() + " has no shard");
  return collection;
}

void append_collection(bson_t* list, const std::string& key, const CatalogCollection& collection,
                       bool in_descriptor) {
  bson_t entry;
  bson_append_document_begin(list, key.c_str(), -1, &entry);
  BSON_APPEND_UTF8(&entry, "db", collection.ns.db.c_str());
  BSON_APPEND_UTF8(&entry, "name", collection.ns.collection.c_str());
  BSON_APPEND_INT64(&entry, "nextVersion", static_cast<int64_t>(collection.next_version));
  BSON_APPEND_INT64(&entry, "nextIndex", collection.next_index);
  BSON_APPEND_UTF8(&entry, "keys", collection.dataset_keys ? "dataset" : "collection");
  if (!in_descriptor) BSON_APPEND_INT64(&entry, "descriptorBytes", static_cast<int64_t>(collection.descriptor_bytes));
  bson_t indexes;
  BSON_APPEND_ARRAY_BEGIN(&entry, "indexes", &indexes);
  size_t j = 0;
  for (const CatalogIndex& index : collection.indexes) {
    std::string index_key = std::to_string(j++);
    bson_t item, spec;
    bson_append_document_begin(&indexes, index_key.c_str(), -1, &item);
    BSON_APPEND_DOCUMENT_BEGIN(&item, "spec", &spec);
    BSON_APPEND_DOCUMENT(&spec, "key", index.spec.key.get());
    BSON_APPEND_UTF8(&spec, "name", index.spec.name.c_str());
    BSON_APPEND_BOOL(&spec, "unique", index.spec.unique);
    bson_append_document_end(&item, &spec);
    BSON_APPEND_INT64(&item, "number", index.number);
    BSON_APPEND_BOOL(&item, "multikey", index.multikey);
    bson_append_document_end(&indexes, &item);
  }
  bson_append_array_end(&entry, &indexes);
  bson_t shards;
  BSON_APPEND_ARRAY_BEGIN(&entry, "shards", &shards);
  j = 0;
  for (const CatalogShard& shard : collection.shards) {
    FL_ASSERT_MSG(shard.measured, "the store measures a format-1 shard when it opens");
    FL_ASSERT(shard.trees.size() == collection.indexes.size());
    std::string shard_key = std::to_string(j++);
    bson_t item, trees;
    bson_append_document_begin(&shards, shard_key.c_str(), -1, &item);
    append_binary(&item, "dataset", shard.dataset);
    BSON_APPEND_INT64(&item, "epoch", static_cast<int64_t>(shard.epoch));
    BSON_APPEND_INT64(&item, "bytes", in_descriptor ? 0 : static_cast<int64_t>(shard.stored_bytes));
    append_binary(&item, "primary", codec::encode(shard.primary));
    BSON_APPEND_ARRAY_BEGIN(&item, "trees", &trees);
    for (size_t k = 0; k < shard.trees.size(); ++k) {
      std::string tree_key = std::to_string(k);
      bson_t tree;
      bson_append_document_begin(&trees, tree_key.c_str(), -1, &tree);
      BSON_APPEND_INT64(&tree, "number", collection.indexes[k].number);
      if (shard.trees[k]) append_binary(&tree, "tree", codec::encode(*shard.trees[k]));
      bson_append_document_end(&trees, &tree);
    }
    bson_append_array_end(&item, &trees);
    bson_append_document_end(&shards, &item);
  }
  bson_append_array_end(&entry, &shards);
  bson_append_document_end(list, &entry);
}

}  // namespace

Document Catalog::to_document() const {
  bson_t out = BSON_INITIALIZER;
  BSON_APPEND_INT32(&out, "v", kCatalogFormatVersion);
  BSON_APPEND_INT64(&out, "generation", static_cast<int64_t>(generation));
  bson_t epochs;
  BSON_APPEND_ARRAY_BEGIN(&out, "epochs", &epochs);
  size_t i = 0;
  for (const auto& [dataset, next] : next_epoch) {
    std::string key = std::to_string(i++);
    bson_t entry;
    bson_append_document_begin(&epochs, key.c_str(), -1, &entry);
    append_binary(&entry, "dataset", dataset);
    BSON_APPEND_INT64(&entry, "next", static_cast<int64_t>(next));
    bson_append_document_end(&epochs, &entry);
  }
  bson_append_array_end(&out, &epochs);
  bson_t list;
  BSON_APPEND_ARRAY_BEGIN(&out, "collections", &list);
  i = 0;
  for (const auto& [ns, collection] : collections) {
    FL_ASSERT(collection.ns == ns);
    append_collection(&list, std::to_string(i++), collection, /*in_descriptor=*/false);
  }
  bson_append_array_end(&out, &list);
  return Document::adopt(&out);
}

Result<Catalog> Catalog::from_document(const Document& document) {
  Catalog catalog;
  bson_iter_t it;
  if (!document.find("v", &it) || !BSON_ITER_HOLDS_INT32(&it) ||
      bson_iter_int32(&it) < kCatalogFormatVersionUnsharded || bson_iter_int32(&it) > kCatalogFormatVersion) {
    return malformed("unknown format version (this gateway reads 1 to 3)");
  }
  int32_t version = bson_iter_int32(&it);
  // Absent from catalogs written before generations: 0, below every new one.
  if (document.find("generation", &it)) {
    if (!BSON_ITER_HOLDS_INT64(&it) || bson_iter_int64(&it) < 0) return malformed("generation: not a count");
    catalog.generation = static_cast<uint64_t>(bson_iter_int64(&it));
  }
  // Bounded by the row's size already; the counts guard against a catalog
  // listing more datasets than any store is given.
  constexpr size_t kMaxEntries = 1 << 16;
  FL_RETURN_IF_ERROR(for_each_document(document.get(), "epochs", kMaxEntries, [&](const bson_t* entry) {
    Result<storage::DatasetId> dataset = dataset_at(entry, "dataset");
    if (!dataset) return dataset.status();
    Result<int64_t> next = integer_at(entry, "next");
    if (!next) return next.status();
    catalog.next_epoch[*dataset] = static_cast<uint64_t>(*next);
    return Status::ok();
  }));
  std::set<storage::DatasetId> datasets_used;
  FL_RETURN_IF_ERROR(for_each_document(document.get(), "collections", kMaxEntries, [&](const bson_t* entry) {
    Result<CatalogCollection> collection = parse_collection(entry, version, /*in_descriptor=*/false);
    if (!collection) return collection.status();
    Namespace ns = collection->ns;
    for (const CatalogShard& shard : collection->shards) {
      if (!datasets_used.insert(shard.dataset).second) {
        return malformed("dataset " + to_hex(shard.dataset) + " holds two shards");
      }
    }
    if (!catalog.collections.emplace(ns, std::move(*collection)).second) return malformed(ns.full() + " listed twice");
    return Status::ok();
  }));
  return catalog;
}

}  // namespace fluence::gateway

namespace fluence::gateway {

std::optional<std::pair<Namespace, size_t>> Catalog::shard_in(const storage::DatasetId& dataset) const {
  for (const auto& [ns, collection] : collections) {
    for (size_t i = 0; i < collection.shards.size(); ++i) {
      if (collection.shards[i].dataset == dataset) return std::make_pair(ns, i);
    }
  }
  return std::nullopt;
}

}  // namespace fluence::gateway

namespace fluence::gateway {

Document CollectionDescriptor::to_document() const {
  FL_ASSERT_MSG(!collection.dataset_keys, "only a collection keyed by its own key has a descriptor");
  bson_t out = BSON_INITIALIZER;
  BSON_APPEND_INT32(&out, "v", kDescriptorFormatVersion);
  BSON_APPEND_INT64(&out, "generation", static_cast<int64_t>(generation));
  append_collection(&out, "collection", collection, /*in_descriptor=*/true);
  return Document::adopt(&out);
}

Result<CollectionDescriptor> CollectionDescriptor::from_document(const Document& document) {
  CollectionDescriptor descriptor;
  bson_iter_t it;
  if (!document.find("v", &it) || !BSON_ITER_HOLDS_INT32(&it) || bson_iter_int32(&it) != kDescriptorFormatVersion) {
    return Status::error(ErrorCode::kMalformed, "collection descriptor: unknown format version (this gateway reads 1)");
  }
  Result<int64_t> generation = integer_at(document.get(), "generation");
  if (!generation) return generation.status().with_context("collection descriptor");
  descriptor.generation = static_cast<uint64_t>(*generation);
  bson_t entry;
  if (!document.find("collection", &it) || !BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &entry)) {
    return Status::error(ErrorCode::kMalformed, "collection descriptor: no document collection");
  }
  Result<CatalogCollection> collection = parse_collection(&entry, kCatalogFormatVersion, /*in_descriptor=*/true);
  if (!collection) return collection.status().with_context("collection descriptor");
  if (collection->dataset_keys) return Status::error(ErrorCode::kMalformed, "collection descriptor: keys \"dataset\"");
  std::set<storage::DatasetId> datasets;
  for (const CatalogShard& shard : collection->shards) {
    if (!datasets.insert(shard.dataset).second) {
      return Status::error(ErrorCode::kMalformed,
                           "collection descriptor: dataset " + to_hex(shard.dataset) + " holds two shards");
    }
  }
  descriptor.collection = std::move(*collection);
  return descriptor;
}

}  // namespace fluence::gateway
