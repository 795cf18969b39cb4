// The client's key store: one key set per dataset, kept encrypted at rest.
//
// The white paper's client "performs key pairs management in private keys
// store" and asks the user to back that store up "in some cold dark place".
// Each dataset has a random root secret and the keys derived from it (see
// dataset_keys.h); the store seals the root secrets under a passphrase in the
// format of key_store_format.h, and a backup is that same format, possibly
// under another passphrase.
//
// A receiver also keeps here the subtree keys it was granted (grant.h, the
// key tree of key_tree.h), per (owner's dataset, path), sealed with the rest.
// The owner side keeps nothing per share: its node and delegation keys derive
// from the root secret, and the grants themselves are on chain with the
// Sharing Contract, which is where the list of what it shared lives.
//
// Like the rest of model/, the store does no I/O: seal() and export_datasets()
// produce bytes and open() and import() consume them. Writing them to disk
// atomically (temporary file, fsync, rename) is the gateway's job.
#pragma once

#include <map>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "model/base/status.h"
#include "model/client/dataset_keys.h"
#include "model/client/key_tree.h"
#include "model/client/key_store_format.h"
#include "model/env/random.h"

namespace fluence::client {

class KeyStore {
 public:
  KeyStore() = default;

  // Draws a fresh root secret from `random`. kInvalidArgument if the dataset
  // already has keys; kLimitExceeded once the store holds
  // kMaxKeyStoreDatasets. The pointer is valid until the dataset is removed or
  // the store destroyed.
  Result<const DatasetKeys*> create(const storage::DatasetId& dataset, env::Random& random);
  // nullptr if the store holds no keys for `dataset`.
  const DatasetKeys* find(const storage::DatasetId& dataset) const;
  // Forgets the dataset's keys: without a backup, its rows are then lost for
  // good. kNotFound if there were none.
  Status remove(const storage::DatasetId& dataset);
  // Ascending.
  std::vector<storage::DatasetId> list() const;
  size_t size() const { return datasets_.size(); }

  // Keeps a subtree key opened from a grant. Holding the same key again is
  // fine; kInvalidArgument if the store holds another key for the same
  // (dataset, path), as one of the two did not come from the owner;
  // kLimitExceeded once the store holds kMaxReceivedKeys.
  Status add_received(NodeKey key);
  // nullptr unless a key for exactly (dataset, path) was received.
  const NodeKey* find_received(const storage::DatasetId& dataset, const KeyPath& path) const;
  // kNotFound if there was none.
  Status remove_received(const storage::DatasetId& dataset, const KeyPath& path);
  // Ascending by dataset, then path.
  std::vector<std::pair<storage::DatasetId, KeyPath>> list_received() const;
  size_t received_size() const { return received_.size(); }
  // The deepest received key at or above `path` in `dataset`'s tree, i.e.
  // the one that gives `path`'s key with the fewest derivations; nullptr if
  // no grant covers `path`.
  const NodeKey* find_granted_ancestor(const storage::DatasetId& dataset,
                                       const KeyPath& path) const;
  // `path`'s key, derived from that ancestor; kNotFound if none covers it.
  Result<NodeKey> received_key_for(const storage::DatasetId& dataset, const KeyPath& path) const;

  // The whole store, sealed (see seal_key_store for the errors).
  Result<Bytes> seal(std::string_view passphrase, const PasswordHashLimits& limits,
                     env::Random& random) const;
  // A backup of some datasets, e.g. to hand one dataset to another device:
  // for each, its root secret if the store owns it and every key received
  // for it. kNotFound names the first dataset the store holds neither for; a
  // dataset named twice is exported once.
  Result<Bytes> export_datasets(std::span<const storage::DatasetId> datasets,
                                std::string_view passphrase, const PasswordHashLimits& limits,
                                env::Random& random) const;
  // The store in a sealed file (see open_sealed_key_store for the errors).
  static Result<KeyStore> open(ByteView sealed, std::string_view passphrase);
  // Merges a sealed backup (either format version) into the store and
  // returns how many datasets were new; received keys merge alike. A dataset
  // the store already holds under the same root secret, or a received key it
  // already holds, is skipped; one it holds under a different secret refuses
  // the whole import (kInvalidArgument naming it), as does going past
  // kMaxKeyStoreDatasets or kMaxReceivedKeys (kLimitExceeded): on any error
  // the store is unchanged.
  Result<size_t> import(ByteView backup, std::string_view passphrase);

 private:
  using ReceivedName = std::pair<storage::DatasetId, KeyPath>;

  std::map<storage::DatasetId, DatasetKeys> datasets_;
  std::map<ReceivedName, NodeKey> received_;
};

}  // namespace fluence::client
