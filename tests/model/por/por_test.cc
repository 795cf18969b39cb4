#include "model/por/por.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/dht/identity.h"

namespace fluence::por {
namespace {

struct Replica {
  env::MemoryStore store;
  std::optional<storage::Dataset> dataset;
  dht::Identity identity;
};

crypto::SigningKey key_from(uint64_t seed) {
  env::DeterministicRandom random(seed);
  crypto::Secret<32> secret;
  random.fill(std::span<uint8_t>(secret.data(), secret.size()));
  return crypto::SigningKey::from_seed(secret);
}

class PorTest : public ::testing::Test {
 protected:
  void SetUp() override { build_replicas(); }

  void build_replicas() {
    replicas.clear();
    for (int r = 0; r < 3; ++r) {
      env::DeterministicRandom random(100 + r);
      auto replica = std::make_unique<Replica>(Replica{{}, std::nullopt, std::move(*dht::Identity::generate(random, 0))});
      replica->dataset.emplace(*storage::Dataset::open(replica->store, dataset_id));
      storage::JournalEntry entry{1, {}};
      for (int i = 0; i < kRows; ++i) {
        std::string key = "row-" + std::to_string(i);
        std::string value = "ciphertext-" + std::to_string(i * 31);
        entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()),
                                   Bytes(value.begin(), value.end()), {}, {}});
      }
      ASSERT_TRUE(replica->dataset->apply(entry).is_ok());
      replicas.push_back(std::move(replica));
    }
  }

  PorChallenge challenge(uint64_t tick, uint16_t chunks, uint16_t openings) {
    const storage::Dataset& d = *replicas[0]->dataset;
    return PorChallenge::make(arbiter, dataset_id, tick, d.state_root(), d.entry_count(), chunks, openings);
  }
  PorResponse answer(size_t r, const PorChallenge& c) {
    return prove(c, *replicas[r]->dataset, replicas[r]->identity.key).response;
  }

  static constexpr int kRows = 1000;
  storage::DatasetId dataset_id{7};
  crypto::SigningKey arbiter = key_from(1);
  std::vector<std::unique_ptr<Replica>> replicas;
};

TEST_F(PorTest, HonestReplicasPass) {
  PorChallenge c = challenge(1, 40, 4);
  ASSERT_TRUE(c.check().is_ok());
  std::vector<PorResponse> responses;
  for (size_t r = 0; r < replicas.size(); ++r) {
    responses.push_back(answer(r, c));
    EXPECT_EQ(check_response(c, responses.back()), Fault::kNone) << r;
    EXPECT_EQ(responses.back().openings.size(), 4u);
  }
  for (bool d : disagreements(c, responses)) EXPECT_FALSE(d);
  // Different nodes open different positions (with overwhelming probability).
  EXPECT_NE(c.opened_positions(replicas[0]->identity.key.public_key()), c.opened_positions(replicas[1]->identity.key.public_key()));
}

TEST_F(PorTest, ReplicasThatMovedOnAnswerFromTheirPinnedVersion) {
  for (auto& replica : replicas) ASSERT_TRUE(replica->dataset->pin().is_ok());
  PorChallenge c = challenge(2, 60, 4);  // about the pinned state
  // Every replica rewrites half its rows and adds some after the pin.
  storage::JournalEntry later{2, {}};
  for (int i = 0; i < kRows + 100; i += 2) {
    std::string key = "row-" + std::to_string(i);
    later.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes{1, 2, 3}, {}, {}});
  }
  for (auto& replica : replicas) ASSERT_TRUE(replica->dataset->apply(later).is_ok());
  ASSERT_NE(replicas[0]->dataset->state_root(), c.state_root);
  std::vector<PorResponse> responses;
  for (size_t r = 0; r < replicas.size(); ++r) {
    responses.push_back(answer(r, c));
    EXPECT_EQ(check_response(c, responses.back()), Fault::kNone) << r;
  }
  for (bool d : disagreements(c, responses)) EXPECT_FALSE(d);

  // Without the pin, the same replica fails the old challenge.
  storage::JournalEntry again{3, {}};
  ASSERT_TRUE(replicas[0]->dataset->apply(again).is_ok());
  ASSERT_TRUE(replicas[0]->dataset->pin().is_ok());
  EXPECT_NE(check_response(c, answer(0, c)), Fault::kNone);
}

TEST_F(PorTest, ChallengeSeedCannotBeForgedAndDrivesTheIndices) {
  PorChallenge c = challenge(5, 10, 2);
  PorChallenge other_tick = challenge(6, 10, 2);
  EXPECT_NE(c.indices(), other_tick.indices());
  EXPECT_EQ(c.indices(), challenge(5, 10, 2).indices()) << "the arbiter cannot grind its salt";
  PorChallenge forged = c;
  forged.seed.bytes[3] ^= 1;
  EXPECT_EQ(forged.check().code(), ErrorCode::kAuthentication);
  for (uint64_t index : c.indices()) EXPECT_LT(index, c.entry_count);
}

