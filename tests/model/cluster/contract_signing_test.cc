// Contract signing by the nodes (model/cluster/contract_signing.h): what a
// party signs and refuses, the signed answers on the wire, and a member or
// arbiter gathering every party's signature in the test world.
#include "model/cluster/contract_signing.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "model/cluster/messages.h"
#include "tests/model/cluster/cluster_fixture.h"

namespace fluence::cluster {
namespace {

using std::chrono::seconds;

crypto::SigningKey party_key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0x5c;
  return crypto::SigningKey::from_seed(secret);
}

bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

// A well-formed contract naming exactly `nodes` and `arbiters`.
economy::StorageContract contract_for(const std::vector<crypto::PublicKey>& nodes,
                                      const std::vector<crypto::PublicKey>& arbiters) {
  economy::StorageContract c;
  c.id = party_key(90).public_key();
  c.client = party_key(91).public_key();
  c.valid_until_tick = 24;
  c.nodes = nodes;
  c.arbiters = arbiters;
  c.replication_factor = static_cast<uint32_t>(nodes.size());
  c.allocation_bytes = economy::kBytesPerGb;
  c.max_response_time_ms = 2000;
  c.price_per_gb_month = 720;
  c.gas_price = 1;
  c.period_ticks = 24;
  c.sla = {24, 24};
  return c;
}

// Four members and two arbiters, keys only (the decision needs no addresses).
class ContractDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 4; ++i) {
      members.push_back(party_key(i));
      roster.members.push_back({"m" + std::to_string(i), members.back().public_key()});
    }
    for (uint8_t i = 0; i < 2; ++i) {
      arbiters.push_back(party_key(10 + i));
      roster.arbiters.push_back({"a" + std::to_string(i), arbiters.back().public_key()});
    }
    contract = contract_for(roster.member_keys(), roster.arbiter_keys());
  }

  Status refusal(const crypto::SigningKey& key, const economy::StorageContract& c) {
    Result<economy::ContractSignature> decision = decide_contract_signature(key, roster, c);
    EXPECT_FALSE(decision.is_ok()) << "signed a contract it must refuse";
    return decision.status();
  }

  Roster roster;
  std::vector<crypto::SigningKey> members, arbiters;
  economy::StorageContract contract;
};

TEST_F(ContractDecisionTest, EveryNodeAndArbiterSignsAContractForItsCluster) {
  const Bytes message = contract.signed_bytes();
  for (const auto* list : {&members, &arbiters}) {
    for (const crypto::SigningKey& key : *list) {
      Result<economy::ContractSignature> s = decide_contract_signature(key, roster, contract);
      ASSERT_TRUE(s.is_ok()) << s.status().to_string();
      EXPECT_EQ(s->signer, key.public_key());
      EXPECT_TRUE(crypto::verify(key.public_key(), message, s->signature));
    }
  }
  // The sets matter, not the order the contract lists them in.
  economy::StorageContract reordered = contract;
  std::reverse(reordered.nodes.begin(), reordered.nodes.end());
  std::reverse(reordered.arbiters.begin(), reordered.arbiters.end());
  EXPECT_TRUE(decide_contract_signature(members[1], roster, reordered).is_ok());
}

TEST_F(ContractDecisionTest, SignsOnlyTermsItsOperatorAccepts) {
  // The contract offers 720 per GB-month, gas price 1, 1 GB.
  const SigningPolicy at_the_offer{720, 1, economy::kBytesPerGb};
  EXPECT_TRUE(decide_contract_signature(members[0], roster, contract, at_the_offer).is_ok());
  Result<economy::ContractSignature> cheap = decide_contract_signature(members[0], roster, contract, {721, 0});
  ASSERT_FALSE(cheap.is_ok());
  EXPECT_TRUE(mentions(cheap.status(), "price_per_gb_month 720 is below this party's 721")) << cheap.status().message();
  Result<economy::ContractSignature> gas = decide_contract_signature(arbiters[0], roster, contract, {0, 2});
  ASSERT_FALSE(gas.is_ok());
  EXPECT_TRUE(mentions(gas.status(), "gas_price 1 is below this party's 2")) << gas.status().message();
  Result<economy::ContractSignature> large =
      decide_contract_signature(members[2], roster, contract, {0, 0, economy::kBytesPerGb - 1});
  ASSERT_FALSE(large.is_ok());
  EXPECT_TRUE(mentions(large.status(), "allocation_bytes")) << large.status().message();
  // A refusal travels in the party's signed answer.
  ContractSigningAnswer answer = answer_contract_signing(members[0], storage::DatasetId{1}, roster, contract, {721, 0});
  EXPECT_FALSE(answer.contract_signature.has_value());
  EXPECT_NE(answer.refusal.find("below"), std::string::npos);
}

