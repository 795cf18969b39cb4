// Proofs of retrievability: challenges, responses, and the arbiter's verdict.
//
// Follows the spot-checking PoR of Ateniese et al. ("Provable data possession
// at untrusted stores", CCS 2007) and Juels and Kaliski ("PORs: proofs of
// retrievability for large files", CCS 2007), over the dataset's Merkle treap
// instead of homomorphic tags, because arbiters hold the chain but no data.
//
// Randomness: the challenge's salt is the hash of the arbiter's Ed25519
// signature over (dataset, tick, state root). Ed25519 signatures are
// deterministic, so the arbiter cannot grind the salt, and nobody in the
// cluster can predict it without the arbiter's key; anyone can check it.
//
// A challenge names c entry indices, drawn with replacement from the salt.
// Every replica answers each with the salted hash H(salt, index, value): the
// same on every honest replica, so an arbiter compares them across replicas.
// For s of the c indices, picked by H(salt, node key) and so different per
// node (the node's long-term key, which it cannot choose after seeing the salt), the replica also returns the entry and its Merkle opening, which an
// arbiter verifies alone against the root on chain. A node that lost the
// entries must fetch them from a peer to answer the openings, which the
// response deadline (the contract's max response time) catches.
//
// Detection: a replica missing a fraction f of its entries answers at least
// one index wrongly with probability 1 - (1 - f)^c.
// Limits: a colluding majority of replicas can agree on wrong salted hashes;
// the openings still catch them with probability 1 - (1 - f)^s each.
#pragma once

#include <optional>
#include <vector>

#include "model/codec/codec.h"
#include "model/crypto/sign.h"
#include "model/storage/dataset.h"

namespace fluence::por {

inline constexpr size_t kMaxChallengedChunks = 4096;
inline constexpr size_t kMaxOpenings = 256;

struct ChallengeDerivation;

struct PorChallenge {
  storage::DatasetId dataset{};
  uint64_t tick = 0;
  crypto::Hash256 state_root{};  // as committed on the cluster's chain
  uint64_t entry_count = 0;
  uint16_t chunks = 0;    // c
  uint16_t openings = 0;  // s <= c
  crypto::PublicKey arbiter;
  crypto::Signature seed;  // arbiter's signature over seed_message()

  static PorChallenge make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                           uint64_t tick, const crypto::Hash256& state_root, uint64_t entry_count,
                           uint16_t chunks, uint16_t openings);
  // The signature is right and the sizes are within bounds.
  Status check() const;
  crypto::Hash256 salt() const;
  std::vector<uint64_t> indices() const;  // c indices into [0, entry_count)
  // Positions (into indices()) that the node with key `node` must open.
  std::vector<uint16_t> opened_positions(const crypto::PublicKey& node) const;
  crypto::Hash256 digest() const;
  // digest(), salt() and indices() at once, for checking many answers.
  ChallengeDerivation derive() const;

  Bytes seed_message() const;
  static std::optional<storage::DatasetId> peek_dataset(ByteView body);
  bool operator==(const PorChallenge&) const = default;
  void encode(codec::Writer& writer) const;
  static PorChallenge decode(codec::Reader& reader);
};

struct ChallengeDerivation {
  crypto::Hash256 digest{};
  crypto::Hash256 salt{};
  std::vector<uint64_t> indices;
};

struct PorOpening {
  uint16_t position = 0;  // into the challenge's indices
  Bytes value;
  storage::MerkleProof proof;

  bool operator==(const PorOpening&) const = default;
  void encode(codec::Writer& writer) const;
  static PorOpening decode(codec::Reader& reader);
};

struct PorResponse {
  crypto::Hash256 challenge_digest{};
  crypto::PublicKey node_key;
  std::vector<crypto::Hash256> salted_hashes;  // one per challenged index
  std::vector<PorOpening> openings;
  crypto::Signature signature;

  Bytes signed_bytes() const;
  bool operator==(const PorResponse&) const = default;
  void encode(codec::Writer& writer) const;
  static PorResponse decode(codec::Reader& reader);
};

crypto::Hash256 salted_hash(const crypto::Hash256& salt, uint64_t index, ByteView value);

// What an honest replica answers, from the version of its replica the
// challenge names: the current state or the pinned one (storage::Dataset::pin;
// a cluster member pins the state each tick's challenges are about). Entries
// it does not hold get a zero hash and no opening (it cannot do better);
// `missing` counts them.
struct Proved {
  PorResponse response;
  int missing = 0;
};
Proved prove(const PorChallenge& challenge, const storage::Dataset& dataset, const crypto::SigningKey& key);

// The attack the deadline is for (white paper, "Security Concerns"): a lazy
// member that silently forgot entries asks a colluding replica to answer a
// challenge for it (cluster::MemberConduct::colludes_with). Not part of the
// honest protocol; modelled so that runs can measure what the deadline
// catches. The encoding is the challenge's followed by the asking node's key:
// PorChallenge::peek_dataset routes it, and the trailing key tells it from a
// bare challenge, since a decode must consume every byte.
struct PorFetch {
  PorChallenge challenge;
  crypto::PublicKey for_node;  // whose openings to include

  bool operator==(const PorFetch&) const = default;
  void encode(codec::Writer& writer) const;
  static PorFetch decode(codec::Reader& reader);
};

// What the node with key `node` would answer if it held this replica:
// node_key is `node`, the signature is left empty for that node to sign.
Proved prove_for(const PorChallenge& challenge, const storage::Dataset& dataset, const crypto::PublicKey& node);

enum class Fault : uint8_t {
  kNone = 0,
  kLate,            // arrived after the deadline, or never
  kBadSignature,
  kWrongChallenge,
  kMalformed,       // wrong number of hashes or openings
  kBadOpening,      // an opening does not verify against the root
  kDisagrees,       // salted hashes differ from the replicas' majority
  kLimit,
};
const char* fault_name(Fault fault);

// Everything an arbiter can check about one response alone.
Fault check_response(const PorChallenge& challenge, const PorResponse& response);
// The same, with the challenge's derivation computed once for all answers.
Fault check_response(const PorChallenge& challenge, const ChallengeDerivation& derived, const PorResponse& response);

// Per-index majority across replicas; returns, for each response, whether it
// disagrees with the majority anywhere. Ties count as disagreement for all.
std::vector<bool> disagreements(const PorChallenge& challenge, const std::vector<PorResponse>& responses);

// The arbiter's signed judgement of one node for one tick, for the chain.
struct PorVerdict {
  storage::DatasetId dataset{};
  uint64_t tick = 0;
  crypto::PublicKey node;
  Fault fault = Fault::kNone;
  crypto::PublicKey arbiter;
  crypto::Signature signature;

  bool passed() const { return fault == Fault::kNone; }
  static PorVerdict make(const crypto::SigningKey& arbiter, const PorChallenge& challenge,
                         const crypto::PublicKey& node, Fault fault);
  bool signature_valid() const;
  Bytes signed_bytes() const;
  bool operator==(const PorVerdict&) const = default;
  void encode(codec::Writer& writer) const;
  static PorVerdict decode(codec::Reader& reader);
};

}  // namespace fluence::por
