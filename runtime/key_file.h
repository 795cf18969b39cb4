// The node's identity on disk: its Ed25519 seed and id-puzzle nonce.
//
// Created on first start from OS entropy (solving the puzzle once) and
// written atomically (a temporary file, fsync, rename) with mode 0600.
#pragma once

#include <string>

#include "model/dht/identity.h"

namespace fluence::runtime {

// Loads the identity at `path`, or creates it there if the file is absent.
// A present but bad file is an error that names it: it is never replaced.
Result<dht::Identity> load_or_create_identity(const std::string& path, int difficulty);

}  // namespace fluence::runtime
