#include "model/adversary/id_grinder.h"

#include <gtest/gtest.h>

#include "model/env/random.h"

namespace fluence::adversary {
namespace {

TEST(IdGrinderTest, FindsAValidIdInsideTheBound) {
  env::DeterministicRandom random(5);
  crypto::Secret<crypto::kSeedBytes> secret;
  random.fill(std::span<uint8_t>(secret.data(), secret.size()));
  crypto::SigningKey key = crypto::SigningKey::from_seed(secret);
  dht::NodeId target = dht::random_id(random);
  dht::Distance bound{};
  bound[0] = 0x04;  // the closest 1/64 of the id space
  std::optional<GrindResult> found = grind_into_cluster(key.public_key(), 4, target, bound, 0, 1'000'000);
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(dht::id_valid(found->id, key.public_key(), found->nonce, 4)) << "the id must solve the puzzle";
  EXPECT_LT(dht::distance(found->id, target), bound);
  EXPECT_EQ(found->nonces_tried, found->nonce + 1);
  EXPECT_GE(found->valid_ids, 1u);
  EXPECT_NEAR(fraction_closer(bound), 1.0 / 64, 1e-12);
  // A budget too small to succeed says so.
  dht::Distance tiny{};
  tiny[7] = 1;
  EXPECT_FALSE(grind_into_cluster(key.public_key(), 4, target, tiny, 0, 1000).has_value());
}

}  // namespace
}  // namespace fluence::adversary
