// The dataset's state hash: a Merkle treap over (key, value hash) entries.
//
// A treap whose priorities are hashes of the keys has exactly one shape for a
// given key set (Seidel and Aragon, "Randomized search trees", 1996; used for
// authenticated dictionaries by e.g. Papamanthou et al.). So the root depends
// only on the contents, never on the order writes arrived in: every replica
// that applied the same journal prefix gets the same root, and a replica that
// caught up from a snapshot does too.
//
// Each node hashes its key, its value hash, its subtree's entry count and its
// children's hashes. Counts make the tree an order-statistic tree: entry i of
// the sorted contents can be found and opened in O(depth), and a proof binds
// the index as well as the content, which is what a proof-of-retrievability
// challenge on random indices needs. Expected depth is about 1.39 log2 n; an
// update rehashes one root-to-leaf path.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "model/base/bytes.h"
#include "model/codec/codec.h"
#include "model/crypto/hash.h"

namespace fluence::storage {

using crypto::Hash256;

// One step of an opening, from the opened node's parent up to the root.
struct ProofStep {
  bool from_left = false;  // the path came up from this ancestor's left child
  Bytes key;
  Hash256 value_hash{};
  Hash256 sibling_hash{};     // the ancestor's other child
  uint64_t sibling_count = 0;

  bool operator==(const ProofStep&) const = default;
  void encode(codec::Writer& writer) const;
  static ProofStep decode(codec::Reader& reader);
};

struct MerkleProof {
  Bytes key;
  Hash256 value_hash{};
  Hash256 left_hash{};
  uint64_t left_count = 0;
  Hash256 right_hash{};
  uint64_t right_count = 0;
  std::vector<ProofStep> path;  // parent first, root last

  bool operator==(const MerkleProof&) const = default;
  void encode(codec::Writer& writer) const;
  static MerkleProof decode(codec::Reader& reader);
};

// Limits for proofs that arrive from the network.
inline constexpr size_t kMaxProofDepth = 256;
inline constexpr size_t kMaxEntryKeyBytes = 1024;

class MerkleTreap {
 public:
  MerkleTreap();
  ~MerkleTreap();
  MerkleTreap(MerkleTreap&&) noexcept;
  MerkleTreap& operator=(MerkleTreap&&) noexcept;

  // Builds the tree from entries sorted by strictly increasing key in O(n),
  // hashing each node once (a Cartesian-tree construction), as a replica
  // rebuilding from its store does. Same root as inserting one by one.
  static MerkleTreap build_sorted(std::vector<std::pair<Bytes, Hash256>> entries);
  // A deep copy, without rehashing: O(n) time and memory.
  MerkleTreap clone() const;

  // Inserts or replaces the entry at `key`.
  void put(ByteView key, const Hash256& value_hash);
  // Returns false if there was no such key.
  bool erase(ByteView key);

  Hash256 root() const;
  uint64_t size() const;
  std::optional<Hash256> find(ByteView key) const;
  // The key of entry `index` in key order; index < size().
  Bytes key_at(uint64_t index) const;
  MerkleProof open(uint64_t index) const;
  int depth() const;  // longest root-to-leaf path, for tests and metrics

  static Hash256 empty_root();

 private:
  struct Node;
  // The textbook treap operations; each rehashes only the nodes on its path.
  static void split(std::unique_ptr<Node> node, ByteView key, std::unique_ptr<Node>& less,
                    std::unique_ptr<Node>& rest);
  static std::unique_ptr<Node> merge(std::unique_ptr<Node> a, std::unique_ptr<Node> b);
  static std::unique_ptr<Node> insert(std::unique_ptr<Node> node, std::unique_ptr<Node> fresh);
  std::unique_ptr<Node> root_;
};

// True if `proof` shows that entry `index` of a tree with `size` entries and
// root `root` has key proof.key and value hash proof.value_hash.
bool verify_proof(const Hash256& root, uint64_t size, uint64_t index, const MerkleProof& proof);

// The hash of a value as the treap stores it (domain-separated BLAKE2b).
Hash256 value_hash(ByteView value);

}  // namespace fluence::storage