TEST_F(ContractDecisionTest, RefusesAContractWhoseNodesAreNotTheMembers) {
  economy::StorageContract short_of_one = contract;
  short_of_one.nodes.pop_back();
  short_of_one.replication_factor = 3;
  Status left_out = refusal(members[0], short_of_one);
  EXPECT_EQ(left_out.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(mentions(left_out, "leaves out " + economy::short_key(members[3].public_key()))) << left_out.message();

  economy::StorageContract with_outsider = contract;
  const crypto::PublicKey outsider = party_key(50).public_key();
  with_outsider.nodes.push_back(outsider);
  Status named = refusal(arbiters[0], with_outsider);
  EXPECT_TRUE(mentions(named, "names " + economy::short_key(outsider))) << named.message();
  EXPECT_TRUE(mentions(named, "not members of the dataset")) << named.message();
}

TEST_F(ContractDecisionTest, RefusesAContractWithOtherArbiters) {
  economy::StorageContract other = contract;
  other.arbiters[1] = party_key(60).public_key();
  Status refused = refusal(members[2], other);
  EXPECT_TRUE(mentions(refused, "arbiters are not the dataset's arbiters")) << refused.message();
  EXPECT_TRUE(mentions(refused, economy::short_key(arbiters[1].public_key()))) << refused.message();
  // A member put among the arbiters is a wrong set too.
  economy::StorageContract swapped = contract;
  std::swap(swapped.nodes[0], swapped.arbiters[0]);
  EXPECT_TRUE(mentions(refusal(members[1], swapped), "not the dataset's members"));
}

TEST_F(ContractDecisionTest, RefusesWhenNotNamedOrMalformed) {
  Status outsider = refusal(party_key(70), contract);
  EXPECT_TRUE(mentions(outsider, "is not named in the contract")) << outsider.message();
  economy::StorageContract malformed = contract;
  malformed.replication_factor = 0;
  Status bad = refusal(members[0], malformed);
  EXPECT_TRUE(mentions(bad, "contract: replication_factor")) << bad.message();
  malformed = contract;
  malformed.nodes.push_back(malformed.nodes.front());  // a key twice
  EXPECT_TRUE(mentions(refusal(members[0], malformed), "appears twice"));
}

TEST_F(ContractDecisionTest, AnswersRoundTripAndCheckAgainstTheAskedParty) {
  const storage::DatasetId dataset{4, 2};
  const ContractSigningAnswer signs = answer_contract_signing(members[0], dataset, roster, contract);
  economy::StorageContract other = contract;
  other.nodes.pop_back();
  other.replication_factor = 3;
  const ContractSigningAnswer refuses = answer_contract_signing(members[0], dataset, roster, other);
  ASSERT_TRUE(signs.contract_signature.has_value());
  ASSERT_FALSE(refuses.contract_signature.has_value());
  for (const ContractSigningAnswer& a : {signs, refuses}) {
    Result<ContractSigningAnswer> decoded = codec::decode<ContractSigningAnswer>(codec::encode(a));
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, a);
    EXPECT_TRUE(decoded->signature_valid());
  }
  const crypto::PublicKey party = members[0].public_key();
  Result<economy::ContractSignature> checked = check_contract_signing_answer(signs, dataset, contract, party);
  ASSERT_TRUE(checked.is_ok()) << checked.status().to_string();
  EXPECT_EQ(*checked, economy::ContractSignature::make(members[0], contract));

  Status refused = check_contract_signing_answer(refuses, dataset, other, party).status();
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(mentions(refused, "refused: the contract's members")) << refused.message();
  // Not the party asked, not this contract or dataset, a changed refusal, a
  // contract signature over something else: none counts.
  EXPECT_EQ(check_contract_signing_answer(signs, dataset, contract, members[1].public_key()).status().code(),
            ErrorCode::kAuthentication);
  EXPECT_EQ(check_contract_signing_answer(signs, dataset, other, party).status().code(), ErrorCode::kAuthentication);
  EXPECT_EQ(check_contract_signing_answer(signs, storage::DatasetId{9}, contract, party).status().code(),
            ErrorCode::kAuthentication);
  ContractSigningAnswer forged = refuses;
  forged.refusal = "something else";
  EXPECT_FALSE(forged.signature_valid());
  EXPECT_EQ(check_contract_signing_answer(forged, dataset, other, party).status().code(), ErrorCode::kAuthentication);
  ContractSigningAnswer resigned = signs;
  resigned.contract_signature = members[0].sign(other.signed_bytes());
  resigned.signature = members[0].sign(resigned.signed_bytes());
  EXPECT_EQ(check_contract_signing_answer(resigned, dataset, contract, party).status().code(),
            ErrorCode::kAuthentication);
}