TEST_F(PorTest, EveryKindOfBadResponseIsNamed) {
  PorChallenge c = challenge(2, 30, 3);
  PorResponse good = answer(0, c);
  PorResponse bad = good;
  bad.openings[0].value.push_back('!');
  bad.signature = replicas[0]->identity.key.sign(bad.signed_bytes());
  EXPECT_EQ(check_response(c, bad), Fault::kBadOpening);

  bad = good;
  bad.salted_hashes[5][0] ^= 1;
  EXPECT_EQ(check_response(c, bad), Fault::kBadSignature);

  bad = good;
  bad.openings.pop_back();
  bad.signature = replicas[0]->identity.key.sign(bad.signed_bytes());
  EXPECT_EQ(check_response(c, bad), Fault::kBadOpening);

  bad = good;
  bad.salted_hashes.pop_back();
  bad.signature = replicas[0]->identity.key.sign(bad.signed_bytes());
  EXPECT_EQ(check_response(c, bad), Fault::kMalformed);

  EXPECT_EQ(check_response(challenge(3, 30, 3), good), Fault::kWrongChallenge);

  // An opening's salted hash must match the hash list too.
  bad = good;
  bad.salted_hashes[bad.openings[0].position][0] ^= 1;
  bad.signature = replicas[0]->identity.key.sign(bad.signed_bytes());
  EXPECT_EQ(check_response(c, bad), Fault::kBadOpening);
}

TEST_F(PorTest, ResponsesAndVerdictsRoundTrip) {
  PorChallenge c = challenge(4, 20, 2);
  Result<PorChallenge> c2 = codec::decode<PorChallenge>(codec::encode(c));
  ASSERT_TRUE(c2.is_ok());
  EXPECT_EQ(*c2, c);
  PorResponse r = answer(1, c);
  Result<PorResponse> r2 = codec::decode<PorResponse>(codec::encode(r));
  ASSERT_TRUE(r2.is_ok()) << r2.status().to_string();
  EXPECT_EQ(*r2, r);
  PorVerdict v = PorVerdict::make(arbiter, c, replicas[1]->identity.key.public_key(), Fault::kDisagrees);
  EXPECT_TRUE(v.signature_valid());
  Result<PorVerdict> v2 = codec::decode<PorVerdict>(codec::encode(v));
  ASSERT_TRUE(v2.is_ok());
  EXPECT_EQ(*v2, v);
  v.fault = Fault::kNone;
  EXPECT_FALSE(v.signature_valid());
  Bytes truncated = codec::encode(r);
  truncated.resize(40);  // inside the node key, which follows the 32-byte digest
  Result<PorResponse> broken = codec::decode<PorResponse>(truncated);
  ASSERT_FALSE(broken.is_ok());
  EXPECT_NE(broken.status().message().find("response.node"), std::string::npos) << broken.status().message();
}

// The detection law: a replica missing a fraction f of its entries is
// caught by a challenge of c indices with probability 1 - (1 - f)^c. We run
// 1,000 challenges per (f, c) and require the measured rate inside the 99%
// binomial interval around that prediction.
TEST_F(PorTest, DetectionRateMatchesTheBinomialLaw) {
  struct Case { int forgotten; uint16_t c; };
  for (Case cs : {Case{10, 20}, Case{50, 10}, Case{200, 5}, Case{50, 40}}) {
    build_replicas();
    Replica& lazy = *replicas[2];
    env::DeterministicRandom random(cs.forgotten * 1000 + cs.c);
    std::set<uint64_t> gone;
    while (gone.size() < static_cast<size_t>(cs.forgotten)) gone.insert(random.uniform(kRows));
    for (uint64_t i : gone) ASSERT_TRUE(lazy.dataset->silently_forget(i).is_ok());

    constexpr int kChallenges = 1000;
    int detected = 0;
    for (int t = 0; t < kChallenges; ++t) {
      PorChallenge c = challenge(1000 + t, cs.c, 1);
      std::vector<PorResponse> responses = {answer(0, c), answer(1, c), answer(2, c)};
      bool caught = check_response(c, responses[2]) != Fault::kNone || disagreements(c, responses)[2];
      detected += caught ? 1 : 0;
    }
    double f = static_cast<double>(cs.forgotten) / kRows;
    double p = 1 - std::pow(1 - f, cs.c);
    double half_width = 2.576 * std::sqrt(p * (1 - p) / kChallenges) + 0.5 / kChallenges;
    double measured = static_cast<double>(detected) / kChallenges;
    EXPECT_NEAR(measured, p, half_width) << "f=" << f << " c=" << cs.c;
  }
}

}  // namespace
}  // namespace fluence::por
