// The product's DocumentStore: MongoDB collections kept on the cluster as
// client-encrypted rows. All encryption happens here; a node sees ciphertext
// and row keys that reveal nothing of the data.
//
// Layout. Each collection is one dataset (the white paper's "each dataset is
// a collection"), taken from the datasets the store is given, in their order,
// the first free one for a new collection. In that dataset:
//   "d" || PRF(epoch || key(_id) || version)   one document, sealed whole with
//                                            RowCipher::encrypt_document
//   "p" || epoch || bucket id                 buckets of the primary index
//   "i" || epoch || index number || bucket id buckets of a secondary index
// and in the FIRST dataset also the catalog row (encrypted_catalog.h), which
// names every collection's dataset, its indexes and its trees' descriptors.
// key() is the order-preserving encoding of key_encoding.h; PRF is keyed
// BLAKE2b-256 under a key derived from the dataset's root secret with the
// label kDocumentRowLabel, in dataset_keys.h's framing. A replaced document
// goes to a fresh row (a new version), so the rows the committed catalog
// reaches are never overwritten.
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
// Freshness reaches as far as the catalog row's; a node serving an older
// catalog rolls the whole store back consistently, which only the dataset's
// state hash on the chain can tell (not checked here).
//
// Queries. A filter's top-level conjunction is planned against the indexes:
// an equality, $in or range predicate on _id or on a "btree" index's field
// yields key ranges; the documents in them are fetched, decrypted and the
// whole filter applied. Anything else walks the primary index. A predicate
// on a field indexed only as "ore" is refused (kInvalidArgument, BadValue to
// drivers): answering it needs node-side scans over ORE ciphertexts, which
// are not built yet, and a client-side scan would pretend otherwise.
// A single-field sort on _id or an indexed field walks that index; any other
// sort is done in memory, over at most Options::max_sort_documents matches
// (kLimitExceeded, MongoDB's "Sort exceeded memory limit", past that).
//
// Mutations. Every mutating call writes rows, updates the trees, then
// rewrites the catalog with the new descriptors, calls the commit hook
// (the row source's write-back flush), and only then erases obsolete rows
// (the trees' collect_garbage(), replaced documents) and commits again
// (btree.h's order: the previous descriptor reaches the obsolete rows). If a
// call fails before its commit, the store returns to the last committed
// catalog; the rows it had put are unreachable, never wrong. Garbage that
// could not be erased is retried after the next mutation.
//
// LEAKAGE to the nodes: per dataset, the number and sizes of document rows
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
#include <optional>
#include <string_view>
#include <vector>

#include "model/client/btree.h"
#include "model/client/key_store.h"
#include "model/client/row_cipher.h"
#include "model/client/row_source.h"
#include "model/crypto/secret.h"
#include "model/env/random.h"
#include "runtime/gateway/documents.h"
#include "runtime/gateway/encrypted_catalog.h"

namespace fluence::gateway {

inline constexpr std::string_view kDocumentRowLabel = "fluence/gateway/v1/document-row";
inline constexpr std::string_view kDocumentHashDomain = "fluence/gateway/v1/document-hash";

struct EncryptedStoreOptions {
  // Buckets kept decrypted per tree (btree.h): the top levels, so that after
  // warm-up a lookup costs about height - cached_levels round trips.
  size_t cached_levels = 2;
  // Entries per bucket of a new tree (4..120).
  size_t bucket_entries = 64;
  // An in-memory sort holds at most this many documents.
  size_t max_sort_documents = 100'000;
};

// One dataset the store may use and the rows behind it; the source must
// outlive the store.
struct DatasetRows {
  storage::DatasetId dataset{};
  client::RowSource* rows = nullptr;
};

class EncryptedStore final : public DocumentStore {
 public:
  // Makes everything written so far durable on the nodes (a write-back
  // source's flush); ok when there is nothing to do.
  using CommitHook = std::function<Status()>;

  // Reads the catalog from the first dataset (none yet: an empty store).
  // kInvalidArgument for no datasets, a dataset given twice or without keys
  // in `keys`, or a catalog naming a dataset not given; the catalog's own
  // errors (kAuthentication if it does not decrypt, kMalformed) and the
  // source's. `keys`, `random` (nonces) and the sources must outlive the store.
  static Result<std::unique_ptr<EncryptedStore>> open(std::vector<DatasetRows> datasets,
                                                      const client::KeyStore& keys, env::Random& random,
                                                      CommitHook commit, EncryptedStoreOptions options = {});
  ~EncryptedStore() override;

