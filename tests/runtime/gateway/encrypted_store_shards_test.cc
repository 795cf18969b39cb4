// Transparent sharding in the encrypted store: a collection that fills its
// dataset's allocation continues in another dataset, and every call answers
// as one dataset would. Over MemoryRowSources, checked against the memory
// store and against the rows the "nodes" hold.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/client/row_cipher.h"
#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/shard_placement.h"
#include "tests/runtime/gateway/memory_store.h"
#include "tests/runtime/gateway/store_test_helpers.h"

namespace fluence::gateway {
namespace {

using namespace testing;

// What a node holds for the dataset: key and value bytes of every row.
uint64_t physical_bytes(const client::MemoryRowSource& source) {
  uint64_t total = 0;
  for (const auto& [key, value] : source.rows()) total += key.size() + value.size();
  return total;
}

size_t document_rows(const client::MemoryRowSource& source) {
  return static_cast<size_t>(std::count_if(source.rows().begin(), source.rows().end(),
                                           [](const auto& row) { return row.first[0] == 'd'; }));
}

const Namespace kNs{"app", "items"};
constexpr uint64_t kAllocation = 24'000;

// Three datasets of kAllocation bytes; the first two on one cluster, the
// third on another.
struct World {
  explicit World(std::vector<uint64_t> allocations_bytes = {kAllocation, kAllocation, kAllocation},
                 std::vector<std::string> cluster_labels = {"east", "east", "west"})
      : allocations(std::move(allocations_bytes)), clusters(std::move(cluster_labels)), sources(allocations.size()) {
    for (size_t i = 0; i < sources.size(); ++i) EXPECT_TRUE(keys.create(dataset_id(static_cast<uint8_t>(i + 1)), random));
  }
  std::unique_ptr<EncryptedStore> open() {
    std::vector<DatasetRows> rows;
    for (size_t i = 0; i < sources.size(); ++i) {
      rows.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &sources[i], allocations[i], clusters[i]});
    }
    // Small buckets: trees several levels high with few documents.
    Result<std::unique_ptr<EncryptedStore>> store =
        EncryptedStore::open(rows, keys, random, [] { return Status::ok(); },
                             {.bucket_entries = 8, .max_sort_documents = 1000,
                              .dataset_keys_for_new_collections = dataset_keys});
    EXPECT_TRUE(store) << store.status().to_string();
    return store ? std::move(*store) : nullptr;
  }
  std::vector<uint64_t> allocations;
  std::vector<std::string> clusters;
  env::DeterministicRandom random{5};
  client::KeyStore keys;
  std::vector<client::MemoryRowSource> sources;
  bool dataset_keys = false;  // new collections keyed as before per-collection keys
};

std::string document_json(int i) {
  return R"({"_id": )" + std::to_string(i) + R"(, "n": )" + std::to_string((i * 7) % 23) + R"(, "tag": "t)" +
         std::to_string(i % 5) + R"(", "pad": "padding-padding-padding"})";
}

// --- Placement on its own ----------------------------------------------------

TEST(ShardPlacement, PrefersAnotherClusterThenAnyFreeDataset) {
  std::vector<DatasetPlacement> datasets = {
      {"east", 100, 100, true},   // full, holds a shard
      {"east", 100, 10, false},   // free, same cluster
      {"west", 100, 0, false},    // free, another cluster
  };
  EXPECT_EQ(place_shard(datasets, {"east"}), 2u);
  EXPECT_EQ(place_shard(datasets, {"west"}), 1u);
  datasets[2].holds_shard = true;
  EXPECT_EQ(place_shard(datasets, {"east"}), 1u);  // no other cluster: any free one
  datasets[1].stored_bytes = 100;                  // no room left (a catalog row, say)
  EXPECT_EQ(place_shard(datasets, {"east"}), std::nullopt);
  EXPECT_EQ(place_shard({}, {}), std::nullopt);
}

// --- The store ---------------------------------------------------------------

