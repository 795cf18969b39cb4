#include "runtime/gateway/collection_keys.h"

#include <sodium.h>

#include "runtime/gateway/encrypted_rows.h"

namespace fluence::gateway {
namespace {

// dataset_keys.h's framing, keyed by `key`.
crypto::Secret<32> subkey(const uint8_t* key, size_t key_bytes, std::string_view label,
                          const storage::DatasetId& dataset) {
  FL_ASSERT(!label.empty() && label.size() <= 255);
  crypto_generichash_state state;
  int rc = crypto_generichash_init(&state, key, key_bytes, 32);
  FL_ASSERT(rc == 0);
  uint8_t length = static_cast<uint8_t>(label.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, as_bytes(label).data(), label.size());
  crypto_generichash_update(&state, dataset.data(), dataset.size());
  crypto::Secret<32> out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

crypto::Secret<32> subkey(const client::NodeKey& collection, std::string_view label,
                          const storage::DatasetId& dataset) {
  return subkey(collection.secret().data(), collection.secret().size(), label, dataset);
}

}  // namespace

client::RowCipher ShardKeys::bucket_cipher(const storage::DatasetId& dataset) const {
  return client::RowCipher(dataset, bucket_key_id, bucket_key.clone());
}

ShardKeys ShardKeys::of_collection(const client::NodeKey& collection, const storage::DatasetId& dataset) {
  return ShardKeys{client::RowCipher(dataset, collection.row_key_id(), collection.row_key()),
                   subkey(collection, kCollectionRowNameLabel, dataset),
                   subkey(collection, kCollectionBucketLabel, dataset), collection.row_key_id(),
                   subkey(collection, kCollectionOreLabel, dataset)};
}

ShardKeys ShardKeys::of_dataset(const client::DatasetKeys& keys) {
  // Exactly the keys the store used before per-collection keys.
  return ShardKeys{client::RowCipher::for_dataset(keys),
                   subkey(keys.root_secret().data(), keys.root_secret().size(), kDocumentRowLabel, keys.dataset()),
                   keys.btree_key().clone(), keys.row_key_id(), keys.index_key().clone()};
}

Result<client::KeyPath> collection_path(const Namespace& ns) {
  Result<client::KeyPath> path = client::KeyPath::from_strings({ns.db, ns.collection});
  if (!path) return path.status().with_context("the key path of " + ns.full());
  return path;
}

Result<client::NodeKey> collection_key(const client::DatasetKeys& first_dataset, const Namespace& ns) {
  Result<client::KeyPath> path = collection_path(ns);
  if (!path) return path.status();
  return client::node_key(first_dataset, *path);
}

Bytes descriptor_row_key(const client::NodeKey& collection) {
  crypto::Secret<32> key = subkey(collection, kCollectionDescriptorLabel, collection.dataset());
  constexpr std::string_view kMessage = "descriptor";
  Bytes row{kDescriptorRowTag};
  row.resize(1 + kRowNameBytes);
  int rc = crypto_generichash(row.data() + 1, kRowNameBytes, as_bytes(kMessage).data(), kMessage.size(), key.data(),
                              key.size());
  FL_ASSERT(rc == 0);
  return row;
}

}  // namespace fluence::gateway
