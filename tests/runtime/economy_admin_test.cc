// The admin economy commands through real fluence-node processes: a
// 4-member cluster with 2 arbiters on 127.0.0.1, whose config lists token
// receipts. What a gateway does to share a dataset: mint by the receipts,
// gather the contract's signatures from every node and arbiter, open the
// storage contract, open and fund a sharing contract, have the cluster
// re-encrypt a capsule for the receiver, revoke; and bad requests refused
// with the field or the ledger's rule named.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "model/cluster/chain_book.h"
#include "model/crypto/pre.h"
#include "model/economy/ops.h"
#include "model/env/random.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

using nlohmann::json;
namespace pre = crypto::pre;

const std::string kDataset(64, 'e');
constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 2;
constexpr uint64_t kMinted = 10'000'000;
constexpr uint8_t kThreshold = 3;
constexpr int kSubmitTimeoutMs = 40'000;  // the cluster's write_timeout is 30 s

crypto::SigningKey test_key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0xad;
  return crypto::SigningKey::from_seed(secret);
}

std::string hex(const crypto::PublicKey& key) { return to_hex(key.bytes); }

storage::DatasetId dataset_id() { return *fixed_from_hex<storage::kDatasetIdBytes>(kDataset, "dataset"); }

// The receipts every node lists: two for the client, one for the receiver.
economy::Mint receipt(uint8_t n, const crypto::PublicKey& to) { return {crypto::Hash256{0xbe, n}, to, kMinted}; }

bool mentions(const json& reply, const std::string& text) {
  return reply.contains("error") && reply["error"].get<std::string>().find(text) != std::string::npos;
}

class EconomyAdminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new NodeCluster(kMembers + kArbiters, 2, [](const std::vector<std::string>& peers) {
      json config = one_dataset(peers, kDataset, kMembers);
      config["block_interval_ms"] = 100;
      json receipts = json::array();
      for (const economy::Mint& m : {receipt(1, client().public_key()), receipt(2, client().public_key()),
                                     receipt(3, receiver().public_key())}) {
        receipts.push_back({{"receipt", to_hex(m.gateway_receipt_id)}, {"to", hex(m.to)}, {"amount", m.amount}});
      }
      config["token_receipts"] = receipts;
      return config;
    });
    for (size_t i = 0; i < cluster_->size(); ++i) cluster_->start(i);
    ready_ = cluster_->wait_until([](size_t, const json&) { return true; }, 20000);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the nodes did not come up"; }

  static const crypto::SigningKey& client() {
    static const crypto::SigningKey key = test_key(1);
    return key;
  }
  static const crypto::SigningKey& receiver() {
    static const crypto::SigningKey key = test_key(2);
    return key;
  }

  json admin(size_t via, json request, int timeout_ms = 10000) {
    request["dataset"] = kDataset;
    return cluster_->admin(via, request, timeout_ms);
  }
  json submit(size_t via, const economy::EconomyOp& op) {
    return admin(via, {{"cmd", "submit"}, {"op_hex", to_hex(codec::encode(op))}}, kSubmitTimeoutMs);
  }
  // Polls `via`'s ledger until `ready` holds (members commit a block within
  // moments of each other); returns the last reply.
  json ledger_until(size_t via, const json& query, const std::function<bool(const json&)>& ready) {
    json reply;
    for (int t = 0; t < 100; ++t) {
      json request = query;
      request["cmd"] = "ledger";
      reply = admin(via, request);
      if (!reply.contains("error") && ready(reply)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return reply;
  }
  json account(size_t via, const crypto::PublicKey& key) {
    return admin(via, {{"cmd", "ledger"}, {"account", hex(key)}});
  }

  static NodeCluster* cluster_;
  static bool ready_;
};

NodeCluster* EconomyAdminTest::cluster_ = nullptr;
bool EconomyAdminTest::ready_ = false;

TEST_F(EconomyAdminTest, MintSignOpenShareReencryptAndRevoke) {
  const economy::ChainId chain_id = cluster::ledger_chain_id(dataset_id());
  // ---- Tokens in by the listed receipts, each once.
  json fresh = account(0, client().public_key());
  ASSERT_FALSE(fresh.contains("error")) << fresh.dump();
  EXPECT_EQ(fresh["chain_id"], to_hex(chain_id));
  EXPECT_EQ(fresh["spendable"], 0u);
  EXPECT_EQ(fresh["next_nonce"], 0u);
  json minted = submit(0, {receipt(1, client().public_key())});
  ASSERT_TRUE(minted.contains("height")) << minted.dump();
  EXPECT_GT(minted["height"].get<uint64_t>(), 0u);
  json twice = submit(1, {receipt(1, client().public_key())});
  EXPECT_TRUE(mentions(twice, "already used")) << twice.dump();
  EXPECT_EQ(twice.value("code", ""), "invalid argument") << twice.dump();
  economy::Mint inflated = receipt(2, client().public_key());
  inflated.amount = 2 * kMinted;
  json unlisted = submit(1, {inflated});
  EXPECT_TRUE(mentions(unlisted, "not confirmed by the gateway")) << unlisted.dump();
  EXPECT_EQ(unlisted.value("code", ""), "authentication failed");
  ASSERT_TRUE(submit(1, {receipt(3, receiver().public_key())}).contains("height"));
  json funded = ledger_until(2, {{"account", hex(client().public_key())}},
                             [](const json& r) { return r["spendable"] == kMinted; });
  EXPECT_EQ(funded["spendable"], kMinted) << funded.dump();
  EXPECT_EQ(funded["rewards"], 0u);
  EXPECT_EQ(funded["next_nonce"], 0u);

  // ---- The storage contract on the cluster's roster, signed by every node and arbiter.
  json roster = admin(0, {{"cmd", "dataset"}});
  ASSERT_TRUE(roster.contains("members")) << roster.dump();
  ASSERT_EQ(roster["members"].size(), kMembers);
  ASSERT_EQ(roster["arbiters"].size(), kArbiters);
  economy::StorageContract c;
  c.id = test_key(3).public_key();
  c.client = client().public_key();
  for (const json& m : roster["members"]) c.nodes.push_back({*fixed_from_hex<32>(m.get<std::string>(), "member")});
  for (const json& a : roster["arbiters"]) c.arbiters.push_back({*fixed_from_hex<32>(a.get<std::string>(), "arbiter")});
  c.replication_factor = kMembers;
  c.allocation_bytes = economy::kBytesPerGb;
  c.max_response_time_ms = 5000;
  c.price_per_gb_month = 720;
  c.gas_price = 1;
  c.period_ticks = 24;
  c.valid_until_tick = funded["tick"].get<uint64_t>() + c.period_ticks;
  c.sla = {24, 24};

  economy::StorageContract short_of_one = c;
  short_of_one.nodes.pop_back();
  short_of_one.replication_factor = kMembers - 1;
  json wrong = admin(1, {{"cmd", "sign_contract"}, {"contract_hex", to_hex(codec::encode(short_of_one))}}, 20000);
  EXPECT_EQ(wrong.value("code", ""), "invalid argument") << wrong.dump();
  EXPECT_TRUE(mentions(wrong, "node " + economy::short_key(c.nodes[0]) + " refused: the contract's members are not "
                              "the dataset's members: leaves out " + economy::short_key(c.nodes.back())))
      << wrong.dump();
  EXPECT_TRUE(mentions(wrong, "arbiter " + economy::short_key(c.arbiters[0]) + " refused")) << wrong.dump();

  json signed_reply = admin(1, {{"cmd", "sign_contract"}, {"contract_hex", to_hex(codec::encode(c))}}, 20000);
  ASSERT_TRUE(signed_reply.contains("signatures_hex")) << signed_reply.dump();
  ASSERT_EQ(signed_reply["signatures_hex"].size(), kMembers + kArbiters);
  economy::SignedContract s{c, {economy::ContractSignature::make(client(), c)}};
  for (const json& h : signed_reply["signatures_hex"]) {
    Result<economy::ContractSignature> signature =
        codec::decode<economy::ContractSignature>(*from_hex(h.get<std::string>()));
    ASSERT_TRUE(signature.is_ok()) << signature.status().to_string();
    s.signatures.push_back(*signature);
  }
  ASSERT_TRUE(s.check_fully_signed().is_ok()) << s.check_fully_signed().to_string();

  json opened = submit(2, {economy::OpenContract::make(client(), chain_id, s, 100'000, 0)});
  ASSERT_TRUE(opened.contains("height")) << opened.dump();
  json contract = ledger_until(3, {{"contract", hex(c.id)}}, [](const json&) { return true; });
  ASSERT_FALSE(contract.contains("error")) << contract.dump();
  EXPECT_EQ(contract["client"], hex(c.client));
  EXPECT_EQ(contract["nodes"].size(), kMembers);
  EXPECT_EQ(contract["arbiters"].size(), kArbiters);
  EXPECT_EQ(contract["escrow"], 100'000u);
  EXPECT_EQ(contract["valid_until_tick"], c.valid_until_tick);
  EXPECT_EQ(contract["gas_price"], 1u);
  EXPECT_EQ(contract["active"], true);

  // ---- A sharing contract to the receiver, held by the contract's nodes.
  env::DeterministicRandom random(31);
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver_pre = pre::KeyPair::generate(random);
  const crypto::PublicKey share_id = test_key(4).public_key();
  economy::ShareTerms terms{share_id, c.id, receiver().public_key(), receiver_pre.public_key(), kThreshold, 0};
  Result<economy::SharingContract> share = economy::make_sharing_contract(client(), delegator, terms, c.nodes, random);
  ASSERT_TRUE(share.is_ok()) << share.status().to_string();
  json shared = submit(0, {economy::OpenShare::make(client(), chain_id, *share, 1)});
  ASSERT_TRUE(shared.contains("height")) << shared.dump();
  json fund = submit(3, {economy::FundShare::make(receiver(), chain_id, share_id, 10'000, 0)});
  ASSERT_TRUE(fund.contains("height")) << fund.dump();
  json on_chain = ledger_until(1, {{"share", hex(share_id)}}, [](const json& r) { return r["escrow"] == 10'000u; });
  ASSERT_FALSE(on_chain.contains("error")) << on_chain.dump();
  EXPECT_EQ(on_chain["phase"], "active");
  EXPECT_EQ(on_chain["escrow"], 10'000u);
  EXPECT_EQ(on_chain["owner"], hex(client().public_key()));
  EXPECT_EQ(on_chain["receiver"], hex(receiver().public_key()));
  EXPECT_EQ(on_chain["storage_contract"], hex(c.id));
  EXPECT_EQ(on_chain["threshold"], kThreshold);
  EXPECT_EQ(on_chain["holders"].size(), kMembers);
  Result<economy::SharingContract> listed =
      codec::decode<economy::SharingContract>(*from_hex(on_chain["contract_hex"].get<std::string>()));
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  EXPECT_EQ(*listed, *share);

  // ---- The cluster re-encrypts the owner's capsule; the receiver opens it.
  Result<pre::Encapsulation> encapsulation = pre::encapsulate(delegator.public_key(), random);
  ASSERT_TRUE(encapsulation.is_ok());
  const std::string capsule_hex = to_hex(codec::encode(encapsulation->capsule));
  json reencrypted = admin(2, {{"cmd", "reencrypt"}, {"share", hex(share_id)}, {"capsule_hex", capsule_hex}});
  ASSERT_TRUE(reencrypted.contains("cfrags_hex")) << reencrypted.dump();
  EXPECT_GE(reencrypted["cfrags_hex"].size(), kThreshold);
  std::vector<pre::VerifiedCapsuleFrag> verified;
  for (const json& h : reencrypted["cfrags_hex"]) {
    Result<pre::CapsuleFrag> cfrag = codec::decode<pre::CapsuleFrag>(*from_hex(h.get<std::string>()));
    ASSERT_TRUE(cfrag.is_ok()) << cfrag.status().to_string();
    Result<pre::VerifiedCapsuleFrag> v = pre::verify_cfrag(*cfrag, encapsulation->capsule, delegator.public_key(),
                                                            receiver_pre.public_key(), client().public_key());
    ASSERT_TRUE(v.is_ok()) << v.status().to_string();
    verified.push_back(std::move(*v));
  }
  Result<pre::SymmetricKey> opened_key =
      pre::decrypt_reencrypted(receiver_pre, delegator.public_key(), encapsulation->capsule, verified);
  ASSERT_TRUE(opened_key.is_ok()) << opened_key.status().to_string();
  EXPECT_TRUE(std::equal(opened_key->view().begin(), opened_key->view().end(), encapsulation->key.view().begin()))
      << "the receiver opened another key";

  // ---- Revocation: honest members forget their fragments.
  json revoked = submit(1, {economy::RevokeShare::make(client(), chain_id, share_id, 2)});
  ASSERT_TRUE(revoked.contains("height")) << revoked.dump();
  for (size_t m = 0; m < kMembers; ++m) {
    json after = ledger_until(m, {{"share", hex(share_id)}}, [](const json& r) { return r["phase"] == "revoked"; });
    EXPECT_EQ(after["phase"], "revoked") << "member " << m << ": " << after.dump();
    EXPECT_EQ(after["escrow"], 0u) << "the escrow went back to the receiver";
  }
  json refused = admin(2, {{"cmd", "reencrypt"}, {"share", hex(share_id)}, {"capsule_hex", capsule_hex}});
  EXPECT_EQ(refused.value("code", ""), "unavailable") << refused.dump();
  EXPECT_TRUE(mentions(refused, "0 of 3 fragments")) << refused.dump();
  json receiver_account = account(0, receiver().public_key());
  EXPECT_EQ(receiver_account["spendable"], kMinted) << receiver_account.dump();
  EXPECT_EQ(receiver_account["next_nonce"], 1u);
}

TEST_F(EconomyAdminTest, BadRequestsAreRefusedNamingTheFieldOrTheRule) {
  const economy::ChainId chain_id = cluster::ledger_chain_id(dataset_id());
  json bad_hex = admin(0, {{"cmd", "submit"}, {"op_hex", "zz"}});
  EXPECT_TRUE(mentions(bad_hex, "op_hex")) << bad_hex.dump();
  EXPECT_EQ(bad_hex.value("code", ""), "malformed");
  json bad_bytes = admin(0, {{"cmd", "submit"}, {"op_hex", "63ff"}});
  EXPECT_TRUE(mentions(bad_bytes, "op_hex")) << bad_bytes.dump();
  EXPECT_EQ(bad_bytes.value("code", ""), "malformed");
  json missing = admin(0, {{"cmd", "submit"}});
  EXPECT_TRUE(mentions(missing, "op_hex: expected a hex string")) << missing.dump();

  // The ledger's rule, at once: a transfer beyond the balance.
  const crypto::SigningKey pauper = test_key(9);
  json overdraw = submit(1, {economy::Transfer::make(pauper, chain_id, receiver().public_key(), 5, 0)});
  EXPECT_TRUE(mentions(overdraw, "transfer: amount: 5 micro-FFT exceeds spendable balance 0"))
      << overdraw.dump();
  EXPECT_EQ(overdraw.value("code", ""), "invalid argument");

  env::DeterministicRandom random(32);
  pre::KeyPair owner = pre::KeyPair::generate(random);
  const std::string capsule_hex = to_hex(codec::encode(pre::encapsulate(owner.public_key(), random)->capsule));
  json unknown_share =
      admin(2, {{"cmd", "reencrypt"}, {"share", hex(test_key(10).public_key())}, {"capsule_hex", capsule_hex}});
  EXPECT_EQ(unknown_share.value("code", ""), "not found") << unknown_share.dump();
  json bad_capsule = admin(2, {{"cmd", "reencrypt"}, {"share", hex(test_key(10).public_key())}, {"capsule_hex", "00"}});
  EXPECT_TRUE(mentions(bad_capsule, "capsule_hex")) << bad_capsule.dump();

  json two_keys = admin(0, {{"cmd", "ledger"}, {"account", std::string(64, '1')}, {"share", std::string(64, '2')}});
  EXPECT_EQ(two_keys.value("code", ""), "invalid argument") << two_keys.dump();
  json no_contract = admin(0, {{"cmd", "ledger"}, {"contract", std::string(64, '3')}});
  EXPECT_EQ(no_contract.value("code", ""), "not found") << no_contract.dump();
  json bad_key = admin(0, {{"cmd", "ledger"}, {"account", "12"}});
  EXPECT_TRUE(mentions(bad_key, "account")) << bad_key.dump();

  json bad_contract = admin(0, {{"cmd", "sign_contract"}, {"contract_hex", "0102"}});
  EXPECT_TRUE(mentions(bad_contract, "contract_hex")) << bad_contract.dump();

  // An arbiter keeps no ledger: "submit", "ledger" and "reencrypt" are for members.
  json arbiter = admin(kMembers, {{"cmd", "ledger"}, {"account", std::string(64, '1')}});
  EXPECT_TRUE(mentions(arbiter, "dataset: this node is not a member for it")) << arbiter.dump();
  EXPECT_EQ(arbiter.value("code", ""), "not found");
}

}  // namespace
}  // namespace fluence::testing
