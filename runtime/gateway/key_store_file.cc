#include "runtime/gateway/key_store_file.h"

#include "runtime/atomic_file.h"

namespace fluence::gateway {

Status save_key_store(const std::string& path, const client::KeyStore& store, std::string_view passphrase,
                      const client::PasswordHashLimits& limits, env::Random& random) {
  Result<Bytes> sealed = store.seal(passphrase, limits, random);
  if (!sealed) return sealed.status().with_context(path);
  return runtime::write_file_atomically(path, *sealed);
}

Result<client::KeyStore> open_or_create_key_store(const std::string& path, std::string_view passphrase,
                                                  const std::vector<storage::DatasetId>& datasets,
                                                  const client::PasswordHashLimits& limits, env::Random& random) {
  client::KeyStore store;
  Result<Bytes> sealed = runtime::read_file(path);
  if (sealed) {
    Result<client::KeyStore> opened = client::KeyStore::open(*sealed, passphrase);
    if (!opened) return opened.status().with_context(path);
    store = std::move(*opened);
  } else if (sealed.status().code() != ErrorCode::kNotFound) {
    return sealed.status();
  }
  bool created = !sealed;
  for (const storage::DatasetId& dataset : datasets) {
    if (store.find(dataset) != nullptr) continue;
    Result<const client::DatasetKeys*> keys = store.create(dataset, random);
    if (!keys) return keys.status();
    created = true;
  }
  if (created) FL_RETURN_IF_ERROR(save_key_store(path, store, passphrase, limits, random));
  return store;
}

}  // namespace fluence::gateway
