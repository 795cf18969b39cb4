// Re-encryption through the cluster and the denial-of-remove attack (white
// paper, "Denial of Remove"; model/cluster/reencrypt.h): a receiver needs m
// verified CapsuleFrags from distinct holders; after revocation honest
// members refuse, so the share stays revoked exactly while fewer than m
// holders keep their fragments; a member that keeps deleted rows is
// outvoted by a read that asks for f + 1 signatures.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/cluster/chain_book.h"
#include "model/cluster/reencrypt.h"
#include "model/economy/ops.h"
#include "tests/model/cluster/cluster_fixture.h"

namespace fluence::cluster {
namespace {

namespace pre = crypto::pre;
using std::chrono::seconds;

constexpr uint8_t kThreshold = 3;

bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

class ReencryptTest : public testing_support::ClusterFixture {
 protected:
  // Members listed in `dishonest` keep revoked fragments and deleted rows.
  void build_cluster(const std::set<size_t>& dishonest) {
    build(42, &gateway, [&](size_t node, node::NodeConfig& config) {
      if (dishonest.count(node) == 0) return;
      config.cluster.member_conduct.keeps_revoked_fragments = true;
      config.cluster.member_conduct.keeps_deleted_rows = true;
    });
  }

  void submit(const economy::EconomyOp& op) {
    for (size_t i = 0; i < kMembers; ++i) chain(i).submit_transaction({op});
    world->run_for(seconds(1));
  }

