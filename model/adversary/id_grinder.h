// A sybil that wants to sit in a target dataset's cluster (white paper,
// "Security Concerns"): it grinds ids until one lands among the n nodes
// closest to the dataset id, which is where placement puts the cluster.
//
// A node id is BLAKE2b(key, nonce) and counts only if BLAKE2b(id) has
// `difficulty` leading zero bits (S/Kademlia's crypto puzzle, dht/node_id.h),
// so every nonce is a fresh uniform id at the cost of two hashes, and a valid
// one appears once per 2^difficulty nonces. To land closer to the target
// than the n-th closest honest node, a fraction p of the id space, the
// grinder needs 2^difficulty / p nonces on average; p is about n / (N + 1)
// in a network of N honest nodes. The puzzle multiplies the price of a
// targeted sybil by 2^difficulty, and the network's size by N / n.
#pragma once

#include <optional>

#include "model/dht/node_id.h"
#include "model/crypto/sign.h"

namespace fluence::adversary {

struct GrindResult {
  uint64_t nonce = 0;
  dht::NodeId id;
  uint64_t nonces_tried = 0;  // two BLAKE2b evaluations each
  uint64_t valid_ids = 0;     // ids that solved the puzzle on the way
};

// Grinds nonces for `key` from `start_nonce` until an id that solves the
// puzzle is strictly closer to `target` than `bound` (the distance of the
// n-th closest honest node), or `budget` nonces are spent (nullopt).
std::optional<GrindResult> grind_into_cluster(const crypto::PublicKey& key, int difficulty, const dht::NodeId& target,
                                              const dht::Distance& bound, uint64_t start_nonce, uint64_t budget);

// The fraction of the id space closer to a target than `bound` (its leading
// 64 bits as a fraction of 2^64: the model's p).
double fraction_closer(const dht::Distance& bound);

}  // namespace fluence::adversary
