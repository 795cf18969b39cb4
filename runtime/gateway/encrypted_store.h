// The product's DocumentStore: MongoDB collections kept on the cluster as
// client-encrypted rows. All encryption happens here; a node sees ciphertext
// and row keys that reveal nothing of the data.
//
// Layout. Each collection is one dataset or more, its shards (the white
// paper's "each dataset is a collection", and its "Transparent Sharding"
// once one is full); a dataset holds at most one shard. A new collection's
// first shard takes the first free dataset the store was given. In a shard's
// dataset (encrypted_rows.h):
//   "d" || PRF(epoch || key(_id) || version)   one document, sealed whole with
//                                            RowCipher::encrypt_document
//   "p" || epoch || bucket id                 buckets of the shard's primary index
//   "i" || epoch || index number || bucket id buckets of a secondary index
//   "o" || epoch || index number || row name  entries of an "ore" index
//   "c" || PRF("descriptor")                  the collection's descriptor row,
//                                             in its FIRST shard's dataset only
// and in the FIRST dataset also the catalog row (encrypted_catalog.h), which
// names every collection's shards, its indexes and its trees' descriptors.
// key() is the order-preserving encoding of key_encoding.h; PRF is keyed
// BLAKE2b-256 under the shard's row-name key. A replaced document goes to a
// fresh row (a new version), so the rows the committed catalog reaches are
// never overwritten.
//
// Keys. Each collection has its own key K_c, the node [db, name] of the key
// tree (model/client/key_tree.h) of its first shard's dataset, and every key
// of every shard of it derives from K_c (collection_keys.h has the table):
// documents under K_c's row key, row names, buckets and ORE keys under
// labelled subkeys bound to the shard's dataset. The catalog row stays under
// the first dataset's own keys: only the owner reads it. So a grant of K_c
// (model/client/grant.h) gives one collection, and nothing of the others.
// A collection from an older catalog keeps the dataset keys it was written
// with (collection_keys.h), and cannot be shared.
// A drop and re-create of a name whose first shard lands in the same dataset
// gives the same K_c: a receiver of the old incarnation reads the new one.
// That is the grant's meaning, a path and not an incarnation, as MongoDB
// grants a role on a namespace; putting the epoch in the path instead would
// make the re-created collection unreadable to a receiver until a new grant,
// and a grant, once the key is out, is never revoked anyway: to shut a
// receiver out, the owner copies the data to a collection of another name.
//
// Descriptor rows. A receiver of K_c cannot open the catalog, so each
// collection keyed by K_c also has its catalog entry in a descriptor row
// (encrypted_catalog.h, CollectionDescriptor) sealed under K_c, at a row
// name only K_c gives, in its first shard's dataset. The owner rewrites it
// in each commit that changes the collection, beside the catalog, and
// erases it with the collection; the first mutation after the store opens
// rewrites every one, so one a crash left behind (the commit flushes its
// datasets one by one) is current again. It counts in its dataset's bytes.
//
// Read-only views. open_shared() opens one collection from its descriptor
// with K_c alone (no key store): the same query code, over the same trees,
// answers find, count, listIndexes and listCollections as the owner's store
// does, and every mutation is refused. Each read first fetches the
// descriptor again, so a view follows the owner's commits; it verifies
// every bucket and document against the descriptor's trees as the owner
// does against its catalog, so a node can make a read fail, never answer
// wrongly. Freshness for the receiver rests on the descriptor row alone: no
// anchor. A view refuses a descriptor older than one it has read, but a view
// opened afresh can be served an older descriptor whose rows a node kept
// (a consistent, stale state). A read that races the owner's garbage
// collection (rows the descriptor it fetched reaches, erased since) fails
// with kAuthentication, as a tampered row does; a retry reads the new one.
//
// Shards. Each dataset has its contract's allocation (DatasetRows). The store
// counts the bytes it keeps in each dataset exactly: key and value bytes of
// every row put, minus those erased (metered_rows.h), garbage not yet erased
// included since the nodes hold it, the catalog row in the first dataset
// and a collection's descriptor row in its first shard's; the count is in
// the catalog, so it survives a restart. An insert goes to the collection's
// last shard; if the dataset would then hold more than its allocation (in
// the first dataset, less Options::catalog_reserve_bytes, kept for the
// catalog row; in a first shard's, less descriptor_reserve_bytes), the insert is
// undone there (its rows erased) and made in a new shard, opened in a free
// dataset (shard_placement.h: another cluster first); the catalog naming the
// new shard commits with the document. None free: kLimitExceeded. A document
// alone over a free dataset's allocation: kLimitExceeded as well. So an
// insert outside a command never takes a dataset past its allocation.
// Inside a command, undoing one insert would reopen the trees and leak the
// command's earlier garbage, so the insert that crosses the limit stays and
// the next one opens the new shard: one insert's rows past it. A replace,
// which stays in the document's shard, and an index build, which covers the
// documents where they are, may pass it too; the next insert then opens a
// new shard. Within one command the copy-on-write garbage of its earlier
// mutations is on the nodes and counts until the command commits, so a
// large command fills a dataset early: by at most what one command may
// write (a node row source buffers 64 MiB), noise against real allocations,
// but it dominates a tiny one.
// _id is unique across shards (an insert looks it up in each); replace and
// remove find the document's shard by the same lookup; an index is built in
// every shard; a drop drops every shard. Reads merge the shards.
//
// Indexes are B-trees of model/client/btree.h:
//   primary:   key(_id) -> row key || H(sealed row)
//   secondary: key(value) || key(_id) -> row key || H(sealed row), one entry per
//              value the field's path reaches (array elements unrolled, null
//              for none: the values SortSpec sorts by)
// H is BLAKE2b-256 under kDocumentHashDomain. Since the trees are Merkle trees
// rooted in the catalog, every document read is checked against the hash the
// index holds: a node that alters, swaps, drops or rolls back a document or
// a bucket makes the call fail with kAuthentication, never answer wrongly.
// Freshness reaches as far as the catalog row's: a node serving an older
// catalog would roll the whole store back consistently, which the catalog
// anchor (catalog_anchor.h, Options::anchor) refuses when the store opens.
//
// Queries. A filter's top-level conjunction is planned against the indexes
// (the same plan for every shard):
// an equality, $in or range predicate on _id or on a "btree" index's field
// yields key ranges; the documents in them are fetched, decrypted and the
// whole filter applied. Failing that, an equality, $in or range predicate
// with numeric operands on an "ore" index's field is sent to the nodes as
// intervals of left ciphertexts, and they return the entries whose right
// ciphertexts fall inside (encrypted_store_ore.cc): one round trip per shard
// and page, leaking order (model/crypto/ore.h). Anything else walks the
// primary index.
// A single-field sort on _id or an indexed field walks that index in every
// shard and merges the walks by key, so the stream is in the order one
// dataset would give (keys end with the _id, which is in one shard only);
// skip and limit apply to the merged stream. Any other sort is done in
// memory, over at most Options::max_sort_documents matches of all shards
// (kLimitExceeded, MongoDB's "Sort exceeded memory limit", past that).
//
// Mutations. Every mutating call writes rows, updates the trees, then
// rewrites the catalog with the new descriptors, calls the commit hook
// (the row sources' write-back flush: one per dataset touched, whichever
// shards the call wrote), and only then erases obsolete rows (the trees'
// collect_garbage(), replaced documents), rewrites the catalog with the
// byte counts the erasures lowered, and commits again (btree.h's order: the
// previous descriptor reaches the obsolete rows). If a call fails before its
// commit, the store returns to the last committed catalog and erases the
// rows the call had put (best effort: one left behind is unreachable, never
// wrong). Garbage that could not be erased is retried after the next
// mutation.
//
// LEAKAGE to the nodes: which datasets a collection spans and when it
// filled one (a burst of reads from a new dataset); the descriptor row's size
// (roughly its shards and indexes), and its rewrite on each commit that
// changes the collection; per dataset, the number and sizes of document rows
// (each a document's size plus 41 bytes) and of bucket rows (hence roughly
// each index's size and height), the catalog row's size (roughly the number
// of collections and indexes) and which dataset holds it; which rows each
// call reads and writes, hence its access pattern: a repeated query fetches
// the same rows, a range query neighbouring leaves and as many documents as
// there are candidates, an insert one new row and a path per index, a
// replace one new row and the erase of the old (linking the two), a drop the
// erasure of every row of the collection. The timing of calls. Not leaked:
// _id values, field names or values, index keys, collection names.
//
// Not done: unique indexes are recorded but not enforced (neither does the
// in-memory store); a compound index orders by its first field only;
// decimal128 values in _id or in indexed fields are refused (key_encoding.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/client/btree.h"
#include "model/client/key_store.h"
#include "model/client/key_tree.h"
#include "model/client/row_cipher.h"
#include "model/client/row_source.h"
#include "model/crypto/secret.h"
#include "model/env/random.h"
#include "runtime/gateway/catalog_anchor.h"
#include "runtime/gateway/collection_keys.h"
#include "runtime/gateway/documents.h"
#include "runtime/gateway/encrypted_catalog.h"
#include "runtime/gateway/metered_rows.h"
#include "runtime/gateway/ore_points.h"

