// Threshold proxy re-encryption: how a Client shares a Dataset's keys with a
// receiver through Cluster Nodes that never see them (whitepaper, "Proxy
// Re-Encryption Key").
//
// The scheme is Umbral: D. Nuñez, "Umbral: A Threshold Proxy Re-Encryption
// Scheme" (NuCypher, 2018), on the ristretto255 group through libsodium. The
// roles:
//   - the owner (delegator, key pair a, A = a·G) encapsulates a fresh
//     symmetric key to A: a Capsule (E, V, s) and the key K = KDF(a·(E + V));
//   - the owner splits a re-encryption key towards a receiver (B = b·G) into
//     n KeyFrags, any m of which suffice, signed with its Ed25519 key;
//   - each proxy turns the Capsule into a CapsuleFrag with its KeyFrag and
//     proves, without revealing its share, that it did so honestly;
//   - the receiver checks m CapsuleFrags and opens K with b.
// Deviations from the paper: KeyFrags are authorised by an Ed25519 signature
// (as in NuCypher's later pyUmbral) instead of the paper's Schnorr pair, and
// the signature also covers the threshold, so the receiver learns m from the
// fragments and "too few" is an error rather than a wrong key.
//
// Security notes:
//   - A proxy holds rk_i = f(x_i), a Shamir share of a·d⁻¹, where d hashes a
//     Diffie-Hellman value between a per-delegation precursor X_A and B.
//     Without b a proxy cannot compute d nor its own x_i, so even all n
//     proxies together can compute neither a nor K (under the DH
//     assumptions Umbral rests on): they can only re-encrypt towards B.
//   - m proxies colluding with the receiver recover a, the delegator's
//     secret key (inherent to Umbral). Use a dedicated delegation key per
//     shared Dataset or row subtree (the whitepaper's "tree of private
//     keys"), never a key that protects anything else. Fewer than m
//     proxies with the receiver hold fewer than m shares of a·d⁻¹, which
//     (Shamir) say nothing about it.
//   - A Capsule is only checked for validity, s·G == V + h(E, V)·E, which
//     shows its maker knew the logarithms of E and V and stops a proxy from
//     being used on mauled capsules. There is no other CCA protection: who
//     made a capsule and what it protects are not authenticated here, so
//     bind the encoded capsule as associated data of the AEAD that uses K.
//   - Revocation is not cryptographic: a proxy can keep its KeyFrag after
//     the owner asks it to forget it (whitepaper, "Denial of Remove"); the
//     Cluster's consensus has to ignore such a proxy.
//   - Every hash to a scalar or point has its own "fluence/pre/..." label.
//     All randomness comes from the caller's env::Random (model/ has none of
//     its own), so a simulation stays a function of its seed; the runtime
//     must pass a stream seeded from the OS. A stream must never repeat: a
//     proxy that re-encrypts two capsules with the same τ publishes its
//     share rk = (ρ − ρ') / (c − c'), and a repeated (r, u) repeats K.
#pragma once

#include <array>
#include <span>
#include <utility>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/codec/codec.h"
#include "model/crypto/secret.h"
#include "model/crypto/sign.h"
#include "model/env/random.h"

namespace fluence::crypto::pre {

inline constexpr size_t kPointBytes = 32;
inline constexpr size_t kScalarBytes = 32;
inline constexpr size_t kKeyFragIdBytes = 32;
inline constexpr size_t kSymmetricKeyBytes = 32;
// Shares per delegation; bounds the Lagrange loop and fits the wire's u8.
inline constexpr size_t kMaxShares = 255;

// Keys of this scheme are ristretto255 Points; `PublicKey` below is always
// the signer's Ed25519 key (sign.h).
//
// A ristretto255 element in its canonical 32-byte encoding. Decoders accept
// only valid, canonical, non-identity encodings; every operation re-checks
// validity (libsodium decodes its inputs each time) and fails on an
// identity result, so a hand-made Point gives an error, never a wrong key.
struct Point {
  std::array<uint8_t, kPointBytes> bytes{};
  auto operator<=>(const Point&) const = default;
  ByteView view() const { return bytes; }
};

// A public scalar modulo the group order ℓ, little-endian, fully reduced.
struct Scalar {
  std::array<uint8_t, kScalarBytes> bytes{};
  bool operator==(const Scalar&) const = default;
  ByteView view() const { return bytes; }
};

// Checks untrusted bytes: a canonical encoding of a valid element other than
// the identity (an identity would only ever come from a degenerate input).
Result<Point> point_from_bytes(ByteView bytes);

// K: usable directly as an AeadKey (model/crypto/aead.h).
using SymmetricKey = Secret<kSymmetricKeyBytes>;

class KeyPair {
 public:
  // The secret scalar is hash-to-scalar of the seed: a simulated node's
  // keys follow from its seed.
  static KeyPair from_seed(const Secret<32>& seed);
  static KeyPair generate(env::Random& random);

  const Point& public_key() const { return public_key_; }
  const Secret<kScalarBytes>& secret_scalar() const { return secret_scalar_; }
  KeyPair clone() const;

 private:
  KeyPair() = default;
  Secret<kScalarBytes> secret_scalar_;
  Point public_key_;
};

// Encapsulation of K to the owner's key: E = r·G, V = u·G, s = u + r·h(E, V).
struct Capsule {
  Point e;
  Point v;
  Scalar s;

