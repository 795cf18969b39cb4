// S/Kademlia node ids (Baumgart and Mies, "S/Kademlia: A practicable approach
// towards secure key-based routing", 2007), with the static crypto puzzle.
//
// id = BLAKE2b-256("fluence/node-id", public key || nonce), and an id is valid
// only if BLAKE2b-256(id) starts with `difficulty` zero bits. Each valid id
// costs about 2^difficulty hashes, so landing one inside a chosen region of
// the id space (a target cluster) costs 2^(difficulty + prefix bits): ids
// cannot be chosen cheaply. We bind the nonce into the id rather than using the
// paper's H(H(key)) so that the puzzle costs hashes, not key generations, and
// a simulation of 10^5 nodes can afford it; the grinding bound is the same.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "model/base/bytes.h"
#include "model/crypto/sign.h"
#include "model/env/random.h"

namespace fluence::dht {

inline constexpr size_t kIdBytes = 32;
inline constexpr int kIdBits = 256;

struct NodeId {
  std::array<uint8_t, kIdBytes> bytes{};
  auto operator<=>(const NodeId&) const = default;
  ByteView view() const { return bytes; }
  std::string hex() const { return to_hex(bytes); }
  std::string short_hex() const { return hex().substr(0, 12); }
};

// XOR distance, compared as a 256-bit big-endian integer.
using Distance = std::array<uint8_t, kIdBytes>;
Distance distance(const NodeId& a, const NodeId& b);

// True if a is closer to target than b (ties broken by the ids, so the order
// is total and the same on every node).
bool closer(const NodeId& target, const NodeId& a, const NodeId& b);

// Index of the k-bucket that `other` falls in, seen from `self`: the number of
// leading bits they share (0..255). Undefined for other == self.
int bucket_index(const NodeId& self, const NodeId& other);

NodeId derive_node_id(const crypto::PublicKey& key, uint64_t nonce);
bool puzzle_satisfied(const NodeId& id, int difficulty);
bool id_valid(const NodeId& id, const crypto::PublicKey& key, uint64_t nonce, int difficulty);

// Searches nonces start, start+1, ... for at most max_attempts; nullopt if the
// budget runs out (a bound makes a mistaken difficulty visible, not a hang).
std::optional<uint64_t> solve_puzzle(const crypto::PublicKey& key, int difficulty,
                                     uint64_t start_nonce, uint64_t max_attempts);

// A uniformly random id whose bucket index from `self` is `bucket`, for
// bucket refresh.
NodeId random_id_in_bucket(const NodeId& self, int bucket, env::Random& random);
NodeId random_id(env::Random& random);

}  // namespace fluence::dht