namespace fluence::gateway {

inline constexpr std::string_view kDocumentHashDomain = "fluence/gateway/v1/document-hash";
// Keyed by the shard's ORE seed (collection_keys.h), with the shard's epoch
// and the index's number: one ORE key per index and shard.
inline constexpr std::string_view kOreIndexLabel = "fluence/gateway/v1/ore-index";

struct EncryptedStoreOptions {
  // Buckets kept decrypted per tree (btree.h): the top levels, so that after
  // warm-up a lookup costs about height - cached_levels round trips.
  size_t cached_levels = 2;
  // Entries per bucket of a new tree (4..120).
  size_t bucket_entries = 64;
  // An in-memory sort holds at most this many documents.
  size_t max_sort_documents = 100'000;
  // Inserts leave this much of the FIRST dataset's allocation to the catalog
  // row, which grows with every shard opened anywhere (about 300 bytes, and
  // 100 more per index), every collection and every index.
  size_t catalog_reserve_bytes = 4096;
  // And this much of the dataset of each collection's first shard to the
  // collection's descriptor row, which grows with the collection's shards
  // and indexes (about 300 bytes a shard, 100 more per index and shard).
  size_t descriptor_reserve_bytes = 2048;
  // Where the newest committed catalog is recorded, outside the nodes
  // (catalog_anchor.h); must outlive the store. None: a node could roll the
  // store back to an older catalog undetected.
  CatalogAnchor* anchor = nullptr;
  // New collections take their datasets' own keys, as before per-collection
  // keys: what an older gateway wrote, for tests that read such a store.
  // Such a collection cannot be shared.
  bool dataset_keys_for_new_collections = false;
};

// No allocation given: the dataset never fills (a store used without sharding).
inline constexpr uint64_t kUnlimitedAllocationBytes = UINT64_MAX;

// One dataset the store may use and the rows behind it; the source must
// outlive the store.
struct DatasetRows {
  storage::DatasetId dataset{};
  client::RowSource* rows = nullptr;
  // Its storage contract's allocation: the store keeps no more here.
  uint64_t allocation_bytes = kUnlimitedAllocationBytes;
  // Datasets with equal labels are on one cluster; a new shard prefers a
  // cluster its collection does not use yet.
  std::string cluster;
};

class EncryptedStore final : public DocumentStore {
 public:
  // Makes everything written so far durable on the nodes (a write-back
  // source's flush); ok when there is nothing to do.
  using CommitHook = std::function<Status()>;

