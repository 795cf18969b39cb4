// The gateway's own account on the nodes' ledgers, for sharing: the
// Ed25519 key that receives, funds and pays (model/economy/ops.h), and the
// proxy re-encryption key pair a sharing contract re-encrypts towards
// (model/crypto/pre.h).
//
// Kept in a file of its own beside the key store, in the node key file's
// format (runtime/key_file.h: created on first start, mode 0600, never
// replaced when present but bad), because it is not a dataset's key: a
// gateway that only reads what others share has no dataset at all. The PRE
// key derives from the same seed under its own label:
//   pre seed = BLAKE2b-256("fluence/gateway/v1/share-pre" || Ed25519 seed)
// so the file is the whole identity and losing it loses access to every
// share made to it (the owner grants a new one).
#pragma once

#include <string>

#include "model/crypto/pre.h"
#include "model/crypto/sign.h"

namespace fluence::gateway {

struct GatewayIdentity {
  crypto::SigningKey account;
  crypto::pre::KeyPair pre;
};

// Loads the identity at `path`, or creates it there if the file is absent.
Result<GatewayIdentity> load_or_create_gateway_identity(const std::string& path);

}  // namespace fluence::gateway