class Sharded : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = world_.open();
    ASSERT_NE(store_, nullptr);
    reference_ = one_dataset_.open();
    ASSERT_NE(reference_, nullptr);
    for (DocumentStore* store : stores()) {
      Document n_index = J(R"({"key": {"n": 1}, "name": "n_1"})");
      ASSERT_TRUE(store->create_index(kNs, *IndexSpec::parse(n_index.get())));
    }
  }
  std::vector<DocumentStore*> stores() { return {&memory_, reference_.get(), store_.get()}; }

  // Inserts documents 0, 1, ... into both stores until the collection has
  // `shards` shards, then `extra` more; returns how many.
  int fill(size_t shards, int extra) {
    int i = 0;
    for (; i < 2000 && store_->shards_of(kNs).size() < shards; ++i) insert_both(i);
    EXPECT_EQ(store_->shards_of(kNs).size(), shards);
    for (int end = i + extra; i < end; ++i) insert_both(i);
    return i;
  }
  void insert_both(int i) {
    for (DocumentStore* store : stores()) {
      Result<DocumentStore::InsertOutcome> outcome = store->insert(kNs, J(document_json(i)));
      ASSERT_TRUE(outcome) << i << ": " << outcome.status().to_string();
      ASSERT_EQ(*outcome, DocumentStore::InsertOutcome::kInserted) << i;
    }
  }

  // Exactly what the same store over one unlimited dataset answers, order
  // included (ties of a single-field sort are in index order, which the
  // memory store does not follow); and the same documents as the memory store.
  void expect_same(EncryptedStore& store, const std::string& filter, const std::string& sort = "{}", uint64_t skip = 0,
                   std::optional<uint64_t> limit = std::nullopt) {
    FindQuery query = query_of(filter, sort, skip, limit);
    Result<std::vector<Document>> expected = reference_->find(kNs, query);
    Result<std::vector<Document>> got = store.find(kNs, query);
    ASSERT_TRUE(expected) << expected.status().to_string();
    ASSERT_TRUE(got) << filter << ": " << got.status().to_string();
    EXPECT_EQ(as_json(*got), as_json(*expected))
        << filter << " sort " << sort << " skip " << skip << " limit " << limit.value_or(0);
    if (skip == 0 && !limit) {
      Result<std::vector<Document>> in_memory = memory_.find(kNs, query);
      ASSERT_TRUE(in_memory);
      std::vector<std::string> e = as_json(*in_memory), g = as_json(*got);
      std::sort(e.begin(), e.end());
      std::sort(g.begin(), g.end());
      EXPECT_EQ(g, e) << filter;
    }
    Result<uint64_t> n = store.count(kNs, query.filter);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, *memory_.count(kNs, query.filter)) << filter;
  }
  void expect_all_same(EncryptedStore& store) {
    expect_same(store, "{}");
    expect_same(store, R"({"_id": 3})");
    expect_same(store, R"({"_id": {"$in": [1, 50, 90, 1000]}})");
    expect_same(store, R"({"_id": {"$gte": 10, "$lt": 70}})");
    expect_same(store, R"({"n": 4})");
    expect_same(store, R"({"n": {"$gt": 5, "$lte": 12}})");
    expect_same(store, R"({"tag": "t2"})");
    expect_same(store, R"({"tag": "t1", "n": {"$lt": 10}})");
    expect_same(store, "{}", R"({"_id": 1})");
    expect_same(store, "{}", R"({"_id": -1})", 3, 11);
    expect_same(store, "{}", R"({"n": 1, "_id": 1})");
    expect_same(store, "{}", R"({"n": 1})", 0, 25);  // the index walk: ties in _id order
    expect_same(store, "{}", R"({"n": -1})", 7, 30);
    expect_same(store, R"({"n": {"$gte": 3}})", R"({"n": 1})", 5, 20);
    expect_same(store, R"({"_id": {"$gt": 5}})", R"({"_id": 1})", 40, 4);
    expect_same(store, R"({"tag": "t3"})", R"({"pad": 1, "_id": -1})", 2, 9);  // in memory
  }

  World world_;
  World one_dataset_{{kUnlimitedAllocationBytes}, {"any"}};
  testing::MemoryStore memory_;
  std::unique_ptr<EncryptedStore> reference_;  // one dataset, never full
  std::unique_ptr<EncryptedStore> store_;
};

