// Sealing a proxy's re-encryption key fragment to that proxy, so that a
// sharing contract (share.h) can carry every node's KeyFrag in the clear on
// the cluster chain while only its node can open it.
//
// Construction: an ECIES-style KEM/DEM in the manner of libsodium's sealed
// box, keyed to the node's existing Ed25519 identity rather than to a second
// key it would have to publish:
//   holder's X25519 key  P = ed25519_pk_to_curve25519(node key)
//   ephemeral            e (32 random bytes from the caller's env::Random),
//                        E = X25519(e, 9)
//   shared               S = X25519(e, P)   (all-zero S is refused)
//   key                  K = BLAKE2b-256("fluence/economy/share-seal",
//                                        S, E, P)
//   box                  XChaCha20-Poly1305(K, nonce 0, ad, KeyFrag bytes)
// The nonce is constant because K is used for exactly one message: a fresh
// e gives a fresh K. The node recomputes S = X25519(p, E) from its Ed25519
// seed (p = the clamped first half of SHA-512(seed), as libsodium's
// ed25519_sk_to_curve25519 derives it).
//
// Why the identity key and not a per-node key-exchange key: the storage
// contract already names each node by its Ed25519 key and every node signed
// it, so the owner seals to exactly the keys the chain vouches for, with no
// second key to distribute, rotate or authenticate. Using one key pair for
// Ed25519 signatures and an X25519 KEM is proven jointly secure (E. Thormarker,
// "On using the same key pair for Ed25519 and an X25519 based KEM", IACR
// ePrint, 2021); the domain label keeps K from being any other protocol's
// key. What it does not give: forward secrecy (a node key stolen later opens
// every fragment ever sealed to it, and the chain keeps them all), nor
// sender authentication (the owner's signature over the whole OpenShare
// provides that).
//
// This belongs with model/crypto/ in spirit; it lives here because the
// sharing contract is its only user.
#pragma once

#include <array>

#include "model/crypto/aead.h"
#include "model/crypto/pre.h"
#include "model/crypto/sign.h"
#include "model/env/random.h"

namespace fluence::economy {

namespace pre = crypto::pre;

// A KeyFrag's encoding: ShareAuthorisation (id, threshold, precursor,
// commitment, signature) and the re-key scalar.
inline constexpr size_t kKeyFragBytes =
    pre::kKeyFragIdBytes + 1 + 2 * pre::kPointBytes + crypto::kSignatureBytes + pre::kScalarBytes;
inline constexpr size_t kSealEphemeralBytes = 32;
inline constexpr size_t kSealedKeyFragBoxBytes = kKeyFragBytes + crypto::kAeadTagBytes;

// Fixed-size, so its encoding is canonical without further checks.
struct SealedKeyFrag {
  std::array<uint8_t, kSealEphemeralBytes> ephemeral{};  // E
  std::array<uint8_t, kSealedKeyFragBoxBytes> box{};     // ciphertext || tag

  bool operator==(const SealedKeyFrag&) const = default;
  void encode(codec::Writer& writer) const;
  static SealedKeyFrag decode(codec::Reader& reader);
};

// Seals `kfrag` to the node `holder`, binding `associated_data` (the
// fragment's place in its contract). Fails (kInvalidArgument) only if
// `holder` is not a valid Ed25519 point.
Result<SealedKeyFrag> seal_keyfrag(const crypto::PublicKey& holder, ByteView associated_data,
                                   const pre::KeyFrag& kfrag, env::Random& random);

// Opens a fragment sealed to `holder`'s public key. kAuthentication when the
// box was not sealed to this key or with this associated data, or was
// altered; kMalformed when it opens to something that is not a KeyFrag.
Result<pre::KeyFrag> open_keyfrag(const crypto::SigningKey& holder, ByteView associated_data,
                                  const SealedKeyFrag& sealed);

}  // namespace fluence::economy