  bool operator==(const Capsule&) const = default;
  void encode(codec::Writer& writer) const;
  static Capsule decode(codec::Reader& reader);
};

struct Encapsulation {
  Capsule capsule;
  SymmetricKey key;
};

// Fails only if `owner` is not a valid element.
Result<Encapsulation> encapsulate(const Point& owner, env::Random& random);
// kAuthentication when the validity check fails, kInvalidArgument for a
// degenerate element.
Status verify_capsule(const Capsule& capsule);
Result<SymmetricKey> decapsulate(const KeyPair& owner, const Capsule& capsule);

using KeyFragId = std::array<uint8_t, kKeyFragIdBytes>;

// The public part of one share, signed by the delegator and carried from the
// KeyFrag into every CapsuleFrag made with it, so that the receiver checks
// the very signature the proxy checked. The signature also covers the
// delegator's and receiver's keys, which both verifiers know already.
struct ShareAuthorisation {
  KeyFragId id{};
  uint8_t threshold = 0;  // m, 1..kMaxShares
  Point precursor;        // X_A: one per generate_kfrags call
  Point commitment;       // U1 = rk·U
  Signature signature;

  bool operator==(const ShareAuthorisation&) const = default;
  Bytes signed_bytes(const Point& delegator, const Point& receiver) const;
  bool signature_valid(const Point& delegator, const Point& receiver,
                       const PublicKey& signer) const;
  void encode(codec::Writer& writer) const;
  static ShareAuthorisation decode(codec::Reader& reader);
};

// A proxy's share of the re-encryption key. rk is secret: with m of them and
// b, the receiver (or anyone holding b) recovers the delegator's key.
struct KeyFrag {
  ShareAuthorisation share;
  Secret<kScalarBytes> rekey;  // rk = f(x), reduced

  KeyFrag clone() const { return KeyFrag{share, rekey.clone()}; }
  void encode(codec::Writer& writer) const;
  static KeyFrag decode(codec::Reader& reader);
};

// m-of-n split of the delegator's key towards `receiver`, each share
// authorised by `signer`. Fails unless 1 <= threshold <= shares <=
// kMaxShares and `receiver` is a valid element.
Result<std::vector<KeyFrag>> generate_kfrags(const KeyPair& delegator, const Point& receiver,
                                             const SigningKey& signer, size_t threshold,
                                             size_t shares, env::Random& random);

// What a proxy checks once, on receiving a KeyFrag: the signature, and that
// rk matches the signed commitment (else its CapsuleFrags would not verify).
Status verify_kfrag(const KeyFrag& kfrag, const Point& delegator, const Point& receiver,
                    const PublicKey& signer);

// Chaum-Pedersen proof, made non-interactive by Fiat-Shamir, that E1 = rk·E,
// V1 = rk·V and U1 = rk·U for one rk: ρ = τ + c·rk with c = h(E, E1, E2,
// V, V1, V2, U, U1, U2, share).
struct ReencryptionProof {
  Point e2;  // τ·E
  Point v2;  // τ·V
  Point u2;  // τ·U
  Scalar rho;

  bool operator==(const ReencryptionProof&) const = default;
};

struct CapsuleFrag {
  Point e1;  // rk·E
  Point v1;  // rk·V
  ShareAuthorisation share;
  ReencryptionProof proof;

  bool operator==(const CapsuleFrag&) const = default;
  void encode(codec::Writer& writer) const;
  static CapsuleFrag decode(codec::Reader& reader);
};

// Done by a proxy; checks the capsule first so an invalid one is never
// re-encrypted.
Result<CapsuleFrag> reencrypt(const KeyFrag& kfrag, const Capsule& capsule, env::Random& random);

// A CapsuleFrag checked against one capsule and key set. Only verify_cfrag
// makes one, so decrypt_reencrypted cannot be handed an unchecked fragment.
class VerifiedCapsuleFrag {
 public:
  const CapsuleFrag& cfrag() const { return cfrag_; }
  const Capsule& capsule() const { return capsule_; }
  const Point& delegator() const { return delegator_; }
  const Point& receiver() const { return receiver_; }

 private:
  friend Result<VerifiedCapsuleFrag> verify_cfrag(const CapsuleFrag&, const Capsule&,
                                                  const Point&, const Point&, const PublicKey&);
  VerifiedCapsuleFrag(CapsuleFrag cfrag, Capsule capsule, Point delegator, Point receiver)
      : cfrag_(std::move(cfrag)), capsule_(capsule), delegator_(delegator), receiver_(receiver) {}
  CapsuleFrag cfrag_;
  Capsule capsule_;
  Point delegator_;
  Point receiver_;
};

// kAuthentication for a capsule that fails its check, a bad signature or a
// bad proof; kInvalidArgument for a degenerate element or a threshold of 0.
Result<VerifiedCapsuleFrag> verify_cfrag(const CapsuleFrag& cfrag, const Capsule& capsule,
                                         const Point& delegator, const Point& receiver,
                                         const PublicKey& signer);

// The receiver's side. Every fragment must have been verified for this
// capsule, delegator and receiver, come from one generate_kfrags call (one
// precursor and threshold) and have a distinct id; at least m are needed and
// the first m are used.
Result<SymmetricKey> decrypt_reencrypted(const KeyPair& receiver, const Point& delegator,
                                         const Capsule& capsule,
                                         std::span<const VerifiedCapsuleFrag> cfrags);

}  // namespace fluence::crypto::pre
