// Sharing one collection of the encrypted store: the owner's store keys
// each collection by its own node of the key tree, and a receiver holding
// that key (opened from a real grant through proxy re-encryption) reads the
// collection through a read-only view, exactly as the owner does, and
// nothing else. Over MemoryRowSources: the "nodes" both gateways read.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/client/grant.h"
#include "model/codec/codec.h"
#include "model/crypto/pre.h"
#include "runtime/gateway/encrypted_rows.h"
#include "runtime/gateway/encrypted_store.h"
#include "tests/runtime/gateway/store_test_helpers.h"

namespace fluence::gateway {
namespace {

using namespace testing;
namespace pre = crypto::pre;

const Namespace kA{"app", "a"};
const Namespace kB{"app", "b"};
constexpr uint64_t kAllocation = 40'000;

std::string document_json(int i) {
  return R"({"_id": )" + std::to_string(i) + R"(, "n": )" + std::to_string((i * 7) % 23) + R"(, "score": )" +
         std::to_string((i * 13) % 61) + R"(, "tag": "t)" + std::to_string(i % 5) +
         R"(", "pad": "padding-padding-padding"})";
}

// Four datasets with small allocations, on two clusters; the owner's keys,
// and a receiver's proxy re-encryption key pair.
struct World {
  World() : sources(4) {
    for (uint8_t i = 1; i <= 4; ++i) EXPECT_TRUE(keys.create(dataset_id(i), random));
  }
  std::vector<DatasetRows> rows() {
    std::vector<DatasetRows> out;
    const char* clusters[] = {"east", "east", "west", "west"};
    for (size_t i = 0; i < sources.size(); ++i) {
      out.push_back({dataset_id(static_cast<uint8_t>(i + 1)), &sources[i], kAllocation, clusters[i]});
    }
    return out;
  }
  std::unique_ptr<EncryptedStore> open_owner() {
    Result<std::unique_ptr<EncryptedStore>> store =
        EncryptedStore::open(rows(), keys, random, [] { return Status::ok(); }, {.bucket_entries = 8});
    EXPECT_TRUE(store) << store.status().to_string();
    return store ? std::move(*store) : nullptr;
  }
  Result<std::unique_ptr<EncryptedStore>> open_view(const Namespace& ns, const client::NodeKey& key) {
    return EncryptedStore::open_shared(rows(), ns, key.clone(), random, {.bucket_entries = 8});
  }

  // The white paper's sharing, in process: the owner grants `path` of
  // `dataset`'s tree and splits kfrags 3 of 5 towards the receiver; the grant
  // crosses the network encoded; proxies 4, 1 and 2 re-encrypt its capsule;
  // the receiver opens the node key from their cfrags.
  Result<client::NodeKey> grant(const storage::DatasetId& dataset, const client::KeyPath& path) {
    const client::DatasetKeys* owner = keys.find(dataset);
    FL_ASSERT(owner != nullptr);
    Result<client::MadeGrant> made = client::make_grant(*owner, path, random);
    if (!made) return made.status();
    Result<std::vector<pre::KeyFrag>> kfrags =
        pre::generate_kfrags(made->delegation, receiver.public_key(), owner->owner(), 3, 5, random);
    if (!kfrags) return kfrags.status();
    Result<client::Grant> received = codec::decode<client::Grant>(codec::encode(made->grant));
    if (!received) return received.status();
    std::vector<pre::CapsuleFrag> cfrags;
    for (size_t proxy : {4, 1, 2}) {
      FL_RETURN_IF_ERROR(pre::verify_kfrag((*kfrags)[proxy], received->delegator, receiver.public_key(),
                                           owner->owner().public_key()));
      Result<pre::CapsuleFrag> cfrag = pre::reencrypt((*kfrags)[proxy], received->capsule, random);
      if (!cfrag) return cfrag.status();
      cfrags.push_back(std::move(*cfrag));
    }
    return client::receive_grant(*received, owner->owner().public_key(), receiver, cfrags);
  }

  env::DeterministicRandom random{11};
  client::KeyStore keys;
  std::vector<client::MemoryRowSource> sources;
  pre::KeyPair receiver = pre::KeyPair::generate(random);
};

