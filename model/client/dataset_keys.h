// One dataset's keys: a random root secret and every key derived from it.
//
// The client keeps one 32-byte root secret per dataset (the key store seals
// and backs up only that) and derives each key it uses from it, so a restored
// backup yields exactly the keys the data was written with.
//
// Derivation, a compatibility contract: a change to a label or to the framing
// makes every stored row unreadable, so the tests pin it with a fixed vector.
//
//   subkey(label) = BLAKE2b-256(key     = root secret,
//                               message = len(label) (1 byte) || label || dataset id (32 bytes))
//
// Keyed BLAKE2b is a PRF (RFC 7693, section 2.5), and libsodium's crypto_kdf
// is the same construction with an 8-byte context and a 64-bit subkey id. We
// put the label in the message instead, so that a label can say what it is
// for and the dataset id is bound in: a root secret reused for two datasets (a
// mistaken import, a simulation seeded alike twice) still gives them unrelated
// keys.
//
//   label                           what it becomes                    used by
//   "fluence/client/v1/row"         XChaCha20-Poly1305 row key         row_cipher.h
//   "fluence/client/v1/row-key-id"  first 16 bytes: the row key's id   row_cipher.h
//   "fluence/client/v1/index"       order-revealing encryption key     model/crypto/ore.h
//   "fluence/client/v1/btree"       B-tree node key-encryption key     the encrypted index
//   "fluence/client/v1/pre"         proxy re-encryption key seed       model/crypto/pre.h
//   "fluence/client/v1/owner"       Ed25519 seed of the owner's key    model/crypto/sign.h
//   "fluence/client/v1/tree"        root of the tree of keys           key_tree.h
//
// The tree's own steps are keyed by a node's key, not by the root secret, and
// key_tree.h gives their framing; their labels are listed here so that every
// label of the client is in one table:
//   "fluence/client/v1/tree-node"        a child node's key            key_tree.h
//   "fluence/client/v1/tree-row"         a node's row key              key_tree.h
//   "fluence/client/v1/tree-row-key-id"  first 16 bytes: its key id    key_tree.h
//   "fluence/client/v1/tree-delegation"  a subtree's delegation seed   grant.h
//                                        (keyed by the "pre" seed)
//
// The key id is public: it names the row key in associated data and in
// messages without revealing it, as a PRF output under another label says
// nothing about the key itself.
#pragma once

#include <array>
#include <string_view>

#include "model/crypto/aead.h"
#include "model/crypto/secret.h"
#include "model/crypto/sign.h"
#include "model/storage/dataset.h"

namespace fluence::client {

inline constexpr size_t kRootSecretBytes = 32;
using RootSecret = crypto::Secret<kRootSecretBytes>;

inline constexpr size_t kKeyIdBytes = 16;
using KeyId = std::array<uint8_t, kKeyIdBytes>;

inline constexpr std::string_view kRowKeyLabel = "fluence/client/v1/row";
inline constexpr std::string_view kRowKeyIdLabel = "fluence/client/v1/row-key-id";
inline constexpr std::string_view kIndexKeyLabel = "fluence/client/v1/index";
inline constexpr std::string_view kBtreeKeyLabel = "fluence/client/v1/btree";
inline constexpr std::string_view kPreSeedLabel = "fluence/client/v1/pre";
inline constexpr std::string_view kOwnerSeedLabel = "fluence/client/v1/owner";
inline constexpr std::string_view kTreeKeyLabel = "fluence/client/v1/tree";
inline constexpr std::string_view kTreeNodeLabel = "fluence/client/v1/tree-node";
inline constexpr std::string_view kTreeRowKeyLabel = "fluence/client/v1/tree-row";
inline constexpr std::string_view kTreeRowKeyIdLabel = "fluence/client/v1/tree-row-key-id";
inline constexpr std::string_view kTreeDelegationLabel = "fluence/client/v1/tree-delegation";

// Move-only, as the secrets it holds are.
class DatasetKeys {
 public:
  // Derives every key from `root`: one Ed25519 key generation and seven hashes.
  DatasetKeys(const storage::DatasetId& dataset, RootSecret root);

  const storage::DatasetId& dataset() const { return dataset_; }
  const RootSecret& root_secret() const { return root_; }
  const crypto::AeadKey& row_key() const { return row_key_; }
  const KeyId& row_key_id() const { return row_key_id_; }
  const crypto::Secret<32>& index_key() const { return index_key_; }
  const crypto::AeadKey& btree_key() const { return btree_key_; }
  const crypto::Secret<32>& pre_seed() const { return pre_seed_; }
  const crypto::SigningKey& owner() const { return owner_; }
  // The key of the tree's root node (key_tree.h), from which every node's
  // key derives.
  const crypto::Secret<32>& tree_key() const { return tree_key_; }

  // Constant time, so that comparing a backup against the store leaks nothing
  // about either through timing.
  bool has_root(const RootSecret& root) const;

 private:
  storage::DatasetId dataset_;
  RootSecret root_;
  crypto::AeadKey row_key_;
  KeyId row_key_id_;
  crypto::Secret<32> index_key_;
  crypto::AeadKey btree_key_;
  crypto::Secret<32> pre_seed_;
  crypto::SigningKey owner_;
  crypto::Secret<32> tree_key_;
};

}  // namespace fluence::client