TEST_F(Sharded, FillingPastTheAllocationOpensAShardOnAnotherCluster) {
  int inserted = fill(2, 10);
  std::vector<storage::DatasetId> shards = store_->shards_of(kNs);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0], dataset_id(1));
  EXPECT_EQ(shards[1], dataset_id(3)) << "another cluster first";
  // The rows are where the catalog says: documents in datasets 1 and 3, all
  // of them, none in dataset 2.
  EXPECT_GT(document_rows(world_.sources[0]), 0u);
  EXPECT_GT(document_rows(world_.sources[2]), 0u);
  EXPECT_EQ(world_.sources[1].rows().size(), 0u);
  EXPECT_EQ(document_rows(world_.sources[0]) + document_rows(world_.sources[2]), static_cast<size_t>(inserted));
  // Counted exactly, and never past the allocation.
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(store_->stored_bytes(dataset_id(static_cast<uint8_t>(i + 1))), physical_bytes(world_.sources[i])) << i;
  }
  EXPECT_LE(physical_bytes(world_.sources[0]), kAllocation);
  EXPECT_GT(physical_bytes(world_.sources[0]), (kAllocation - EncryptedStoreOptions().catalog_reserve_bytes) * 3 / 4)
      << "the first dataset was filled, not abandoned";
  expect_all_same(*store_);
}

TEST_F(Sharded, ThenItsOwnClusterWhenNoOtherIsFree) {
  fill(3, 5);
  EXPECT_EQ(store_->shards_of(kNs), (std::vector<storage::DatasetId>{dataset_id(1), dataset_id(3), dataset_id(2)}));
  for (size_t i = 0; i < 3; ++i) EXPECT_GT(document_rows(world_.sources[i]), 0u) << i;
  expect_all_same(*store_);
}

TEST_F(Sharded, UpdatesAndDeletesReachTheFirstShard) {
  int inserted = fill(2, 10);
  size_t first_rows = document_rows(world_.sources[0]);
  for (DocumentStore* store : stores()) {
    Result<bool> replaced = store->replace(kNs, value_of("2"), J(R"({"_id": 2, "n": 99, "tag": "moved"})"));
    ASSERT_TRUE(replaced && *replaced);
    Result<bool> removed = store->remove(kNs, value_of("5"));
    ASSERT_TRUE(removed && *removed);
    Result<bool> last_removed = store->remove(kNs, value_of(std::to_string(inserted - 1)));
    ASSERT_TRUE(last_removed && *last_removed);
    Result<bool> missing = store->remove(kNs, value_of("5"));
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
  }
  EXPECT_EQ(document_rows(world_.sources[0]), first_rows - 1) << "replaced in place, one removed";
  expect_same(*store_, R"({"n": 99})");
  expect_same(*store_, R"({"tag": "moved"})");
  expect_same(*store_, R"({"_id": 2})");
  expect_all_same(*store_);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(store_->stored_bytes(dataset_id(static_cast<uint8_t>(i + 1))), physical_bytes(world_.sources[i])) << i;
  }
}

TEST_F(Sharded, AnIdInTheFirstShardIsADuplicateForTheSecond) {
  int inserted = fill(2, 3);
  Result<DocumentStore::InsertOutcome> again = store_->insert(kNs, J(R"({"_id": 1, "n": 0})"));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, DocumentStore::InsertOutcome::kDuplicateId);
  Result<DocumentStore::InsertOutcome> as_double = store_->insert(kNs, J(R"({"_id": 0.0})"));
  ASSERT_TRUE(as_double);
  EXPECT_EQ(*as_double, DocumentStore::InsertOutcome::kDuplicateId);
  Result<DocumentStore::InsertOutcome> in_second = store_->insert(kNs, J(document_json(inserted - 1)));
  ASSERT_TRUE(in_second);
  EXPECT_EQ(*in_second, DocumentStore::InsertOutcome::kDuplicateId);
  EXPECT_EQ(*store_->count(kNs, Filter()), static_cast<uint64_t>(inserted));
}