class SharedCollection : public ::testing::Test {
 protected:
  void SetUp() override {
    owner_ = world_.open_owner();
    ASSERT_NE(owner_, nullptr);
    ASSERT_TRUE(owner_->create_index(kA, index_of(R"({"key": {"n": 1}, "name": "n_1"})")));
    ASSERT_TRUE(owner_->create_index(kA, index_of(R"({"key": {"score": "ore"}, "name": "score_ore"})")));
    ASSERT_TRUE(owner_->create_index(kB, index_of(R"({"key": {"n": 1}, "name": "n_1"})")));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(owner_->insert(kB, J(document_json(1000 + i))));
    // A across two shards, then some more.
    for (; next_ < 2000 && owner_->shards_of(kA).size() < 2; ++next_) {
      ASSERT_TRUE(owner_->insert(kA, J(document_json(next_))));
    }
    ASSERT_EQ(owner_->shards_of(kA).size(), 2u);
    for (int end = next_ + 15; next_ < end; ++next_) ASSERT_TRUE(owner_->insert(kA, J(document_json(next_))));
    ASSERT_NE(owner_->dataset_of(kA), owner_->dataset_of(kB));
    Result<client::KeyPath> path = collection_path(kA);
    ASSERT_TRUE(path);
    Result<client::NodeKey> key = world_.grant(*owner_->dataset_of(kA), *path);
    ASSERT_TRUE(key) << key.status().to_string();
    key_a_.emplace(std::move(*key));
  }

  std::unique_ptr<EncryptedStore> view_of_a() {
    Result<std::unique_ptr<EncryptedStore>> view = world_.open_view(kA, *key_a_);
    EXPECT_TRUE(view) << view.status().to_string();
    return view ? std::move(*view) : nullptr;
  }

  // The same documents in the same order, and the same count, from both.
  void expect_same(EncryptedStore& view, const std::string& filter, const std::string& sort = "{}", uint64_t skip = 0,
                   std::optional<uint64_t> limit = std::nullopt) {
    FindQuery query = query_of(filter, sort, skip, limit);
    Result<std::vector<Document>> expected = owner_->find(kA, query);
    Result<std::vector<Document>> got = view.find(kA, query);
    ASSERT_TRUE(expected) << expected.status().to_string();
    ASSERT_TRUE(got) << filter << ": " << got.status().to_string();
    EXPECT_EQ(as_json(*got), as_json(*expected)) << filter << " sort " << sort << " skip " << skip;
    Result<uint64_t> n = view.count(kA, query.filter);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, *owner_->count(kA, query.filter)) << filter;
  }
  void expect_all_same(EncryptedStore& view) {
    expect_same(view, "{}");
    expect_same(view, R"({"_id": 3})");
    expect_same(view, R"({"_id": {"$in": [1, 50, 90, 1000]}})");
    expect_same(view, R"({"_id": {"$gte": 10, "$lt": 70}})");
    expect_same(view, R"({"n": 4})");
    expect_same(view, R"({"n": {"$gt": 5, "$lte": 12}})");
    expect_same(view, R"({"tag": "t2", "n": {"$lt": 10}})");
    expect_same(view, R"({"score": {"$gte": 10, "$lt": 40}})");  // the ore index, on the nodes
    expect_same(view, R"({"score": {"$in": [0, 13, 26]}})");
    expect_same(view, R"({"score": {"$gt": 50}})", R"({"_id": -1})", 2, 5);
    expect_same(view, "{}", R"({"_id": 1})", 5, 10);
    expect_same(view, "{}", R"({"n": -1})", 7, 30);
    expect_same(view, R"({"n": {"$gte": 3}})", R"({"n": 1})", 5, 20);
    expect_same(view, R"({"tag": "t3"})", R"({"score": 1, "_id": -1})", 2, 9);  // in memory
  }

  // Every row of A's first dataset and the bytes of each, to find A's rows.
  client::MemoryRowSource& first_dataset_of(const Namespace& ns) {
    storage::DatasetId dataset = *owner_->dataset_of(ns);
    return world_.sources.at(dataset[0] - 1);
  }

  World world_;
  std::unique_ptr<EncryptedStore> owner_;
  std::optional<client::NodeKey> key_a_;
  int next_ = 0;
};