  // DocumentStore (documents.h). Beyond its contract: kInvalidArgument for an
  // _id or indexed value that cannot be encoded or makes a key over 1024
  // bytes, and for a query needing an ore index; kLimitExceeded when a new
  // collection finds every dataset taken ("no free dataset"), when a sort
  // exceeds max_sort_documents, or the catalog its row; kAuthentication for
  // rows a node altered.
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

  // Which dataset holds the collection, if it exists (tests, diagnostics).
  std::optional<storage::DatasetId> dataset_of(const Namespace& ns) const;

 private:
  // One dataset the store may use: its rows, keys and the ciphers over them.
  struct Slot {
    storage::DatasetId dataset{};
    client::RowSource* rows = nullptr;
    const client::DatasetKeys* keys = nullptr;
    client::RowCipher cipher;
    crypto::Secret<32> name_key;  // the PRF key of document row names
  };
  // A collection's open trees; `indexes` parallels its catalog entry's.
  struct Live {
    client::BTree primary;
    std::vector<std::optional<client::BTree>> indexes;
  };
  // Where a query's candidates come from: key ranges [lo, hi) of one tree
  // (an empty bound is open), in key order or its reverse.
  struct Plan {
    std::optional<size_t> index;  // none: the primary index
    std::vector<std::pair<Bytes, Bytes>> ranges;
    bool gives_sort_order = false;  // the walk is the sort's order
    bool descending = false;
  };

  EncryptedStore(std::vector<std::unique_ptr<Slot>> slots, env::Random& random, CommitHook commit,
                 EncryptedStoreOptions options);

  Slot& slot_of(const storage::DatasetId& dataset);
  Status rebuild_live();
  Status restore();
  // The open trees' descriptors, into the working catalog.
  void sync_descriptors();
  Status persist_catalog();
  // Catalog, commit, garbage, commit; on failure before the first commit the
  // store is restored.
  Status finish_mutation();
  // The state one mutation starts from, to undo it alone inside a command.
  struct Savepoint {
    Catalog catalog;
    std::map<storage::DatasetId, std::vector<Bytes>> pending_garbage;
  };
  Savepoint savepoint();
  void roll_back(Savepoint saved);
  // Runs a mutating step: on error undoes it; otherwise makes it durable at
  // once, or, inside a command, at end_command().
  template <typename Body>
  auto mutate(Body body) -> decltype(body());

  Result<CatalogCollection*> ensure_collection(const Namespace& ns, bool* created);
  Result<Document> load_document(Slot& slot, ByteView located_value);
  Result<std::vector<Bytes>> index_keys(const CatalogIndex& index, const bson_t* document, ByteView id_key) const;
  Result<Bytes> seal_document(Slot& slot, CatalogCollection& collection, ByteView id_key, const Document& document,
                              Bytes& located_value);
  Result<Plan> plan(const CatalogCollection& collection, const Filter& filter, const SortSpec& sort,
                    bool has_limit) const;
  // The located values (row key || hash) the plan's ranges hold, each once.
  Result<std::vector<Bytes>> candidates(Live& live, const Plan& plan);
  // Every entry of lo <= key < hi, paged through BTree::range.
  static Result<std::vector<client::BTreeEntry>> scan(client::BTree& tree, ByteView lo, ByteView hi);
  Result<std::vector<Document>> run_query(const Namespace& ns, const Filter& filter, const SortSpec& sort,
                                          uint64_t skip, std::optional<uint64_t> limit);

  std::vector<std::unique_ptr<Slot>> slots_;
  env::Random* random_;
  CommitHook commit_;
  EncryptedStoreOptions options_;
  bool in_command_ = false;
  bool dirty_ = false;         // a command's mutations wait for end_command()
  Catalog catalog_;            // the working state
  Catalog committed_;          // the last catalog committed to the nodes
  std::map<Namespace, std::unique_ptr<Live>> live_;  // open trees, per collection
  // Rows to erase once the catalog no longer reaches them, per dataset.
  std::map<storage::DatasetId, std::vector<Bytes>> garbage_;
  // Rows the current mutation made obsolete: garbage once it is committed.
  std::map<storage::DatasetId, std::vector<Bytes>> pending_garbage_;
};

}  // namespace fluence::gateway