TEST_F(Sharded, IndexesAreBuiltInEveryShardAndDropDropsThemAll) {
  fill(2, 10);
  for (DocumentStore* store : stores()) {
    Document tag_index = J(R"({"key": {"tag": 1}, "name": "tag_1"})");
    ASSERT_TRUE(store->create_index(kNs, *IndexSpec::parse(tag_index.get())));
  }
  expect_same(*store_, R"({"tag": "t4"})", R"({"tag": 1})", 1, 6);
  expect_same(*store_, R"({"tag": {"$gte": "t2"}})", R"({"tag": -1})");
  // Every shard holds rows of the new index's tree.
  for (size_t i : {0, 2}) {
    size_t index_rows = 0;
    for (const auto& [key, value] : world_.sources[i].rows()) index_rows += key[0] == 'i' ? 1 : 0;
    EXPECT_GT(index_rows, 2u) << i;
  }
  Result<bool> dropped = store_->drop(kNs);
  ASSERT_TRUE(dropped && *dropped);
  EXPECT_EQ(world_.sources[0].rows().size(), 1u);  // the catalog alone
  EXPECT_EQ(world_.sources[2].rows().size(), 0u);
  EXPECT_EQ(store_->stored_bytes(dataset_id(3)), 0u);
  EXPECT_EQ(store_->stored_bytes(dataset_id(1)), physical_bytes(world_.sources[0]));
  EXPECT_TRUE(store_->find(kNs, query_of("{}"))->empty());
  // The datasets are free again.
  ASSERT_TRUE(store_->insert({"app", "next"}, J(R"({"_id": 1})")));
  EXPECT_EQ(store_->dataset_of({"app", "next"}), dataset_id(1));
}

TEST_F(Sharded, ARestartKeepsTheShardsAndTheirCounts) {
  fill(2, 10);
  std::vector<storage::DatasetId> shards = store_->shards_of(kNs);
  std::vector<uint64_t> counts;
  for (uint8_t i = 1; i <= 3; ++i) counts.push_back(store_->stored_bytes(dataset_id(i)));
  store_.reset();
  std::unique_ptr<EncryptedStore> reopened = world_.open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->shards_of(kNs), shards);
  for (uint8_t i = 1; i <= 3; ++i) EXPECT_EQ(reopened->stored_bytes(dataset_id(i)), counts[i - 1]) << int(i);
  expect_all_same(*reopened);
  // And it goes on where it was: the next inserts go to the last shard.
  size_t before = document_rows(world_.sources[2]);
  ASSERT_TRUE(reopened->insert(kNs, J(R"({"_id": 5000, "n": 1})")));
  EXPECT_EQ(document_rows(world_.sources[2]), before + 1);
}

TEST_F(Sharded, WhenEveryDatasetIsFullInsertsFailClearly) {
  int inserted = fill(3, 0);
  Result<DocumentStore::InsertOutcome> refused = DocumentStore::InsertOutcome::kInserted;
  for (int i = inserted; i < inserted + 2000; ++i) {
    refused = store_->insert(kNs, J(document_json(i)));
    if (!refused) break;
    ++inserted;
  }
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(refused.status().message().find("no free dataset for a new shard of app.items"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("allocation_bytes"), std::string::npos);
  EXPECT_NE(error_from_status(refused.status()).message.find("no free dataset"), std::string::npos);
  // Nothing of the refused insert remains, and the rest is whole.
  EXPECT_EQ(*store_->count(kNs, Filter()), static_cast<uint64_t>(inserted));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LE(physical_bytes(world_.sources[i]), kAllocation) << i;
    EXPECT_EQ(store_->stored_bytes(dataset_id(static_cast<uint8_t>(i + 1))), physical_bytes(world_.sources[i])) << i;
  }
  // Removing documents makes room in the last shard again.
  for (int i = inserted - 1; i > inserted - 6; --i) ASSERT_TRUE(store_->remove(kNs, value_of(std::to_string(i))));
  EXPECT_TRUE(store_->insert(kNs, J(document_json(inserted + 1))));
}

TEST_F(Sharded, ACommandThatCrossesIntoANewShardCommitsWhole) {
  int inserted = 0;
  store_->begin_command();
  for (; inserted < 2000 && store_->shards_of(kNs).size() < 2; ++inserted) insert_both(inserted);
  for (int end = inserted + 10; inserted < end; ++inserted) insert_both(inserted);
  ASSERT_TRUE(store_->end_command().is_ok());
  EXPECT_EQ(store_->shards_of(kNs).size(), 2u);
  EXPECT_LE(physical_bytes(world_.sources[0]), kAllocation);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(store_->stored_bytes(dataset_id(static_cast<uint8_t>(i + 1))), physical_bytes(world_.sources[i])) << i;
  }
  store_.reset();
  std::unique_ptr<EncryptedStore> reopened = world_.open();
  EXPECT_EQ(*reopened->count(kNs, Filter()), static_cast<uint64_t>(inserted));
  expect_all_same(*reopened);
}