TEST_F(SharedCollection, TheViewAnswersAsTheOwnerDoes) {
  std::unique_ptr<EncryptedStore> view = view_of_a();
  ASSERT_NE(view, nullptr);
  expect_all_same(*view);
  Result<std::vector<IndexSpec>> mine = owner_->list_indexes(kA), theirs = view->list_indexes(kA);
  ASSERT_TRUE(mine && theirs);
  ASSERT_EQ(theirs->size(), mine->size());
  for (size_t i = 0; i < mine->size(); ++i) {
    EXPECT_EQ((*theirs)[i].name, (*mine)[i].name);
    EXPECT_EQ((*theirs)[i].kind, (*mine)[i].kind);
    EXPECT_EQ((*theirs)[i].key.to_json(), (*mine)[i].key.to_json());
  }
  // Exactly that collection: B is neither listed nor readable.
  EXPECT_EQ(*owner_->list_collections("app"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*view->list_collections("app"), std::vector<std::string>{"a"});
  EXPECT_TRUE(view->list_collections("other")->empty());
  EXPECT_TRUE(view->find(kB, query_of("{}"))->empty());
  EXPECT_TRUE(view->list_indexes(kB)->empty());
  EXPECT_EQ(view->shards_of(kA), owner_->shards_of(kA));
}

TEST_F(SharedCollection, AKeyOpensItsCollectionOnly) {
  // A's key for B: it does not cover B's path.
  Result<std::unique_ptr<EncryptedStore>> b_with_a = world_.open_view(kB, *key_a_);
  ASSERT_FALSE(b_with_a);
  EXPECT_EQ(b_with_a.status().code(), ErrorCode::kAuthentication) << b_with_a.status().to_string();
  // Nor does A's secret passed off as B's key: no descriptor under it.
  client::NodeKey forged(*owner_->dataset_of(kB), *collection_path(kB), key_a_->secret().clone());
  Result<std::unique_ptr<EncryptedStore>> forged_view = world_.open_view(kB, forged);
  ASSERT_FALSE(forged_view);
  EXPECT_EQ(forged_view.status().code(), ErrorCode::kNotFound) << forged_view.status().to_string();
  // A sibling's grant, received the same way, opens B and not A.
  Result<client::NodeKey> key_b = world_.grant(*owner_->dataset_of(kB), *collection_path(kB));
  ASSERT_TRUE(key_b) << key_b.status().to_string();
  Result<std::unique_ptr<EncryptedStore>> a_with_b = world_.open_view(kA, *key_b);
  ASSERT_FALSE(a_with_b);
  EXPECT_EQ(a_with_b.status().code(), ErrorCode::kAuthentication);
  client::NodeKey b_as_a(*owner_->dataset_of(kA), *collection_path(kA), key_b->secret().clone());
  Result<std::unique_ptr<EncryptedStore>> passed_off = world_.open_view(kA, b_as_a);
  ASSERT_FALSE(passed_off);
  EXPECT_EQ(passed_off.status().code(), ErrorCode::kNotFound);
  Result<std::unique_ptr<EncryptedStore>> view_b = world_.open_view(kB, *key_b);
  ASSERT_TRUE(view_b) << view_b.status().to_string();
  EXPECT_EQ(*(*view_b)->count(kB, Filter()), 20u);
  // A's key opens none of B's rows either: its document cipher is not B's.
  ShardKeys a_keys = ShardKeys::of_collection(*key_a_, *owner_->dataset_of(kB));
  size_t tried = 0;
  for (const auto& [row, value] : first_dataset_of(kB).rows()) {
    if (row[0] != kDocumentRowTag) continue;
    ++tried;
    EXPECT_EQ(a_keys.documents.decrypt_document(row, value).status().code(), ErrorCode::kAuthentication);
  }
  EXPECT_EQ(tried, 20u);
  // A key above both (the whole db, granted) opens each.
  Result<client::NodeKey> db_key = world_.grant(*owner_->dataset_of(kA), *client::KeyPath::from_strings({"app"}));
  ASSERT_TRUE(db_key);
  Result<std::unique_ptr<EncryptedStore>> through_db = world_.open_view(kA, *db_key);
  ASSERT_TRUE(through_db) << through_db.status().to_string();
  expect_same(**through_db, R"({"n": {"$lt": 5}})", R"({"_id": 1})");
}

TEST_F(SharedCollection, MutationsThroughTheViewAreRefused) {
  std::unique_ptr<EncryptedStore> view = view_of_a();
  ASSERT_NE(view, nullptr);
  std::vector<std::map<Bytes, Bytes>> before;
  for (client::MemoryRowSource& source : world_.sources) before.push_back(source.rows());
  auto expect_refused = [](const Status& status, const std::string& what) {
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << what;
    EXPECT_NE(status.message().find("app.a is shared read-only with this gateway"), std::string::npos)
        << what << ": " << status.message();
  };
  expect_refused(view->insert(kA, J(R"({"_id": 5000})")).status(), "insert");
  expect_refused(view->replace(kA, value_of("1"), J(R"({"_id": 1, "n": 0})")).status(), "replace");
  expect_refused(view->remove(kA, value_of("1")).status(), "remove");
  expect_refused(view->create_collection(kA).status(), "create");
  expect_refused(view->drop(kA).status(), "drop");
  expect_refused(view->create_index(kA, index_of(R"({"key": {"tag": 1}, "name": "tag_1"})")).status(), "index");
  Result<DocumentStore::InsertOutcome> elsewhere = view->insert(kB, J(R"({"_id": 1})"));
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.status().code(), ErrorCode::kInvalidArgument);
  view->begin_command();
  EXPECT_FALSE(view->insert(kA, J(R"({"_id": 5001})")));
  EXPECT_TRUE(view->end_command().is_ok());
  for (size_t i = 0; i < world_.sources.size(); ++i) EXPECT_EQ(world_.sources[i].rows(), before[i]) << i;
  expect_same(*view, "{}");
}