  // Reads the catalog from the first dataset (none yet: an empty store).
  // A format-1 catalog (before sharding) is read as one shard per collection
  // whose bytes are measured here, by reading every row of it once; format 2
  // is written from the next mutation on.
  // kInvalidArgument for no datasets, a dataset given twice, without keys in
  // `keys` or with a zero allocation, or a catalog naming a dataset not given;
  // the catalog's own errors (kAuthentication if it does not decrypt,
  // kMalformed) and the source's. `keys`, `random` (nonces) and the sources
  // must outlive the store.
  static Result<std::unique_ptr<EncryptedStore>> open(std::vector<DatasetRows> datasets,
                                                      const client::KeyStore& keys, env::Random& random,
                                                      CommitHook commit, EncryptedStoreOptions options = {});
  // A read-only view of the one collection `ns`, shared with this gateway:
  // `collection_key` is its K_c (from a grant, grant.h) or a key above it
  // in the same tree. `datasets` must include the first shard's
  // (collection_key.dataset()) and every other shard's; their allocations
  // are not used. Reads the descriptor row (see "Read-only views" above).
  // kAuthentication for a key that does not cover `ns` or does not open the
  // descriptor, or a descriptor of another collection or older than one seen;
  // kNotFound when the dataset holds no descriptor under this key (the
  // collection was dropped, was never made under this key, or a node hides
  // it); kInvalidArgument for a dataset missing or given twice; the
  // source's errors. Every mutation fails with kInvalidArgument ("app.items
  // is shared read-only with this gateway"); Options::anchor is not used.
  static Result<std::unique_ptr<EncryptedStore>> open_shared(std::vector<DatasetRows> datasets, const Namespace& ns,
                                                             client::NodeKey collection_key, env::Random& random,
                                                             EncryptedStoreOptions options = {});
  ~EncryptedStore() override;

