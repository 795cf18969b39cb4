#include "model/client/key_store.h"

#include <set>

namespace fluence::client {

namespace {

std::string dataset_name(const storage::DatasetId& dataset) { return "dataset " + to_hex(dataset); }

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

Result<Bytes> KeyStore::seal(std::string_view passphrase, const PasswordHashLimits& limits,
                             env::Random& random) const {
  std::vector<storage::DatasetId> all = list();
  return export_datasets(all, passphrase, limits, random);
}

Result<Bytes> KeyStore::export_datasets(std::span<const storage::DatasetId> datasets,
                                        std::string_view passphrase,
                                        const PasswordHashLimits& limits,
                                        env::Random& random) const {
  // The format wants datasets ascending and once each.
  std::set<storage::DatasetId> chosen(datasets.begin(), datasets.end());
  std::vector<KeyStoreEntry> entries;
  entries.reserve(chosen.size());
  for (const storage::DatasetId& dataset : chosen) {
    const DatasetKeys* keys = find(dataset);
    if (keys == nullptr) {
      return Status::error(ErrorCode::kNotFound,
                           dataset_name(dataset) + " has no keys in the store to export");
    }
    entries.push_back(KeyStoreEntry{dataset, keys->root_secret().clone()});
  }
  return seal_key_store(entries, passphrase, limits, random);
}

Result<KeyStore> KeyStore::open(ByteView sealed, std::string_view passphrase) {
  Result<std::vector<KeyStoreEntry>> entries = open_sealed_key_store(sealed, passphrase);
  if (!entries) return entries.status();
  KeyStore store;
  for (KeyStoreEntry& entry : *entries) {
    auto [it, inserted] =
        store.datasets_.emplace(entry.dataset, DatasetKeys(entry.dataset, std::move(entry.root)));
    FL_ASSERT(inserted);  // the decoder refuses repeats
  }
  return store;
}

Result<size_t> KeyStore::import(ByteView backup, std::string_view passphrase) {
  Result<std::vector<KeyStoreEntry>> entries = open_sealed_key_store(backup, passphrase);
  if (!entries) return entries.status().with_context("import");
  // Every check before the first change, so that a refused import leaves the
  // store as it was.
  size_t added = 0;
  for (const KeyStoreEntry& entry : *entries) {
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
  for (KeyStoreEntry& entry : *entries) {
    if (datasets_.contains(entry.dataset)) continue;
    datasets_.emplace(entry.dataset, DatasetKeys(entry.dataset, std::move(entry.root)));
  }
  FL_ASSERT(datasets_.size() <= kMaxKeyStoreDatasets);
  return added;
}

}  // namespace fluence::client