TEST_F(SharedCollection, TheOwnersLaterWritesReachTheView) {
  std::unique_ptr<EncryptedStore> view = view_of_a();
  ASSERT_NE(view, nullptr);
  for (int end = next_ + 20; next_ < end; ++next_) {
    Result<DocumentStore::InsertOutcome> inserted = owner_->insert(kA, J(document_json(next_)));
    ASSERT_TRUE(inserted) << next_ << ": " << inserted.status().to_string();
  }
  ASSERT_TRUE(owner_->replace(kA, value_of("2"), J(R"({"_id": 2, "n": 99, "score": 7, "tag": "moved"})")));
  ASSERT_TRUE(owner_->remove(kA, value_of("5")));
  ASSERT_TRUE(owner_->create_index(kA, index_of(R"({"key": {"tag": 1}, "name": "tag_1"})")));
  // A view opened now, and the one opened before, which fetches the
  // descriptor again on each read.
  std::unique_ptr<EncryptedStore> reopened = view_of_a();
  ASSERT_NE(reopened, nullptr);
  for (EncryptedStore* each : {reopened.get(), view.get()}) {
    expect_all_same(*each);
    expect_same(*each, R"({"tag": "moved"})", R"({"tag": 1})");
    expect_same(*each, R"({"_id": 5})");
    EXPECT_EQ(each->list_indexes(kA)->size(), 3u);
  }
  EXPECT_EQ(view->shards_of(kA), owner_->shards_of(kA));
  // A drop erases the descriptor: a view reads nothing more.
  ASSERT_TRUE(owner_->drop(kA));
  Result<std::vector<Document>> gone = view->find(kA, query_of("{}"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.status().code(), ErrorCode::kNotFound) << gone.status().to_string();
  EXPECT_EQ(world_.open_view(kA, *key_a_).status().code(), ErrorCode::kNotFound);
  // Re-created with its first shard in the same dataset: the same key, so
  // the receiver of the old incarnation reads the new one (encrypted_store.h).
  ASSERT_TRUE(owner_->insert(kA, J(R"({"_id": "new", "n": 1})")));
  ASSERT_EQ(owner_->dataset_of(kA), key_a_->dataset());
  Result<std::vector<Document>> again = view->find(kA, query_of("{}"));
  ASSERT_TRUE(again) << again.status().to_string();
  EXPECT_EQ(as_json(*again), as_json(*owner_->find(kA, query_of("{}"))));
}

TEST_F(SharedCollection, TamperedRowsFailTheViewsReads) {
  client::MemoryRowSource& rows = first_dataset_of(kA);
  // A document row altered: the query that reaches it fails, never answers.
  Bytes* document = nullptr;
  for (auto& [key, value] : rows.rows()) {
    if (key[0] == kDocumentRowTag) document = &value;
  }
  ASSERT_NE(document, nullptr);
  (*document)[document->size() / 2] ^= 0x01;
  Result<std::unique_ptr<EncryptedStore>> view = world_.open_view(kA, *key_a_);
  ASSERT_TRUE(view) << "the descriptor is intact: " << view.status().to_string();
  Result<std::vector<Document>> found = (*view)->find(kA, query_of("{}"));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.status().code(), ErrorCode::kAuthentication) << found.status().to_string();
  (*document)[document->size() / 2] ^= 0x01;
  EXPECT_TRUE((*view)->find(kA, query_of("{}")));
  // The descriptor row altered: the view does not open.
  Bytes descriptor = descriptor_row_key(*key_a_);
  ASSERT_TRUE(rows.rows().contains(descriptor));
  Bytes sealed = rows.rows().at(descriptor);
  rows.rows().at(descriptor)[sealed.size() / 2] ^= 0x01;
  EXPECT_EQ(world_.open_view(kA, *key_a_).status().code(), ErrorCode::kAuthentication);
  rows.rows().at(descriptor) = sealed;
  // An older descriptor, replayed after the view read a newer one: refused.
  ASSERT_TRUE(owner_->insert(kA, J(document_json(next_++))));
  EXPECT_EQ(*(*view)->count(kA, Filter()), *owner_->count(kA, Filter()));
  rows.rows().at(descriptor) = sealed;
  Result<uint64_t> rolled_back = (*view)->count(kA, Filter());
  ASSERT_FALSE(rolled_back);
  EXPECT_EQ(rolled_back.status().code(), ErrorCode::kAuthentication) << rolled_back.status().to_string();
}

