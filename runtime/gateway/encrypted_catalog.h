// What the encrypted store knows about its collections, and its one row.
//
// The catalog names each collection's dataset, its indexes (with their kind)
// and the descriptors of its B-trees. The descriptors are the roots of the
// Merkle trees (btree.h), so the catalog is what every read is verified
// against: the store rewrites it after each mutation, before the trees
// collect their garbage, and reads it back when it starts.
//
// Stored as a BSON document (format 1) sealed with RowCipher::encrypt_row
// under the FIRST dataset's keys, in the row kCatalogRowKey of that dataset:
//   {v: 1,
//    epochs: [{dataset: bin(32), next: long}],  // next epoch per dataset used
//    collections: [{db, name, dataset: bin(32), epoch: long, nextVersion: long,
//                   nextIndex: int, primary: bin(descriptor),
//                   indexes: [{spec: {key, name, unique}, number: int,
//                              multikey: bool, tree: bin(descriptor)   // btree only
//                             }]}]}
// A descriptor is its codec encoding (btree_bucket.h).
//
// The epoch is a collection's incarnation in its dataset: a dropped and
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
inline constexpr int32_t kCatalogFormatVersion = 1;
// MongoDB's limit on indexes per collection (its 64 include _id's).
inline constexpr size_t kMaxIndexesPerCollection = 63;

struct CatalogIndex {
  IndexSpec spec;
  // The index key's first field: what the tree orders by. Further fields of
  // a compound key are recorded (listIndexes reports them) but not used.
  std::vector<std::string> path;
  // Numbers the tree's row prefix, unique within the collection's epoch.
  uint32_t number = 0;
  // Some document gave this index more than one key (an array, or a path
  // through an array of documents); sticky, as in MongoDB. Bounds of several
  // predicates on the field can only be intersected while it is false.
  bool multikey = false;
  std::optional<client::BTreeDescriptor> tree;  // none for kind "ore"
};

struct CatalogCollection {
  Namespace ns;
  storage::DatasetId dataset{};
  uint64_t epoch = 0;
  // Numbers each document row ever written, so a replaced document goes to
  // a fresh row and the old one stays intact until the new state is committed.
  uint64_t next_version = 0;
  uint32_t next_index = 0;
  client::BTreeDescriptor primary;
  std::vector<CatalogIndex> indexes;
};

struct Catalog {
  std::map<Namespace, CatalogCollection> collections;
  std::map<storage::DatasetId, uint64_t> next_epoch;

  Document to_document() const;
  // kMalformed naming the field for anything outside the format above.
  static Result<Catalog> from_document(const Document& document);
};

}  // namespace fluence::gateway
