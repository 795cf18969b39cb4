// XChaCha20-Poly1305 (IETF construction) through libsodium.
//
// The 192-bit nonce is large enough to draw at random per message; transport
// frames instead use a counter, which also detects replay and reordering.
#pragma once

#include <array>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/crypto/secret.h"

namespace fluence::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 24;
inline constexpr size_t kAeadTagBytes = 16;

using AeadKey = Secret<kAeadKeyBytes>;
using AeadNonce = std::array<uint8_t, kAeadNonceBytes>;

// Returns ciphertext || tag (plaintext.size() + kAeadTagBytes bytes).
Bytes aead_seal(const AeadKey& key, const AeadNonce& nonce, ByteView associated_data,
                ByteView plaintext);
// Fails with kAuthentication on any tampering, truncation or wrong key.
Result<Bytes> aead_open(const AeadKey& key, const AeadNonce& nonce, ByteView associated_data,
                        ByteView sealed);

}  // namespace fluence::crypto