TEST_F(SharedCollection, EachCollectionsRowsAreSealedUnderItsOwnKey) {
  // The descriptor sits in A's first dataset, sealed under A's key, and
  // names A's shards; the dataset's own row key opens none of A's rows.
  client::MemoryRowSource& rows = first_dataset_of(kA);
  Bytes descriptor = descriptor_row_key(*key_a_);
  Result<Bytes> plain = key_a_->row_cipher().decrypt_row(descriptor, rows.rows().at(descriptor));
  ASSERT_TRUE(plain);
  Result<CollectionDescriptor> decoded = CollectionDescriptor::from_document(*Document::parse(*plain));
  ASSERT_TRUE(decoded) << decoded.status().to_string();
  EXPECT_EQ(decoded->collection.ns, kA);
  EXPECT_EQ(decoded->collection.shards.size(), 2u);
  EXPECT_EQ(decoded->collection.indexes.size(), 2u);
  client::RowCipher dataset_cipher = client::RowCipher::for_dataset(*world_.keys.find(*owner_->dataset_of(kA)));
  size_t documents = 0;
  for (const auto& [key, value] : rows.rows()) {
    if (key[0] != kDocumentRowTag) continue;
    ++documents;
    EXPECT_FALSE(dataset_cipher.decrypt_document(key, value));
  }
  EXPECT_GT(documents, 0u);
  // A restarted owner reads everything back, and rewrites the descriptors.
  owner_.reset();
  owner_ = world_.open_owner();
  ASSERT_NE(owner_, nullptr);
  std::unique_ptr<EncryptedStore> view = view_of_a();
  ASSERT_NE(view, nullptr);
  expect_all_same(*view);
}

// --- The key layout and the descriptor on their own -----------------------------

std::string hex(const crypto::Secret<32>& secret) { return to_hex(secret.view()); }