TEST_F(ContractDecisionTest, BadAnswerBytesFailToDecode) {
  const Bytes signs = codec::encode(answer_contract_signing(members[0], storage::DatasetId{1}, roster, contract));
  for (size_t n = 0; n < signs.size(); ++n) {
    EXPECT_FALSE(codec::decode<ContractSigningAnswer>(ByteView(signs).first(n)).is_ok()) << "truncated to " << n;
  }
  Bytes longer = signs;
  longer.push_back(0);
  EXPECT_FALSE(codec::decode<ContractSigningAnswer>(longer).is_ok()) << "a trailing byte";
  Bytes flag = signs;
  flag[64] = 2;  // after the dataset and the contract hash: neither signs nor refuses
  EXPECT_FALSE(codec::decode<ContractSigningAnswer>(flag).is_ok());
  // A refusal over the bound.
  ContractSigningAnswer long_refusal;
  long_refusal.refusal = std::string(kMaxSigningRefusalBytes + 1, 'x');
  EXPECT_FALSE(codec::decode<ContractSigningAnswer>(codec::encode(long_refusal)).is_ok());
}

TEST_F(ContractDecisionTest, SignContractRequestsRoundTrip) {
  ClusterMessage m;
  m.type = ClusterMessage::Type::kSignContractRequest;
  m.dataset = storage::DatasetId{3};
  m.contract = contract;
  const Bytes bytes = codec::encode(m);
  Result<ClusterMessage> decoded = codec::decode<ClusterMessage>(bytes);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_TRUE(decoded->contract.has_value());
  EXPECT_EQ(*decoded->contract, contract);
  EXPECT_EQ(codec::encode(*decoded), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(codec::decode<ClusterMessage>(ByteView(bytes).first(n)).is_ok()) << "truncated to " << n;
  }
}

// Gathering over the test world's network: 7 members, 3 arbiters.
class ContractSigningTest : public testing_support::ClusterFixture {
 protected:
  Result<std::vector<economy::ContractSignature>> gather(size_t via, const economy::StorageContract& c) {
    std::optional<Result<std::vector<economy::ContractSignature>>> out;
    world->node(via).sign_contract(id, c,
                                   [&](Result<std::vector<economy::ContractSignature>> r) { out = std::move(r); });
    world->run_for(seconds(6));  // past the 5 s each party is given
    EXPECT_TRUE(out.has_value()) << "the gathering never finished";
    return out.value_or(Status::error(ErrorCode::kTimeout, "never finished"));
  }

  economy::StorageContract cluster_contract() { return contract_for(keys(members), keys(arbiters)); }
};

TEST_F(ContractSigningTest, AMemberOrAnArbiterGathersEveryPartysSignature) {
  build();
  const economy::StorageContract c = cluster_contract();
  for (size_t via : {size_t{2}, size_t{8}}) {
    Result<std::vector<economy::ContractSignature>> signatures = gather(via, c);
    ASSERT_TRUE(signatures.is_ok()) << "via node " << via << ": " << signatures.status().to_string();
    ASSERT_EQ(signatures->size(), kMembers + kArbiters);
    for (size_t i = 0; i < signatures->size(); ++i) {
      EXPECT_EQ((*signatures)[i].signer, world->identity(i, 0).key.public_key()) << "nodes, then arbiters, in order";
    }
    const crypto::SigningKey client = party_key(91);
    ASSERT_EQ(client.public_key(), c.client);
    economy::SignedContract signed_contract{c, {economy::ContractSignature::make(client, c)}};
    signed_contract.signatures.insert(signed_contract.signatures.end(), signatures->begin(), signatures->end());
    EXPECT_TRUE(signed_contract.check_fully_signed().is_ok());
  }
}

TEST_F(ContractSigningTest, EveryPartyRefusesAContractWithAnotherNodeSet) {
  build();
  economy::StorageContract c = cluster_contract();
  c.nodes.pop_back();
  c.replication_factor = static_cast<uint32_t>(c.nodes.size());
  Result<std::vector<economy::ContractSignature>> signatures = gather(0, c);
  ASSERT_FALSE(signatures.is_ok());
  const Status& refused = signatures.status();
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(mentions(refused, "9 of 9 parties did not sign")) << refused.message();
  for (size_t i = 0; i < kMembers - 1; ++i) {
    EXPECT_TRUE(mentions(refused, "node " + economy::short_key(members[i].key) + " refused: the contract's members"))
        << refused.message();
  }
  EXPECT_TRUE(mentions(refused, "arbiter " + economy::short_key(arbiters[0].key) + " refused")) << refused.message();
  // A malformed contract is refused at once, asking no one.
  c.replication_factor = 0;
  Result<std::vector<economy::ContractSignature>> malformed = gather(0, c);
  EXPECT_TRUE(mentions(malformed.status(), "contract: replication_factor")) << malformed.status().message();
}

TEST_F(ContractSigningTest, APartyThatDoesNotAnswerIsNamed) {
  build();
  world->crash(9);
  Result<std::vector<economy::ContractSignature>> signatures = gather(1, cluster_contract());
  ASSERT_FALSE(signatures.is_ok());
  EXPECT_EQ(signatures.status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(mentions(signatures.status(), "1 of 10 parties did not sign; arbiter " +
                                                economy::short_key(arbiters[2].key) + " did not answer in time"))
      << signatures.status().message();
}

}  // namespace
}  // namespace fluence::cluster