  // DocumentStore (documents.h). Beyond its contract: kInvalidArgument for an
  // _id or indexed value that cannot be encoded or makes a key over 1024
  // bytes, and for a query needing an ore index; kLimitExceeded when a new
  // collection finds every dataset taken ("no free dataset"), when a sort
  // exceeds max_sort_documents, or the catalog its row, and for an insert
  // when the collection's last dataset is full and no dataset is free for a
  // new shard ("no free dataset"), or the document alone is over a free
  // dataset's allocation; kAuthentication for rows a node altered.
  Result<InsertOutcome> insert(const Namespace& ns, const Document& document) override;
  Result<std::vector<Document>> find(const Namespace& ns, const FindQuery& query) override;
  Result<uint64_t> count(const Namespace& ns, const Filter& filter) override;
  Result<bool> replace(const Namespace& ns, const Value& id, const Document& document) override;
  Result<bool> remove(const Namespace& ns, const Value& id) override;
  Result<std::vector<std::string>> list_collections(const std::string& db) override;
  Result<bool> create_collection(const Namespace& ns) override;
  Result<bool> drop(const Namespace& ns) override;
  Result<bool> create_index(const Namespace& ns, const IndexSpec& index) override;
  Result<std::vector<IndexSpec>> list_indexes(const Namespace& ns) override;
  // A command's mutations become durable together: one write per dataset
  // for all of them, instead of two per document.
  void begin_command() override;
  Status end_command() override;

  // Diagnostics and tests: the dataset of the collection's first shard, if it
  // exists; the datasets of all its shards, in order; the bytes the store
  // keeps in a dataset (the catalog row included), 0 for one not given.
  std::optional<storage::DatasetId> dataset_of(const Namespace& ns) const;
  std::vector<storage::DatasetId> shards_of(const Namespace& ns) const;
  uint64_t stored_bytes(const storage::DatasetId& dataset) const;

