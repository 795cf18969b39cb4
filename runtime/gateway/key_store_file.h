// The gateway's key store on disk: the model's sealed format
// (model/client/key_store_format.h) in one file, written atomically with
// mode 0600 (runtime/atomic_file.h), so a crash leaves the old store or the
// new one, never a torn file and never a lost key.
#pragma once

#include <string>
#include <vector>

#include "model/client/key_store.h"

namespace fluence::gateway {

// Opens the store at `path` under `passphrase`, or creates it if the file is
// absent, and gives every dataset in `datasets` keys (drawn from `random`),
// saving the file before returning if it created any: keys that encrypted a
// row must already be on disk. A wrong passphrase is kAuthentication; a
// present but unreadable file is an error that names it, never replaced.
Result<client::KeyStore> open_or_create_key_store(const std::string& path, std::string_view passphrase,
                                                  const std::vector<storage::DatasetId>& datasets,
                                                  const client::PasswordHashLimits& limits, env::Random& random);

// Writes `store` to `path`, sealed under `passphrase` (a backup: the same
// format, possibly under another passphrase).
Status save_key_store(const std::string& path, const client::KeyStore& store, std::string_view passphrase,
                      const client::PasswordHashLimits& limits, env::Random& random);

}  // namespace fluence::gateway