TEST(ShardedStore, ADocumentLargerThanAFreeDatasetIsRefused) {
  World world({100'000, 8'000, 4'000}, {"a", "b", "c"});
  std::unique_ptr<EncryptedStore> store = world.open();
  ASSERT_TRUE(store->create_collection({"app", "other"}));  // takes the first dataset
  ASSERT_TRUE(store->insert(kNs, J(R"({"_id": 1})")));
  ASSERT_EQ(store->shards_of(kNs), std::vector<storage::DatasetId>{dataset_id(2)});
  std::string big(9'000, 'x');
  Result<DocumentStore::InsertOutcome> refused = store->insert(kNs, J(R"({"_id": 2, "big": ")" + big + R"("})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(refused.status().message().find("does not fit"), std::string::npos) << refused.status().message();
  EXPECT_EQ(store->shards_of(kNs).size(), 1u) << "the new shard was undone with the insert";
  EXPECT_EQ(world.sources[2].rows().size(), 0u);
  EXPECT_EQ(*store->count(kNs, Filter()), 1u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(store->stored_bytes(dataset_id(static_cast<uint8_t>(i + 1))), physical_bytes(world.sources[i])) << i;
  }
}

// A format-1 catalog (before sharding), as the previous store wrote it: the
// collection's dataset, epoch and trees beside its indexes, no byte counts.
Document as_format_1(const Document& format_2) {
  bson_t out = BSON_INITIALIZER;
  BSON_APPEND_INT32(&out, "v", 1);
  bson_iter_t it, child;
  EXPECT_TRUE(format_2.find("epochs", &it));
  bson_append_iter(&out, "epochs", -1, &it);
  bson_t collections;
  BSON_APPEND_ARRAY_BEGIN(&out, "collections", &collections);
  EXPECT_TRUE(format_2.find("collections", &it) && bson_iter_recurse(&it, &child));
  while (bson_iter_next(&child)) {
    bson_t entry, collection, shard, indexes;
    embedded(&child, &collection);
    bson_iter_t field, shards, first, index_list, trees;
    EXPECT_TRUE(bson_iter_init_find(&field, &collection, "shards") && bson_iter_recurse(&field, &shards) &&
                bson_iter_next(&shards));
    first = shards;
    embedded(&first, &shard);
    bson_append_document_begin(&collections, bson_iter_key(&child), -1, &entry);
    for (const char* key : {"db", "name", "nextVersion", "nextIndex"}) {
      EXPECT_TRUE(bson_iter_init_find(&field, &collection, key));
      bson_append_iter(&entry, key, -1, &field);
    }
    for (const char* key : {"dataset", "epoch", "primary"}) {
      EXPECT_TRUE(bson_iter_init_find(&field, &shard, key));
      bson_append_iter(&entry, key, -1, &field);
    }
    BSON_APPEND_ARRAY_BEGIN(&entry, "indexes", &indexes);
    EXPECT_TRUE(bson_iter_init_find(&field, &collection, "indexes") && bson_iter_recurse(&field, &index_list));
    bson_iter_t tree_field;
    EXPECT_TRUE(bson_iter_init_find(&tree_field, &shard, "trees") && bson_iter_recurse(&tree_field, &trees));
    while (bson_iter_next(&index_list) && bson_iter_next(&trees)) {
      bson_t index, tree, item;
      embedded(&index_list, &index);
      embedded(&trees, &tree);
      bson_append_document_begin(&indexes, bson_iter_key(&index_list), -1, &item);
      bson_concat(&item, &index);
      bson_iter_t descriptor;
      if (bson_iter_init_find(&descriptor, &tree, "tree")) bson_append_iter(&item, "tree", -1, &descriptor);
      bson_append_document_end(&indexes, &item);
    }
    bson_append_array_end(&entry, &indexes);
    bson_append_document_end(&collections, &entry);
  }
  bson_append_array_end(&out, &collections);
  return Document::adopt(&out);
}

TEST(ShardedStore, AFormat1CatalogIsReadAndMeasured) {
  World world({kAllocation, kAllocation}, {"a", "b"});
  world.dataset_keys = true;  // what a gateway of format 1 wrote
  testing::MemoryStore memory;
  {
    std::unique_ptr<EncryptedStore> store = world.open();
    Document n_index = J(R"({"key": {"n": 1}, "name": "n_1"})");
    Document ore_index = J(R"({"key": {"score": "ore"}, "name": "score_ore"})");
    ASSERT_TRUE(store->create_index(kNs, *IndexSpec::parse(n_index.get())));
    ASSERT_TRUE(store->create_index(kNs, *IndexSpec::parse(ore_index.get())));
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(store->insert(kNs, J(document_json(i))));
    ASSERT_EQ(store->shards_of(kNs).size(), 1u);
  }
  // Rewrite the catalog row in format 1.
  const client::DatasetKeys* keys = world.keys.find(dataset_id(1));
  ASSERT_NE(keys, nullptr);
  client::RowCipher cipher = client::RowCipher::for_dataset(*keys);
  Bytes& row = world.sources[0].rows().at(Bytes(kCatalogRowKey.begin(), kCatalogRowKey.end()));
  Result<Bytes> plain = cipher.decrypt_row(as_bytes(kCatalogRowKey), row);
  ASSERT_TRUE(plain);
  Result<Document> format_2 = Document::parse(*plain);
  ASSERT_TRUE(format_2);
  Document format_1 = as_format_1(*format_2);
  Result<Bytes> sealed = cipher.encrypt_row(as_bytes(kCatalogRowKey), format_1.bytes(), world.random);
  ASSERT_TRUE(sealed);
  row = *sealed;

  std::unique_ptr<EncryptedStore> store = world.open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->count(kNs, Filter()), 40u);
  EXPECT_EQ(store->stored_bytes(dataset_id(1)), physical_bytes(world.sources[0])) << "measured exactly";
  ASSERT_EQ(store->list_indexes(kNs)->size(), 2u);
  EXPECT_EQ(store->find(kNs, query_of(R"({"n": {"$lt": 3}})"))->size(), 5u);  // _id 0, 23, 10, 33, 20
  // The next mutation writes format 3, which a restart reads as it is; the
  // collection keeps its datasets' keys.
  ASSERT_TRUE(store->insert(kNs, J(document_json(40))));
  store.reset();
  Result<Bytes> rewritten = cipher.decrypt_row(as_bytes(kCatalogRowKey),
                                               world.sources[0].rows().at(Bytes(kCatalogRowKey.begin(), kCatalogRowKey.end())));
  ASSERT_TRUE(rewritten);
  Result<Document> stored = Document::parse(*rewritten);
  ASSERT_TRUE(stored);
  bson_iter_t version;
  ASSERT_TRUE(stored->find("v", &version));
  EXPECT_EQ(bson_iter_int32(&version), kCatalogFormatVersion);
  Result<Catalog> rewritten_catalog = Catalog::from_document(*stored);
  ASSERT_TRUE(rewritten_catalog);
  EXPECT_TRUE(rewritten_catalog->collections.at(kNs).dataset_keys);
  std::unique_ptr<EncryptedStore> again = world.open();
  EXPECT_EQ(again->stored_bytes(dataset_id(1)), physical_bytes(world.sources[0]));
  EXPECT_EQ(*again->count(kNs, Filter()), 41u);
}

TEST(ShardedStore, UnknownCatalogVersionsAndSharedDatasetsAreRefused) {
  Document future = J(R"({"v": 4, "epochs": [], "collections": []})");
  Result<Catalog> refused = Catalog::from_document(future);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(refused.status().message().find("unknown format version"), std::string::npos);
  // Two shards in one dataset break the store's counting: refused.
  World world;
  std::unique_ptr<EncryptedStore> store = world.open();
  ASSERT_TRUE(store->insert({"a", "one"}, J(R"({"_id": 1})")));
  ASSERT_TRUE(store->insert({"a", "two"}, J(R"({"_id": 1})")));
  Result<Catalog> catalog = Catalog::from_document(Catalog().to_document());
  ASSERT_TRUE(catalog);
  const client::DatasetKeys* keys = world.keys.find(dataset_id(1));
  client::RowCipher cipher = client::RowCipher::for_dataset(*keys);
  Result<Bytes> plain = cipher.decrypt_row(as_bytes(kCatalogRowKey),
                                           world.sources[0].rows().at(Bytes(kCatalogRowKey.begin(), kCatalogRowKey.end())));
  ASSERT_TRUE(plain);
  Result<Catalog> two = Catalog::from_document(*Document::parse(*plain));
  ASSERT_TRUE(two);
  two->collections.at({"a", "two"}).shards[0].dataset = dataset_id(1);
  Result<Catalog> shared = Catalog::from_document(two->to_document());
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.status().message().find("holds two shards"), std::string::npos);
}

}  // namespace
}  // namespace fluence::gateway