// A compatibility contract, like dataset_keys.h's: a change here makes every
// collection's rows unreadable. The vectors were checked against Python's
// hashlib.blake2b, following collection_keys.h and key_tree.h's framing.
TEST(CollectionKeys, TheDerivationsArePinned) {
  client::RootSecret root;
  for (uint8_t i = 0; i < 32; ++i) root.data()[i] = i;
  client::DatasetKeys keys(dataset_id(1), std::move(root));
  Result<client::NodeKey> key = collection_key(keys, kA);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->path(), *client::KeyPath::from_strings({"app", "a"}));
  ShardKeys first = ShardKeys::of_collection(*key, dataset_id(1));
  ShardKeys second = ShardKeys::of_collection(*key, dataset_id(2));
  EXPECT_EQ(hex(first.row_names), "4496d386d0007750922a00dabd10ae603faf97f4b88b07616c205c7f6d0c8cba");
  EXPECT_EQ(hex(first.bucket_key), "1ef3b8ae6fb92d8aa34c749ba7eb30bb63f1805149a7f59a94ee38b60a1192b7");
  EXPECT_EQ(hex(first.ore_seed), "6220a9f7d5862e507db81dd6a198fe0c0ce1da1b6959ce1987097dd1a3d54233");
  EXPECT_EQ(to_hex(descriptor_row_key(*key)), "63172480f837b5858658f72af39dd24dec94387be5d27638ddbaf892927ad6992d");
  EXPECT_EQ(to_hex(first.bucket_key_id), to_hex(key->row_key_id()));
  // Every shard its own PRF, bucket and ORE keys; none the dataset's.
  EXPECT_NE(hex(first.row_names), hex(second.row_names));
  EXPECT_NE(hex(first.bucket_key), hex(second.bucket_key));
  EXPECT_NE(hex(first.ore_seed), hex(second.ore_seed));
  ShardKeys dataset_wide = ShardKeys::of_dataset(keys);
  EXPECT_EQ(hex(dataset_wide.bucket_key), hex(keys.btree_key()));
  EXPECT_EQ(hex(dataset_wide.ore_seed), hex(keys.index_key()));
  EXPECT_NE(hex(dataset_wide.row_names), hex(first.row_names));
  // Documents: under K_c's row key, bound to the shard's dataset.
  env::DeterministicRandom random{3};
  Result<Bytes> sealed = first.documents.encrypt_document(as_bytes("id"), as_bytes("{}"), random);
  ASSERT_TRUE(sealed);
  client::RowCipher node_cipher = key->row_cipher();
  EXPECT_TRUE(node_cipher.decrypt_document(as_bytes("id"), *sealed));
  EXPECT_FALSE(second.documents.decrypt_document(as_bytes("id"), *sealed));
}

TEST(CollectionDescriptorFormat, RoundTripsAndRefusesOtherVersions) {
  CatalogCollection collection;
  collection.ns = kA;
  collection.next_version = 12;
  collection.descriptor_bytes = 500;
  CatalogShard shard;
  shard.dataset = dataset_id(1);
  shard.epoch = 3;
  shard.stored_bytes = 999;
  shard.primary = *client::BTreeDescriptor::empty(tree_prefix(3, std::nullopt), 8);
  collection.shards.push_back(shard);
  shard.dataset = dataset_id(2);
  collection.shards.push_back(shard);
  Result<CollectionDescriptor> decoded =
      CollectionDescriptor::from_document(CollectionDescriptor{7, collection}.to_document());
  ASSERT_TRUE(decoded) << decoded.status().to_string();
  EXPECT_EQ(decoded->generation, 7u);
  EXPECT_EQ(decoded->collection.ns, kA);
  EXPECT_EQ(decoded->collection.next_version, 12u);
  EXPECT_FALSE(decoded->collection.dataset_keys);
  ASSERT_EQ(decoded->collection.shards.size(), 2u);
  EXPECT_EQ(decoded->collection.shards[1].dataset, dataset_id(2));
  EXPECT_EQ(decoded->collection.shards[0].stored_bytes, 0u) << "the owner's accounting stays in the catalog";
  EXPECT_EQ(decoded->collection.descriptor_bytes, 0u);
  for (const char* json : {R"({"v": 2, "generation": 1, "collection": {}})", R"({"v": 1, "generation": 1})",
                           R"({"v": 1, "generation": -1, "collection": {}})"}) {
    Result<CollectionDescriptor> refused = CollectionDescriptor::from_document(J(json));
    ASSERT_FALSE(refused) << json;
    EXPECT_EQ(refused.status().code(), ErrorCode::kMalformed) << json;
  }
  collection.shards[1].dataset = dataset_id(1);
  Result<CollectionDescriptor> twice =
      CollectionDescriptor::from_document(CollectionDescriptor{7, collection}.to_document());
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.status().message().find("holds two shards"), std::string::npos);
}

}  // namespace
}  // namespace fluence::gateway