 private:
  // One dataset the store may use: its rows and keys.
  struct Slot {
    storage::DatasetId dataset{};
    client::RowSource* rows = nullptr;
    const client::DatasetKeys* keys = nullptr;  // none in a view
    uint64_t allocation_bytes = 0;
    std::string cluster;
    std::unique_ptr<MeteredRows> meter;  // over `rows`; every write of a shard goes through it
  };
  // A shard's dataset, keys and open trees; `indexes` parallels its catalog
  // entry's trees.
  struct LiveShard {
    Slot* slot = nullptr;
    ShardKeys keys;
    client::BTree primary;
    std::vector<std::optional<client::BTree>> indexes;
  };
  // A collection's key (none for one keyed by its datasets' keys) and open
  // shards, parallel to its catalog entry's.
  struct Live {
    std::optional<client::NodeKey> key;
    std::vector<LiveShard> shards;
  };
  // What a read-only view holds beyond a store's state.
  struct View {
    Namespace ns;
    client::NodeKey key;      // the collection's own K_c
    Bytes descriptor_row;     // its key
    std::optional<uint64_t> generation;  // of the descriptor last read
    Bytes sealed;             // the descriptor row last read
  };
  // Where a query's candidates come from: key ranges [lo, hi) of one index
  // in every shard (an empty bound is open), in key order or its reverse.
  struct Plan {
    std::optional<size_t> index;  // none: the primary index
    std::vector<std::pair<Bytes, Bytes>> ranges;
    // Or an "ore" index, scanned on the nodes over these intervals of points
    // (ore_points.h); then `index` and `ranges` are unused.
    std::optional<size_t> ore_index;
    std::vector<OreInterval> ore_intervals;
    bool gives_sort_order = false;  // the walk is the sort's order
    bool descending = false;
  };
  // A document the plan reaches: its index entry and its shard.
  struct Candidate {
    Bytes key;
    Bytes located;  // row key || hash
    size_t shard = 0;
  };
  // A row to erase once the catalog no longer reaches it; a document row
  // carries its value's size, to leave the count (metered_rows.h).
  struct Garbage {
    Bytes key;
    std::optional<uint64_t> counted_value_bytes;
  };
  using GarbageLists = std::map<storage::DatasetId, std::vector<Garbage>>;
  // Where a document is: its shard and its primary index entry.
  struct Located {
    size_t shard = 0;
    Bytes located;
  };

  EncryptedStore(std::vector<std::unique_ptr<Slot>> slots, env::Random& random, CommitHook commit,
                 EncryptedStoreOptions options);

  Slot& slot_of(const storage::DatasetId& dataset);
  const Slot& slot_of(const storage::DatasetId& dataset) const;
  // The key of a collection, from its first shard's dataset keys; none for
  // one keyed by its datasets' own keys.
  Result<std::optional<client::NodeKey>> key_of(const CatalogCollection& collection) const;
  Result<LiveShard> open_shard_trees(const std::optional<client::NodeKey>& key, const CatalogShard& shard);
  Result<std::unique_ptr<Live>> open_collection(const CatalogCollection& collection,
                                                std::optional<client::NodeKey> key);
  Status rebuild_live();
  // A format-1 shard's bytes, by reading every row it reaches.
  Status measure(CatalogShard& shard, LiveShard& live);
  // Back to the last committed catalog; `erase_rows`: also erase what was
  // put since (not after a failed commit, which may have sent part of it).
  void restore(bool erase_rows);
  // The open trees' descriptors and the meters' counts, into the working catalog.
  void sync_catalog();
  // Puts the descriptor row of every collection whose entry changed since
  // its last put (encrypted_store_shared.cc).
  Status persist_descriptors();
  Status persist_catalog();
  // Catalog, commit, garbage, catalog, commit; on failure before the first
  // commit the store is restored.
  Status finish_mutation();
  // The state one mutation starts from, to undo it alone inside a command.
  struct Savepoint {
    Catalog catalog;
    GarbageLists pending_garbage;
    std::map<storage::DatasetId, size_t> marks;  // the meters' undo logs
  };
  Savepoint savepoint();
  void roll_back(Savepoint saved);
  // Runs a mutating step: on error undoes it; otherwise makes it durable at
  // once, or, inside a command, at end_command(). In encrypted_store_write.cc.
  template <typename Body>
  auto mutate(Body body) -> decltype(body());

