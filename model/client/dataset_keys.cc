#include "model/client/dataset_keys.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::client {

namespace {

crypto::Secret<32> derive_subkey(const RootSecret& root, std::string_view label,
                                 const storage::DatasetId& dataset) {
  crypto::ensure_sodium();
  FL_ASSERT(!label.empty() && label.size() < 256);
  crypto_generichash_state state;
  int rc = crypto_generichash_init(&state, root.data(), root.size(), 32);
  FL_ASSERT(rc == 0);
  uint8_t length = static_cast<uint8_t>(label.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, as_bytes(label).data(), label.size());
  crypto_generichash_update(&state, dataset.data(), dataset.size());
  crypto::Secret<32> subkey;
  crypto_generichash_final(&state, subkey.data(), subkey.size());
  // The state holds the root secret as BLAKE2b's keyed first block.
  crypto::wipe(&state, sizeof(state));
  return subkey;
}

KeyId derive_key_id(const RootSecret& root, const storage::DatasetId& dataset) {
  crypto::Secret<32> full = derive_subkey(root, kRowKeyIdLabel, dataset);
  KeyId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = full.data()[i];
  return id;
}

}  // namespace

DatasetKeys::DatasetKeys(const storage::DatasetId& dataset, RootSecret root)
    : dataset_(dataset),
      root_(std::move(root)),
      row_key_(derive_subkey(root_, kRowKeyLabel, dataset)),
      row_key_id_(derive_key_id(root_, dataset)),
      index_key_(derive_subkey(root_, kIndexKeyLabel, dataset)),
      btree_key_(derive_subkey(root_, kBtreeKeyLabel, dataset)),
      pre_seed_(derive_subkey(root_, kPreSeedLabel, dataset)),
      owner_(crypto::SigningKey::from_seed(derive_subkey(root_, kOwnerSeedLabel, dataset))),
      tree_key_(derive_subkey(root_, kTreeKeyLabel, dataset)) {}

bool DatasetKeys::has_root(const RootSecret& root) const {
  return sodium_memcmp(root_.data(), root.data(), root_.size()) == 0;
}

}  // namespace fluence::client
