#include "model/client/key_store.h"

#include <set>

namespace fluence::client {

namespace {

std::string dataset_name(const storage::DatasetId& dataset) { return "dataset " + to_hex(dataset); }

std::string received_name(const storage::DatasetId& dataset, const KeyPath& path) {
  return "received key of " + path.to_string() + " in " + dataset_name(dataset);
}

}  // namespace

Result<const DatasetKeys*> KeyStore::create(const storage::DatasetId& dataset,
                                            env::Random& random) {
  if (datasets_.contains(dataset)) {
    return Status::error(ErrorCode::kInvalidArgument, dataset_name(dataset) + " already has keys");
  }
  if (datasets_.size() >= kMaxKeyStoreDatasets) {
    return Status::error(
        ErrorCode::kLimitExceeded,
        "the key store holds " + std::to_string(kMaxKeyStoreDatasets) + " datasets, its maximum");
  }
  RootSecret root;
  random.fill(std::span<uint8_t>(root.data(), root.size()));
  auto [it, inserted] = datasets_.emplace(dataset, DatasetKeys(dataset, std::move(root)));
  FL_ASSERT(inserted);
  return &it->second;
}

const DatasetKeys* KeyStore::find(const storage::DatasetId& dataset) const {
  auto it = datasets_.find(dataset);
  return it == datasets_.end() ? nullptr : &it->second;
}

Status KeyStore::remove(const storage::DatasetId& dataset) {
  if (datasets_.erase(dataset) == 0) {
    return Status::error(ErrorCode::kNotFound, dataset_name(dataset) + " has no keys in the store");
  }
  return Status::ok();
}

std::vector<storage::DatasetId> KeyStore::list() const {
  std::vector<storage::DatasetId> out;
  out.reserve(datasets_.size());
  for (const auto& [dataset, keys] : datasets_) out.push_back(dataset);
  return out;
}

Status KeyStore::add_received(NodeKey key) {
  ReceivedName name{key.dataset(), key.path()};
  auto it = received_.find(name);
  if (it != received_.end()) {
    if (it->second.has_secret(key.secret())) return Status::ok();
    return Status::error(ErrorCode::kInvalidArgument,
                         received_name(name.first, name.second) +
                             " is in the store with a different secret");
  }
  if (received_.size() >= kMaxReceivedKeys) {
    return Status::error(ErrorCode::kLimitExceeded,
                         "the key store holds " + std::to_string(kMaxReceivedKeys) +
                             " received keys, its maximum");
  }
  received_.emplace(std::move(name), std::move(key));
  return Status::ok();
}

const NodeKey* KeyStore::find_received(const storage::DatasetId& dataset,
                                       const KeyPath& path) const {
  auto it = received_.find(ReceivedName{dataset, path});
  return it == received_.end() ? nullptr : &it->second;
}

Status KeyStore::remove_received(const storage::DatasetId& dataset, const KeyPath& path) {
  if (received_.erase(ReceivedName{dataset, path}) == 0) {
    return Status::error(ErrorCode::kNotFound,
                         received_name(dataset, path) + " is not in the store");
  }
  return Status::ok();
}

std::vector<std::pair<storage::DatasetId, KeyPath>> KeyStore::list_received() const {
  std::vector<ReceivedName> out;
  out.reserve(received_.size());
  for (const auto& [name, key] : received_) out.push_back(name);
  return out;
}

const NodeKey* KeyStore::find_granted_ancestor(const storage::DatasetId& dataset,
                                               const KeyPath& path) const {
  // At most kMaxKeyPathDepth + 1 lookups, deepest first.
  for (size_t depth = path.depth() + 1; depth-- > 0;) {
    const NodeKey* key = find_received(dataset, path.prefix(depth));
    if (key != nullptr) {
      FL_ASSERT(key->path().covers(path));
      return key;
    }
  }
  return nullptr;
}

Result<NodeKey> KeyStore::received_key_for(const storage::DatasetId& dataset,
                                           const KeyPath& path) const {
  const NodeKey* ancestor = find_granted_ancestor(dataset, path);
  if (ancestor == nullptr) {
    return Status::error(ErrorCode::kNotFound, "no received key covers " + path.to_string() +
                                                   " in " + dataset_name(dataset));
  }
  return ancestor->descendant(path);
}

Result<Bytes> KeyStore::seal(std::string_view passphrase, const PasswordHashLimits& limits,
                             env::Random& random) const {
  KeyStoreContents contents;
  contents.datasets.reserve(datasets_.size());
  for (const auto& [dataset, keys] : datasets_) {
    contents.datasets.push_back(KeyStoreEntry{dataset, keys.root_secret().clone()});
  }
  contents.received.reserve(received_.size());
  for (const auto& [name, key] : received_) {
    contents.received.push_back(ReceivedKeyEntry{name.first, name.second, key.secret().clone()});
  }
  return seal_key_store(contents, passphrase, limits, random);
}

Result<Bytes> KeyStore::export_datasets(std::span<const storage::DatasetId> datasets,
                                        std::string_view passphrase,
                                        const PasswordHashLimits& limits,
                                        env::Random& random) const {
  // The format wants both sections ascending and once each, as the maps and
  // this set iterate.
  std::set<storage::DatasetId> chosen(datasets.begin(), datasets.end());
  KeyStoreContents contents;
  for (const storage::DatasetId& dataset : chosen) {
    const DatasetKeys* keys = find(dataset);
    if (keys != nullptr) {
      contents.datasets.push_back(KeyStoreEntry{dataset, keys->root_secret().clone()});
    }
    size_t received_before = contents.received.size();
    for (auto it = received_.lower_bound(ReceivedName{dataset, KeyPath()});
         it != received_.end() && it->first.first == dataset; ++it) {
      contents.received.push_back(
          ReceivedKeyEntry{dataset, it->first.second, it->second.secret().clone()});
    }
    if (keys == nullptr && contents.received.size() == received_before) {
      return Status::error(ErrorCode::kNotFound,
                           dataset_name(dataset) + " has no keys in the store to export");
    }
  }
  return seal_key_store(contents, passphrase, limits, random);
}

Result<KeyStore> KeyStore::open(ByteView sealed, std::string_view passphrase) {
  Result<KeyStoreContents> contents = open_sealed_key_store(sealed, passphrase);
  if (!contents) return contents.status();
  KeyStore store;
  for (KeyStoreEntry& entry : contents->datasets) {
    auto [it, inserted] =
        store.datasets_.emplace(entry.dataset, DatasetKeys(entry.dataset, std::move(entry.root)));
    FL_ASSERT(inserted);  // the decoder refuses repeats
  }
  for (ReceivedKeyEntry& entry : contents->received) {
    auto [it, inserted] = store.received_.emplace(
        ReceivedName{entry.dataset, entry.path},
        NodeKey(entry.dataset, entry.path, std::move(entry.key)));
    FL_ASSERT(inserted);  // the decoder refuses repeats
  }
  return store;
}

Result<size_t> KeyStore::import(ByteView backup, std::string_view passphrase) {
  Result<KeyStoreContents> contents = open_sealed_key_store(backup, passphrase);
  if (!contents) return contents.status().with_context("import");
  // Every check before the first change, so that a refused import leaves the
  // store as it was.
  size_t added = 0;
  for (const KeyStoreEntry& entry : contents->datasets) {
    const DatasetKeys* existing = find(entry.dataset);
    if (existing == nullptr) {
      ++added;
    } else if (!existing->has_root(entry.root)) {
      return Status::error(ErrorCode::kInvalidArgument,
                           "import: " + dataset_name(entry.dataset) +
                               " is in the store under a different root secret");
    }
  }
  if (datasets_.size() + added > kMaxKeyStoreDatasets) {
    return Status::error(ErrorCode::kLimitExceeded, "import: " + std::to_string(added) +
                                                        " new datasets would take the store past " +
                                                        std::to_string(kMaxKeyStoreDatasets));
  }
  size_t received_added = 0;
  for (const ReceivedKeyEntry& entry : contents->received) {
    const NodeKey* existing = find_received(entry.dataset, entry.path);
    if (existing == nullptr) {
      ++received_added;
    } else if (!existing->has_secret(entry.key)) {
      return Status::error(ErrorCode::kInvalidArgument,
                           "import: " + received_name(entry.dataset, entry.path) +
                               " is in the store with a different secret");
    }
  }
  if (received_.size() + received_added > kMaxReceivedKeys) {
    return Status::error(ErrorCode::kLimitExceeded,
                         "import: " + std::to_string(received_added) +
                             " new received keys would take the store past " +
                             std::to_string(kMaxReceivedKeys));
  }
  for (KeyStoreEntry& entry : contents->datasets) {
    if (datasets_.contains(entry.dataset)) continue;
    datasets_.emplace(entry.dataset, DatasetKeys(entry.dataset, std::move(entry.root)));
  }
  for (ReceivedKeyEntry& entry : contents->received) {
    ReceivedName name{entry.dataset, entry.path};
    if (received_.contains(name)) continue;
    received_.emplace(std::move(name), NodeKey(entry.dataset, entry.path, std::move(entry.key)));
  }
  FL_ASSERT(datasets_.size() <= kMaxKeyStoreDatasets && received_.size() <= kMaxReceivedKeys);
  return added;
}

}  // namespace fluence::client
