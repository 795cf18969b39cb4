// The client's key store: one key set per dataset, kept encrypted at rest.
//
// The white paper's client "performs key pairs management in private keys
// store" and asks the user to back that store up "in some cold dark place".
// Each dataset has a random root secret and the keys derived from it (see
// dataset_keys.h); the store seals the root secrets under a passphrase in the
// format of key_store_format.h, and a backup is that same format, possibly
// under another passphrase.
//
// Like the rest of model/, the store does no I/O: seal() and export_datasets()
// produce bytes and open() and import() consume them. Writing them to disk
// atomically (temporary file, fsync, rename) is the gateway's job.
#pragma once

#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "model/base/status.h"
#include "model/client/dataset_keys.h"
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

  // The whole store, sealed (see seal_key_store for the errors).
  Result<Bytes> seal(std::string_view passphrase, const PasswordHashLimits& limits,
                     env::Random& random) const;
  // A backup of some datasets, e.g. to hand one dataset to another device.
  // kNotFound names the first dataset the store does not hold; a dataset
  // named twice is exported once.
  Result<Bytes> export_datasets(std::span<const storage::DatasetId> datasets,
                                std::string_view passphrase, const PasswordHashLimits& limits,
                                env::Random& random) const;
  // The store in a sealed file (see open_sealed_key_store for the errors).
  static Result<KeyStore> open(ByteView sealed, std::string_view passphrase);
  // Merges a sealed backup into the store and returns how many datasets were
  // new. A dataset the store already holds under the same root secret is
  // skipped; one it holds under a different root secret refuses the whole
  // import (kInvalidArgument naming the dataset), as does going past
  // kMaxKeyStoreDatasets (kLimitExceeded): on any error the store is unchanged.
  Result<size_t> import(ByteView backup, std::string_view passphrase);

 private:
  std::map<storage::DatasetId, DatasetKeys> datasets_;
};

}  // namespace fluence::client
