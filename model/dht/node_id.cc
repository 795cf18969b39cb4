#include "model/dht/node_id.h"

#include "model/base/check.h"
#include "model/crypto/hash.h"

namespace fluence::dht {

Distance distance(const NodeId& a, const NodeId& b) {
  Distance out;
  for (size_t i = 0; i < kIdBytes; ++i) out[i] = a.bytes[i] ^ b.bytes[i];
  return out;
}

bool closer(const NodeId& target, const NodeId& a, const NodeId& b) {
  for (size_t i = 0; i < kIdBytes; ++i) {
    uint8_t da = a.bytes[i] ^ target.bytes[i];
    uint8_t db = b.bytes[i] ^ target.bytes[i];
    if (da != db) return da < db;
  }
  return false;  // a == b: XOR is a bijection, so equal distances mean equal ids
}

int bucket_index(const NodeId& self, const NodeId& other) {
  Distance d = distance(self, other);
  int shared = crypto::leading_zero_bits(d);
  FL_ASSERT_MSG(shared < kIdBits, "bucket_index of a node's own id");
  return shared;
}

NodeId derive_node_id(const crypto::PublicKey& key, uint64_t nonce) {
  uint8_t nonce_bytes[8];
  for (int i = 0; i < 8; ++i) nonce_bytes[i] = static_cast<uint8_t>(nonce >> (56 - 8 * i));
  NodeId id;
  id.bytes = crypto::blake2b_256("fluence/node-id", {key.view(), ByteView(nonce_bytes, 8)});
  return id;
}

bool puzzle_satisfied(const NodeId& id, int difficulty) {
  if (difficulty <= 0) return true;
  crypto::Hash256 h = crypto::blake2b_256("fluence/node-id-puzzle", {id.view()});
  return crypto::leading_zero_bits(h) >= difficulty;
}

bool id_valid(const NodeId& id, const crypto::PublicKey& key, uint64_t nonce, int difficulty) {
  return derive_node_id(key, nonce) == id && puzzle_satisfied(id, difficulty);
}

std::optional<uint64_t> solve_puzzle(const crypto::PublicKey& key, int difficulty,
                                     uint64_t start_nonce, uint64_t max_attempts) {
  for (uint64_t i = 0; i < max_attempts; ++i) {
    uint64_t nonce = start_nonce + i;
    if (puzzle_satisfied(derive_node_id(key, nonce), difficulty)) return nonce;
  }
  return std::nullopt;
}

NodeId random_id(env::Random& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

NodeId random_id_in_bucket(const NodeId& self, int bucket, env::Random& random) {
  FL_ASSERT(bucket >= 0 && bucket < kIdBits);
  NodeId id = random_id(random);
  // Keep the first `bucket` bits of self, flip the next one, random after.
  for (int bit = 0; bit <= bucket; ++bit) {
    int byte = bit / 8;
    uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    uint8_t want = bit < bucket ? (self.bytes[byte] & mask) : ((self.bytes[byte] & mask) ^ mask);
    id.bytes[byte] = static_cast<uint8_t>((id.bytes[byte] & ~mask) | want);
  }
  FL_ASSERT(bucket_index(self, id) == bucket);
  return id;
}

}  // namespace fluence::dht
