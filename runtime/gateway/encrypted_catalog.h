// What the encrypted store knows about its collections, and its one row.
//
// The catalog names each collection's indexes (with their kind) and its
// shards: for each, the dataset it is in, its epoch there, the descriptors
// of its B-trees and the bytes the store keeps there for it. The descriptors
// are the roots of the Merkle trees (btree.h), so the catalog is what every
// read is verified against: the store rewrites it after each mutation,
// before the trees collect their garbage, and reads it back when it starts.
//
// Stored as a BSON document (format 3) sealed with RowCipher::encrypt_row
// under the FIRST dataset's keys, in the row kCatalogRowKey of that dataset:
//   {v: 3,
//    generation: long,                          // absent before generations: 0
//    epochs: [{dataset: bin(32), next: long}],  // next epoch per dataset used
//    collections: [{db, name, nextVersion: long, nextIndex: int,
//                   keys: "collection" | "dataset",  // collection_keys.h
//                   descriptorBytes: long,      // its descriptor row's key and
//                                               // value bytes; 0 for "dataset"
//                   indexes: [{spec: {key, name, unique}, number: int, multikey: bool}],
//                   shards: [{dataset: bin(32), epoch: long, bytes: long,
//                             primary: bin(descriptor),
//                             trees: [{number: int,       // parallel to indexes
//                                      tree: bin(descriptor)  // btree only
//                                     }]}]}]}
// A descriptor is its codec encoding (btree_bucket.h). A collection has one
// shard or more, in the order they were opened; inserts go to the last.
//
// Format 2 (before per-collection keys: no keys, no descriptorBytes) is
// still read, every collection in it keyed by its datasets' own keys
// ("dataset"), as it was written. Format 1 (before sharding: one dataset per
// collection, its trees beside the index definitions, no byte counts) is
// read as well, as such a collection of one shard whose bytes are not known
// (CatalogShard::measured false); the store measures them when it opens.
// Both become format 3 at the next mutation. Neither is written: a gateway
// that was downgraded refuses a newer format (unknown version) instead of
// misreading it.
//
// A collection keyed "collection" also has a descriptor row
// (CollectionDescriptor below), what a receiver of the collection's key
// reads instead of this catalog, which only the owner can open.
//
// The epoch is a shard's incarnation in its dataset: a dropped and
// re-created collection gets a new one, and row keys include it, so rows a
// crash left behind from the old incarnation can never be mistaken for the
// new one's.
//
// The catalog is decoded from a row a node returned, but only after it
// decrypted under the dataset's key, so a malformed one means a bug or a
// leaked key: still refused with kMalformed, never trusted.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/client/btree_bucket.h"
#include "model/storage/dataset.h"
#include "runtime/gateway/documents.h"

namespace fluence::gateway {

inline constexpr std::string_view kCatalogRowKey = "catalog";
inline constexpr int32_t kCatalogFormatVersion = 3;
// Read, never written (see above).
inline constexpr int32_t kCatalogFormatVersionDatasetKeys = 2;
inline constexpr int32_t kCatalogFormatVersionUnsharded = 1;
// MongoDB's limit on indexes per collection (its 64 include _id's).
inline constexpr size_t kMaxIndexesPerCollection = 63;

// An index's definition; its trees are per shard (CatalogShard::trees).
struct CatalogIndex {
  IndexSpec spec;
  // The index key's first field: what the tree orders by. Further fields of
  // a compound key are recorded (listIndexes reports them) but not used.
  std::vector<std::string> path;
  // Numbers the index's row prefix in each shard, unique within the
  // collection (so within each shard's epoch).
  uint32_t number = 0;
  // Some document gave this index more than one key (an array, or a path
  // through an array of documents); sticky, as in MongoDB. Bounds of several
  // predicates on the field can only be intersected while it is false.
  bool multikey = false;
};

// One dataset's part of a collection.
struct CatalogShard {
  storage::DatasetId dataset{};
  uint64_t epoch = 0;
  client::BTreeDescriptor primary;
  // Parallel to the collection's indexes: a "btree" index's tree in this
  // shard, none for an "ore" one. The rows an ore index will keep (node-side
  // scans, not built yet) get their prefix per shard from (epoch, number),
  // as the trees' do, so nothing here needs to change for them.
  std::vector<std::optional<client::BTreeDescriptor>> trees;
  // Key and value bytes of the rows the store keeps in the dataset for this
  // shard (documents, buckets, garbage not yet erased); the catalog row is
  // not included. metered_rows.h says how it is counted.
  uint64_t stored_bytes = 0;
  // False only for a shard read from a format-1 catalog: stored_bytes is
  // unknown until the store measures it.
  bool measured = true;
};

struct CatalogCollection {
  Namespace ns;
  // Keyed by its datasets' own keys, as before per-collection keys
  // (collection_keys.h): read from a format 1 or 2 catalog. No descriptor
  // row; it cannot be shared.
  bool dataset_keys = false;
  // The key and value bytes of its descriptor row as last put (0 for none),
  // which its first shard's dataset holds beside the shard's rows.
  uint64_t descriptor_bytes = 0;
  // Numbers each document row ever written, so a replaced document goes to
  // a fresh row and the old one stays intact until the new state is committed.
  uint64_t next_version = 0;
  uint32_t next_index = 0;
  std::vector<CatalogIndex> indexes;
  std::vector<CatalogShard> shards;  // at least one; inserts go to the last
};

struct Catalog {
  // One more each time the store writes the catalog: what a CatalogAnchor
  // (encrypted_store.h) compares, to tell a node serving an older catalog.
  uint64_t generation = 0;
  std::map<Namespace, CatalogCollection> collections;
  std::map<storage::DatasetId, uint64_t> next_epoch;

  // The collection and shard index in `dataset`, if a shard is there.
  std::optional<std::pair<Namespace, size_t>> shard_in(const storage::DatasetId& dataset) const;

  Document to_document() const;
  // Format 2. Every shard must be measured.
  // kMalformed naming the field for anything outside the formats above,
  // including a dataset holding two shards.
  static Result<Catalog> from_document(const Document& document);
};

// What a receiver of a collection's key reads: the collection's catalog
// entry, in the row descriptor_row_key() (collection_keys.h) of its first
// shard's dataset, sealed with RowCipher::encrypt_row under the collection
// key's row cipher. Version 1:
//   {v: 1,
//    generation: long,   // the catalog generation that last changed the collection
//    collection: {...}}  // the catalog's entry (format 3) for it, except
//                        // descriptorBytes, and with every shard's bytes 0:
//                        // the owner's accounting, of no use to a receiver
// The owner rewrites it in the commit that changes the collection and erases
// it with the collection; a receiver refuses one older than a generation it
// has seen. Nothing anchors it outside the nodes: a receiver opening afresh
// can be served an older, consistent state of the collection (never a wrong
// one: the trees still verify every row against it).
inline constexpr int32_t kDescriptorFormatVersion = 1;

struct CollectionDescriptor {
  uint64_t generation = 0;
  CatalogCollection collection;

  Document to_document() const;
  // kMalformed naming the field, as for the catalog, and for a collection
  // not keyed by its own key.
  static Result<CollectionDescriptor> from_document(const Document& document);
};

}  // namespace fluence::gateway
