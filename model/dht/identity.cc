#include "model/dht/identity.h"

namespace fluence::dht {

namespace {
// 64 expected solve times: failing this budget has probability about e^-64.
uint64_t attempt_budget(int difficulty) {
  return difficulty <= 0 ? 1 : (uint64_t{64} << (difficulty > 40 ? 40 : difficulty));
}
}  // namespace

Result<Identity> Identity::generate(env::Random& random, int difficulty) {
  if (difficulty < 0 || difficulty > 40) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "puzzle difficulty " + std::to_string(difficulty) + " outside 0..40");
  }
  crypto::Secret<crypto::kSeedBytes> seed;
  random.fill(std::span<uint8_t>(seed.data(), seed.size()));
  crypto::SigningKey key = crypto::SigningKey::from_seed(seed);
  uint64_t start = random.next_u64() >> 1;  // leaves room to count up without wrapping
  std::optional<uint64_t> nonce =
      solve_puzzle(key.public_key(), difficulty, start, attempt_budget(difficulty));
  if (!nonce) {
    return Status::error(ErrorCode::kLimitExceeded, "no puzzle solution within the attempt budget");
  }
  NodeId id = derive_node_id(key.public_key(), *nonce);
  return Identity{std::move(key), *nonce, id};
}

Result<Identity> Identity::from_parts(const crypto::Secret<crypto::kSeedBytes>& seed,
                                      uint64_t nonce, int difficulty) {
  crypto::SigningKey key = crypto::SigningKey::from_seed(seed);
  NodeId id = derive_node_id(key.public_key(), nonce);
  if (!puzzle_satisfied(id, difficulty)) {
    return Status::error(ErrorCode::kAuthentication,
                         "nonce does not solve the id puzzle at difficulty " +
                             std::to_string(difficulty));
  }
  return Identity{std::move(key), nonce, id};
}

}  // namespace fluence::dht
