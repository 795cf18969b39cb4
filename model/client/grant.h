// Share grants: how the owner hands one subtree of its key tree (key_tree.h)
// to a receiver through Cluster Nodes that never see the key (whitepaper,
// "Sharing Data Overview" and "Proxy Re-Encryption Key").
//
// The owner encapsulates a fresh K to the subtree's delegation key (pre.h),
// seals the subtree's node key under K, signs the lot, and splits kfrags from
// the delegation key towards the receiver; the grant and the kfrags go on
// chain with the Sharing Contract. The receiver asks m nodes to re-encrypt
// the grant's capsule, opens K from their cfrags, and K opens the node key,
// from which it derives the key of every row below the subtree and nothing
// else. The owner stores nothing per share: the delegation key and the node
// key derive from the dataset's keys, and the grants are on chain.
//
// One delegation key per subtree path, never the dataset's:
//   delegation seed(p) = BLAKE2b-256(key = DatasetKeys::pre_seed(),
//                                    message = len || "fluence/client/v1/tree-delegation"
//                                              || KeyPath encoding of p)
//   delegation key(p)  = pre::KeyPair::from_seed(delegation seed(p))
// pre.h warns that m proxies colluding with a receiver recover the
// delegator's secret key. With a key per subtree that secret opens only
// capsules of grants of that same subtree, i.e. a node key the receiver
// already holds; a dataset-wide delegation key would open every grant the
// owner ever made, the root's included. Receivers of one subtree share its
// delegation key, which costs nothing for the same reason.
//
// Grant, version 1 (codec encoding; it travels through nodes, so untrusted):
//   version          u8        1
//   dataset id       32 bytes  the owner's dataset
//   path             KeyPath encoding (key_tree.h), the shared subtree
//   delegator        32 bytes  ristretto255, the subtree's delegation key
//   capsule          96 bytes  pre::Capsule, K encapsulated to the delegator
//   sealed key       48 bytes  XChaCha20-Poly1305(key = K, nonce = 24 zero bytes,
//                                associated data = len || "fluence/client/v1/grant-key" || header,
//                                plaintext = the subtree's 32-byte node key)
//   signature        64 bytes  Ed25519 by DatasetKeys::owner() over
//                                len || "fluence/client/v1/grant" || header || sealed key
// where header = version || dataset id || path || delegator || capsule.
//
// The nonce is fixed because K is fresh per encapsulation and seals exactly
// one message. The capsule is associated data, as pre.h asks: a capsule
// moved to another grant does not open its key. The signature is what
// pre.h's capsule cannot give: anyone can encapsulate to the public
// delegation key, so without it a node could hand the receiver a grant of a
// key of its own making and then serve rows forged under that key. The
// owner's public key the receiver checks it with must come from the Sharing
// Contract, never from the grant or the node that served it.
#pragma once

#include <array>
#include <span>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/client/dataset_keys.h"
#include "model/client/key_tree.h"
#include "model/codec/codec.h"
#include "model/crypto/pre.h"
#include "model/crypto/sign.h"
#include "model/env/random.h"

namespace fluence::client {

inline constexpr uint8_t kGrantVersion = 1;
inline constexpr size_t kSealedNodeKeyBytes = kNodeKeyBytes + crypto::kAeadTagBytes;
inline constexpr size_t kMaxGrantBytes = 1 + storage::kDatasetIdBytes + kMaxKeyPathEncodedBytes +
                                         crypto::pre::kPointBytes + 2 * crypto::pre::kPointBytes +
                                         crypto::pre::kScalarBytes + kSealedNodeKeyBytes +
                                         crypto::kSignatureBytes;

struct Grant {
  storage::DatasetId dataset{};
  KeyPath path;
  crypto::pre::Point delegator;
  crypto::pre::Capsule capsule;
  std::array<uint8_t, kSealedNodeKeyBytes> sealed_key{};
  crypto::Signature signature;

  bool operator==(const Grant&) const = default;
  // What the owner signs: the grant without its signature, under a label.
  Bytes signed_bytes() const;
  // The decoder checks the version, the path's bounds, and that the
  // delegator and the capsule's points are canonical elements (kMalformed
  // naming the field); the signature and the capsule's validity are
  // open_grant's and the proxies' to check.
  void encode(codec::Writer& writer) const;
  static Grant decode(codec::Reader& reader);
};

// The delegation key of the subtree at `path` (see above).
crypto::Secret<32> delegation_seed(const DatasetKeys& keys, const KeyPath& path);
crypto::pre::KeyPair delegation_key(const DatasetKeys& keys, const KeyPath& path);

struct MadeGrant {
  Grant grant;
  // The owner splits kfrags towards the receiver from this, with
  // pre::generate_kfrags(delegation, receiver, keys.owner(), m, n, random).
  crypto::pre::KeyPair delegation;
};

// The owner's side. Fails only if encapsulation does (which a valid key pair
// never makes it do).
Result<MadeGrant> make_grant(const DatasetKeys& keys, const KeyPath& path, env::Random& random);

// The receiver's side, given K (pre::decrypt_reencrypted of the grant's
// capsule). kAuthentication if `owner` did not sign the grant, or if `key` is
// not the grant's K.
Result<NodeKey> open_grant(const Grant& grant, const crypto::PublicKey& owner,
                           const crypto::pre::SymmetricKey& key);

// The whole receiver's side from the nodes' answers: checks each cfrag
// against the grant's capsule and delegator, `receiver`'s key and the owner's
// signing key (kAuthentication naming the cfrag that fails), combines them
// into K (pre::decrypt_reencrypted's errors, e.g. fewer than the threshold)
// and opens the grant.
Result<NodeKey> receive_grant(const Grant& grant, const crypto::PublicKey& owner,
                              const crypto::pre::KeyPair& receiver,
                              std::span<const crypto::pre::CapsuleFrag> cfrags);

}  // namespace fluence::client