  // The storage contract on the members, then the share to the receiver,
  // funded by it: holders are the members, in roster order.
  void open_share(uint8_t threshold = kThreshold) {
    const economy::ChainId chain_id = ledger_chain_id(id);
    economy::StorageContract c;
    c.id = world->identity(41, 0).key.public_key();
    c.client = owner.public_key();
    c.valid_until_tick = 24;
    for (const auto& m : members) c.nodes.push_back(m.key);
    for (const auto& a : arbiters) c.arbiters.push_back(a.key);
    c.replication_factor = static_cast<uint32_t>(kMembers);
    c.allocation_bytes = economy::kBytesPerGb;
    c.max_response_time_ms = 2000;
    c.price_per_gb_month = 720;
    c.gas_price = 1;
    c.period_ticks = 24;
    c.sla = {24, 24};
    economy::SignedContract s{c, {economy::ContractSignature::make(owner, c)}};
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      s.signatures.push_back(economy::ContractSignature::make(world->identity(i, 0).key, c));
    }
    submit({gateway.issue(owner.public_key(), 1'000'000)});
    submit({gateway.issue(receiver.public_key(), 1'000'000)});
    submit({economy::OpenContract::make(owner, chain_id, std::move(s), 100'000, 0)});
    ASSERT_NE(chain(0).ledger().contract(c.id), nullptr) << "the storage contract did not open";

    economy::ShareTerms terms{share_id, c.id, receiver.public_key(), receiver_pre.public_key(), threshold, 0};
    Result<economy::SharingContract> made = economy::make_sharing_contract(owner, delegator, terms, c.nodes, random);
    ASSERT_TRUE(made.is_ok()) << made.status().to_string();
    share = *made;
    submit({economy::OpenShare::make(owner, chain_id, share, 1)});
    submit({economy::FundShare::make(receiver, chain_id, share_id, 10'000, 0)});
    const economy::ShareAccount* account = chain(0).ledger().share(share_id);
    ASSERT_TRUE(account != nullptr && account->active() && account->escrow == 10'000) << "the share did not open";
    for (size_t i = 0; i < kMembers; ++i) EXPECT_TRUE(chain(i).share_keeper().holds(share_id)) << "member " << i;
  }

  void revoke() {
    submit({economy::RevokeShare::make(owner, ledger_chain_id(id), share_id, 2)});
    ASSERT_EQ(chain(0).ledger().share(share_id)->phase, economy::SharePhase::kRevoked);
  }

  struct Asked {
    Result<ReencryptResult> result = Status::error(ErrorCode::kTimeout, "never finished");
    FragmentTally tally;
  };
  Asked ask(size_t via) {
    Asked asked;
    bool finished = false;
    chain(via).reencrypt(
        share_id, encapsulation.capsule,
        [&](Result<ReencryptResult> r) {
          finished = true;
          asked.result = std::move(r);
        },
        [&](const FragmentTally& t) { asked.tally = t; });
    world->run_for(seconds(3));
    EXPECT_TRUE(finished) << "the re-encryption never finished";
    return asked;
  }

  bool decrypts(const ReencryptResult& result) {
    Result<pre::SymmetricKey> key =
        pre::decrypt_reencrypted(receiver_pre, delegator.public_key(), encapsulation.capsule, result.cfrags);
    return key && std::equal(key->view().begin(), key->view().end(), encapsulation.key.view().begin());
  }

  Result<ReadResult> read(size_t via, const std::string& key, size_t signatures) {
    std::optional<Result<ReadResult>> out;
    chain(via).read(Bytes(key.begin(), key.end()), signatures, [&](Result<ReadResult> r) { out = std::move(r); });
    world->run_for(seconds(3));
    EXPECT_TRUE(out.has_value()) << "the read never finished";
    return out.value_or(Status::error(ErrorCode::kTimeout, "never finished"));
  }

  economy::SimulatedGateway gateway{5};
  env::DeterministicRandom random{77};
  crypto::SigningKey owner = world_key(40), receiver = world_key(42);
  crypto::PublicKey share_id = world_key(43).public_key();
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver_pre = pre::KeyPair::generate(random);
  pre::Encapsulation encapsulation = std::move(*pre::encapsulate(delegator.public_key(), random));
  economy::SharingContract share;

 protected:
  static crypto::SigningKey world_key(uint8_t seed) {
    crypto::Secret<32> secret;
    secret.data()[0] = seed;
    secret.data()[1] = 0x7e;
    return crypto::SigningKey::from_seed(secret);
  }
};

TEST_F(ReencryptTest, BeforeRevocationTheReceiverGetsMVerifiedFragmentsAndDecrypts) {
  build_cluster({});
  open_share();
  Asked asked = ask(2);
  ASSERT_TRUE(asked.result.is_ok()) << asked.result.status().to_string();
  EXPECT_GE(asked.result->cfrags.size(), kThreshold);
  std::set<crypto::PublicKey> from(asked.result->verified_from.begin(), asked.result->verified_from.end());
  EXPECT_EQ(from.size(), asked.result->cfrags.size()) << "one fragment per holder";
  EXPECT_TRUE(decrypts(*asked.result));
  // A share the ledger does not know is an error at once.
  bool unknown = false;
  chain(0).reencrypt(world_key(99).public_key(), encapsulation.capsule, [&](Result<ReencryptResult> r) {
    unknown = r.status().code() == ErrorCode::kNotFound;
  });
  EXPECT_TRUE(unknown);
}

TEST_F(ReencryptTest, AfterRevocationFewerThanMKeepersCannotDecrypt) {
  build_cluster({1, 4});  // d = 2 < m = 3
  open_share();
  ASSERT_TRUE(ask(0).result.is_ok());
  revoke();
  for (size_t i = 0; i < kMembers; ++i) {
    EXPECT_EQ(chain(i).share_keeper().holds(share_id), i == 1 || i == 4) << "member " << i;
  }
  Asked asked = ask(0);
  ASSERT_FALSE(asked.result.is_ok());
  EXPECT_EQ(asked.result.status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(mentions(asked.result.status(), "2 of 3 fragments")) << asked.result.status().to_string();
  EXPECT_TRUE(mentions(asked.result.status(), "revoked")) << "honest refusals are named";
  EXPECT_EQ(asked.tally.cfrags.size(), 2u);
  EXPECT_EQ(asked.tally.not_counted.size(), kMembers - 2);
}

TEST_F(ReencryptTest, AfterRevocationMKeepersStillDecrypt) {
  // The model's point: revocation holds only while m exceeds the number of
  // holders that keep their fragments.
  build_cluster({0, 3, 6});  // d = 3 = m
  open_share();
  revoke();
  Asked asked = ask(2);  // through an honest member, which refuses itself
  ASSERT_TRUE(asked.result.is_ok()) << asked.result.status().to_string();
  std::set<crypto::PublicKey> from(asked.result->verified_from.begin(), asked.result->verified_from.end());
  EXPECT_EQ(from, (std::set<crypto::PublicKey>{members[0].key, members[3].key, members[6].key}));
  EXPECT_TRUE(decrypts(*asked.result));
}

TEST_F(ReencryptTest, WithMOfOneTheAskingMembersOwnRefusalDoesNotEndTheRequest) {
  build_cluster({5});
  open_share(1);
  revoke();
  Asked asked = ask(0);  // member 0 refuses, member 5 kept its fragment
  ASSERT_TRUE(asked.result.is_ok()) << asked.result.status().to_string();
  EXPECT_EQ(asked.result->verified_from, std::vector<crypto::PublicKey>{members[5].key});
  EXPECT_TRUE(decrypts(*asked.result));
}

TEST_F(ReencryptTest, ForgedOrMisattributedFragmentsAreNotCounted) {
  build_cluster({});
  open_share();
  Asked asked = ask(0);
  ASSERT_TRUE(asked.result.is_ok());
  const ReencryptResult& real = *asked.result;
  const pre::Capsule& capsule = encapsulation.capsule;
  auto signing_key = [&](const crypto::PublicKey& key) -> const crypto::SigningKey& {
    for (size_t i = 0; i < kMembers + kArbiters; ++i) {
      if (world->identity(i, 0).key.public_key() == key) return world->node(i).identity().key;
    }
    ADD_FAILURE() << "no such node";
    return world->node(0).identity().key;
  };
  // Two honest answers, as their holders sign them.
  std::vector<ReencryptAnswer> answers;
  for (size_t i = 0; i < 2; ++i) {
    answers.push_back(ReencryptAnswer::make(signing_key(real.verified_from[i]), id, share_id, capsule, real.cfrags[i].cfrag()));
  }
  ASSERT_EQ(tally_fragments(answers, id, share, capsule).cfrags.size(), 2u);
  // Holders other than those two, for the misbehaving answers.
  std::vector<crypto::PublicKey> others;
  for (const auto& m : members) {
    if (m.key != real.verified_from[0] && m.key != real.verified_from[1]) others.push_back(m.key);
  }
  ASSERT_GE(others.size(), 3u);

  std::vector<ReencryptAnswer> forged = answers;
  // An arbiter holds no fragment: a valid CapsuleFrag it passes on counts for nothing.
  forged.push_back(ReencryptAnswer::make(signing_key(arbiters[0].key), id, share_id, capsule, real.cfrags[2].cfrag()));
  // A holder passing on another holder's CapsuleFrag as its own.
  forged.push_back(ReencryptAnswer::make(signing_key(others[0]), id, share_id, capsule, real.cfrags[0].cfrag()));
  // A holder's answer repeated.
  forged.push_back(answers[0]);
  // A holder's own CapsuleFrag with a tampered proof.
  pre::CapsuleFrag tampered = real.cfrags[1].cfrag();
  tampered.share = share.fragment_of(others[1])->authorisation;
  forged.push_back(ReencryptAnswer::make(signing_key(others[1]), id, share_id, capsule, tampered));
  // A good answer in a holder's name whose signature does not check.
  ReencryptAnswer unsigned_answer = ReencryptAnswer::make(signing_key(others[2]), id, share_id, capsule, real.cfrags[2].cfrag());
  unsigned_answer.signer = real.verified_from[2];
  forged.push_back(unsigned_answer);
  // An answer about another capsule.
  pre::Encapsulation other = std::move(*pre::encapsulate(delegator.public_key(), random));
  forged.push_back(ReencryptAnswer::make(signing_key(real.verified_from[2]), id, share_id, other.capsule, real.cfrags[2].cfrag()));

  FragmentTally tally = tally_fragments(forged, id, share, capsule);
  EXPECT_EQ(tally.cfrags.size(), 2u) << "only the two honest answers count";
  EXPECT_FALSE(tally.complete());
  Result<ReencryptResult> result = agree(tally);
  ASSERT_FALSE(result.is_ok());
  EXPECT_TRUE(mentions(result.status(), "2 of 3 fragments")) << result.status().to_string();
  EXPECT_TRUE(mentions(result.status(), "holds no fragment")) << result.status().to_string();
  EXPECT_TRUE(mentions(result.status(), "another holder's share")) << result.status().to_string();
  EXPECT_TRUE(mentions(result.status(), "does not verify")) << result.status().to_string();

  // The answers survive their encoding, and a cut one does not decode.
  Bytes encoded = codec::encode(forged[2]);
  Result<ReencryptAnswer> decoded = codec::decode<ReencryptAnswer>(encoded);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, forged[2]);
  EXPECT_TRUE(decoded->signature_valid());
  encoded.pop_back();
  EXPECT_FALSE(codec::decode<ReencryptAnswer>(encoded).is_ok());
  ReencryptAnswer refusal = ReencryptAnswer::make(signing_key(others[0]), id, share_id, capsule,
                                                  Status::error(ErrorCode::kInvalidArgument, std::string(1000, 'x')));
  EXPECT_EQ(refusal.refusal.size(), kMaxRefusalBytes);
  EXPECT_EQ(*codec::decode<ReencryptAnswer>(codec::encode(refusal)), refusal);
}

TEST_F(ReencryptTest, AStaleRowIsOutvotedByFPlusOneSignatures) {
  build_cluster({1, 4});  // f = 2 members keep deleted rows
  const std::string key = "secret-row";
  std::optional<Result<uint64_t>> put, removed;
  world->node(0).write(id, {{storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes{1, 2, 3}, {}, {}}},
                       [&](Result<uint64_t> r) { put = r; });
  world->run_for(seconds(2));
  world->node(0).write(id, {{storage::Mutation::Kind::kDeleteRow, Bytes(key.begin(), key.end()), {}, {}, {}}},
                       [&](Result<uint64_t> r) { removed = r; });
  world->run_for(seconds(2));
  ASSERT_TRUE(put && put->is_ok() && removed && removed->is_ok());
  expect_replicas_agree();  // the keepers' replicas deleted it too: they only lie in answers

  // One signature through a keeper buys exactly its word: the stale value.
  Result<ReadResult> one = read(1, key, 1);
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(one->value, (Bytes{1, 2, 3}));
  // f + 1 signatures through a keeper: its answer is outvoted.
  constexpr size_t kFPlusOne = (kMembers - 1) / 3 + 1;
  for (size_t via : {size_t{1}, size_t{4}, size_t{0}}) {
    Result<ReadResult> outvoted = read(via, key, kFPlusOne);
    ASSERT_TRUE(outvoted.is_ok()) << outvoted.status().to_string();
    EXPECT_FALSE(outvoted->value.has_value()) << "via member " << via;
    for (const ReadAnswer& a : outvoted->answers) {
      EXPECT_NE(a.signer, members[1].key);
      EXPECT_NE(a.signer, members[4].key);
    }
  }
}

}  // namespace
}  // namespace fluence::cluster
