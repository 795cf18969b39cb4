// The keys one collection of the encrypted store uses, all derived from one
// node of its key tree, so that the owner can share exactly one collection
// (whitepaper, "Proxy Re-Encryption Key": "a tree of Private Keys ... the
// Client can share just the required amount of data").
//
// The collection's key K_c is the node [db, collection name] in the key tree
// (model/client/key_tree.h) of the dataset holding the collection's FIRST
// shard: node_key(that dataset's keys, [db, name]). Every key of every shard
// derives from K_c, in dataset_keys.h's framing with K_c's secret as the key
// and the shard's dataset id bound in:
//
//   subkey(label, d) = BLAKE2b-256(key = K_c, message = len(label) (1 byte) || label || d)
//
//   key                        derivation                                  seals or names
//   document rows              K_c's row key (key_tree.h "tree-row"),      "d" rows, encrypt_document,
//                              key id K_c's row key id                     bound to shard dataset d
//   row names                  subkey(kCollectionRowNameLabel, d)          "d" and "o" row names (PRF)
//   B-tree buckets             subkey(kCollectionBucketLabel, d),          "p" and "i" rows (btree.h)
//                              key id K_c's row key id
//   ORE seed                   subkey(kCollectionOreLabel, d), then per    "o" rows' right and left
//                              index kOreIndexLabel (encrypted_store.h)     ciphertexts
//   descriptor row name        "c" || BLAKE2b-256(key = subkey(            the descriptor row, in the
//                              kCollectionDescriptorLabel, first dataset),  first shard's dataset
//                              message = "descriptor")
//   descriptor row             K_c's row cipher (first dataset)            encrypt_row
//
// Why K_c's own row key for documents, not a child's: key_tree.h reserves a
// node's secret for deriving and seals rows under its row key, which is what
// this is; the row cipher's associated data (kind, dataset, key id, row name)
// already keeps documents, the descriptor row and the shards apart. A child
// per document ([db, name, _id]) would cost three hashes per document read
// and give nothing yet: a receiver of one document still could not find its
// row, whose name is a PRF under the collection's name key. Per-document
// sharing, when it comes, moves documents to such children under a new key
// id, which the associated data names.
//
// The row cipher binds each row to its shard's dataset, so one document key
// serves every shard; the other keys bind the dataset into their derivation
// so that no two shards share a PRF or an ORE key, as no two datasets did.
//
// A collection from a catalog before per-collection keys keeps its datasets'
// own keys (for_dataset): the same keys it was written with. It cannot be
// shared; copying it into a new collection makes one that can.
#pragma once

#include <string_view>

#include "model/client/dataset_keys.h"
#include "model/client/key_tree.h"
#include "model/client/row_cipher.h"
#include "model/crypto/secret.h"
#include "runtime/gateway/documents.h"

namespace fluence::gateway {

inline constexpr std::string_view kCollectionRowNameLabel = "fluence/gateway/v1/collection-row-name";
inline constexpr std::string_view kCollectionBucketLabel = "fluence/gateway/v1/collection-btree";
inline constexpr std::string_view kCollectionOreLabel = "fluence/gateway/v1/collection-ore";
inline constexpr std::string_view kCollectionDescriptorLabel = "fluence/gateway/v1/collection-descriptor";
// Before per-collection keys: the row-name key from the dataset's root secret.
inline constexpr std::string_view kDocumentRowLabel = "fluence/gateway/v1/document-row";

// The keys of one shard of a collection. Move-only, as its secrets are.
struct ShardKeys {
  client::RowCipher documents;
  crypto::Secret<32> row_names;
  crypto::AeadKey bucket_key;
  client::KeyId bucket_key_id{};
  crypto::Secret<32> ore_seed;

  // A fresh cipher for one tree's buckets (a BTree keeps its own).
  client::RowCipher bucket_cipher(const storage::DatasetId& dataset) const;

  // The shard in `dataset` of the collection whose key is `collection`.
  static ShardKeys of_collection(const client::NodeKey& collection, const storage::DatasetId& dataset);
  // A collection written before per-collection keys, in `keys`' dataset.
  static ShardKeys of_dataset(const client::DatasetKeys& keys);
};

// [db, collection name]: a namespace's path in its first dataset's key tree.
// kInvalidArgument for a part outside a path segment's bounds (a namespace
// make_namespace accepted never is).
Result<client::KeyPath> collection_path(const Namespace& ns);
// The owner's side: K_c from the first shard's dataset keys; errors as above.
Result<client::NodeKey> collection_key(const client::DatasetKeys& first_dataset, const Namespace& ns);
// The descriptor row's key: "c" || PRF (see above), in K_c's dataset.
Bytes descriptor_row_key(const client::NodeKey& collection);

}  // namespace fluence::gateway