  // What the store keeps in the slot's dataset, the catalog row included.
  uint64_t usage(const Slot& slot) const;
  // What inserts may fill: the allocation, less the catalog's reserve in the
  // first dataset and a descriptor's in a collection's first shard's.
  uint64_t insert_limit(const Slot& slot) const;
  Result<CatalogCollection*> ensure_collection(const Namespace& ns, bool* created);
  // Opens a new last shard for the collection in a free dataset.
  Status open_shard(CatalogCollection& collection);
  // The shard holding the document whose primary key is `id_key`, if any.
  Result<std::optional<Located>> locate(const Namespace& ns, ByteView id_key);
  // `row_bytes`, if given, receives the sealed row's size.
  Result<Document> load_document(LiveShard& shard, ByteView located_value, uint64_t* row_bytes = nullptr);
  Result<std::vector<Bytes>> index_keys(const CatalogIndex& index, const bson_t* document, ByteView id_key) const;
  Result<Bytes> seal_document(LiveShard& shard, CatalogCollection& collection, uint64_t epoch, ByteView id_key,
                              const Document& document, Bytes& located_value);
  // Puts the document and its index entries in one shard.
  Status write_document(CatalogCollection& collection, size_t shard, ByteView id_key, const Document& document,
                        const std::vector<std::vector<Bytes>>& keys_per_index);
  Result<Plan> plan(const CatalogCollection& collection, const Filter& filter, const SortSpec& sort,
                    bool has_limit) const;
  // An "ore" index's rows in one shard (encrypted_store_ore.cc): one per
  // distinct point the document's field reaches, named from the document row
  // the entry locates, so a replaced document's entries are new rows and the
  // old ones garbage, as its row is. Values (right ciphertexts, the costly
  // part) are made only if `with_values`.
  struct OreRow {
    Bytes key;
    Bytes value;
  };
  Result<std::vector<OreRow>> ore_rows(const LiveShard& live, const CatalogShard& shard, const CatalogIndex& index,
                                       const bson_t* document, ByteView located, bool with_values);
  // Marks the index multikey when a document gives it several points.
  Status put_ore_rows(CatalogCollection& collection, size_t shard, const bson_t* document, ByteView located);
  Status retire_ore_rows(const CatalogCollection& collection, size_t shard, const bson_t* document,
                         ByteView located);
  // Every row of an ore index in a shard, by a scan without bounds.
  Result<std::vector<Bytes>> all_ore_rows(const CatalogCollection& collection, size_t shard, size_t index);
  Result<std::vector<Candidate>> ore_candidates(Live& live, const CatalogCollection& collection, const Plan& plan);
  // The documents the plan's ranges reach in every shard, each once, merged
  // in the walk's key order.
  Result<std::vector<Candidate>> candidates(Live& live, const Plan& plan);
  // Every entry of lo <= key < hi, paged through BTree::range.
  static Result<std::vector<client::BTreeEntry>> scan(client::BTree& tree, ByteView lo, ByteView hi);
  Result<std::vector<Document>> run_query(const Namespace& ns, const Filter& filter, const SortSpec& sort,
                                          uint64_t skip, std::optional<uint64_t> limit);

  // A view's: the descriptor as the nodes hold it now, its trees reopened
  // if it changed (encrypted_store_shared.cc). Ok and nothing done in a store.
  Status refresh_view();
  // kInvalidArgument in a view, naming what it may not change; else ok.
  Status check_writable(const Namespace& ns) const;

  std::vector<std::unique_ptr<Slot>> slots_;
  env::Random* random_;
  CommitHook commit_;
  EncryptedStoreOptions options_;
  bool in_command_ = false;
  bool dirty_ = false;         // a command's mutations wait for end_command()
  Catalog catalog_;            // the working state
  Catalog committed_;          // the last catalog committed to the nodes
  uint64_t catalog_row_bytes_ = 0;  // key and value of the catalog row as last put
  CatalogMark catalog_mark_;        // of the catalog row as last put
  // Records the catalog as last put in the anchor, if any: after a commit.
  void anchor_catalog();
  std::map<Namespace, std::unique_ptr<Live>> live_;  // open trees, per collection
  // Each collection's descriptor entry as last put, to put only changed ones;
  // none yet for any when the store opens (see "Descriptor rows").
  std::map<Namespace, Bytes> descriptors_put_;
  std::optional<View> view_;  // set in a read-only view
  // Rows to erase once the catalog no longer reaches them, per dataset.
  GarbageLists garbage_;
  // Rows the current mutation made obsolete: garbage once it is committed.
  GarbageLists pending_garbage_;
};

}  // namespace fluence::gateway
