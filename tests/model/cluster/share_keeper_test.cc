// A member's keeper of re-encryption key fragments (model/cluster/share_keeper.h):
// it serves active, funded shares, forgets revoked ones, and a receiver
// cannot decrypt after revocation while fewer than m members keep theirs
// (white paper, "Denial of Remove").
#include "model/cluster/share_keeper.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace fluence::cluster {
namespace {

namespace pre = crypto::pre;
using namespace economy;

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0x6b;
  return crypto::SigningKey::from_seed(secret);
}

bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

constexpr size_t kNodes = 5;
constexpr uint8_t kThreshold = 3;
constexpr size_t kDishonest = 2;  // < kThreshold: revocation must hold

class ShareKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < kNodes; ++i) nodes.push_back(key(10 + i));
    ASSERT_TRUE(ledger.apply({gateway.issue(owner.public_key(), 10'000'000)}, 0).is_ok());
    ASSERT_TRUE(ledger.apply({gateway.issue(receiver.public_key(), 1'000'000)}, 0).is_ok());
    StorageContract c;
    c.id = contract_id;
    c.client = owner.public_key();
    c.valid_until_tick = 24;
    for (const auto& n : nodes) c.nodes.push_back(n.public_key());
    c.arbiters.push_back(arbiter.public_key());
    c.replication_factor = kNodes;
    c.allocation_bytes = kBytesPerGb;
    c.price_per_gb_month = 720'000;
    c.gas_price = 10;
    c.period_ticks = 24;
    c.sla = {4, 3};
    SignedContract s{c, {ContractSignature::make(owner, c), ContractSignature::make(arbiter, c)}};
    for (const auto& n : nodes) s.signatures.push_back(ContractSignature::make(n, c));
    ASSERT_TRUE(ledger.apply({OpenContract::make(owner, chain, std::move(s), 1'000'000, 0)}, 0).is_ok());

    std::vector<crypto::PublicKey> holders;
    for (const auto& n : nodes) holders.push_back(n.public_key());
    ShareTerms terms{share_id, contract_id, receiver.public_key(), receiver_pre.public_key(), kThreshold, 0};
    share = *make_sharing_contract(owner, delegator, terms, holders, random);
    for (size_t i = 0; i < kNodes; ++i) {
      MemberConduct conduct;
      conduct.keeps_revoked_fragments = i < kDishonest;
      keepers.push_back(std::make_unique<ShareKeeper>(nodes[i], random, conduct));
    }
    encapsulation = std::make_unique<pre::Encapsulation>(std::move(*pre::encapsulate(delegator.public_key(), random)));
  }

  Status open_share() {
    return ledger.apply({OpenShare::make(owner, chain, share, ledger.account(owner.public_key()).next_nonce)}, 1);
  }
  Status fund(uint64_t amount) {
    return ledger.apply(
        {FundShare::make(receiver, chain, share_id, amount, ledger.account(receiver.public_key()).next_nonce)}, 1);
  }
  Status revoke() {
    return ledger.apply({RevokeShare::make(owner, chain, share_id, ledger.account(owner.public_key()).next_nonce)},
                        2);
  }
  void sync_all() {
    for (auto& k : keepers) (void)k->sync(ledger);
  }

  // The receiver asks every member, keeps the answers that verify against
  // the contract's public keys, and tries to open the capsule's key.
  struct Outcome {
    size_t answers = 0;
    bool decrypted = false;
    Status status;
  };
  Outcome ask_everyone() {
    const pre::Capsule& capsule = encapsulation->capsule;
    std::vector<pre::VerifiedCapsuleFrag> verified;
    Outcome outcome;
    for (auto& k : keepers) {
      Result<pre::CapsuleFrag> cfrag = k->reencrypt(ledger, share_id, capsule);
      if (!cfrag) continue;
      ++outcome.answers;
      Result<pre::VerifiedCapsuleFrag> v =
          pre::verify_cfrag(*cfrag, capsule, share.delegator_key, share.receiver_key, share.owner);
      EXPECT_TRUE(v.is_ok()) << v.status().to_string();
      if (v) verified.push_back(std::move(*v));
    }
    Result<pre::SymmetricKey> key = pre::decrypt_reencrypted(receiver_pre, delegator.public_key(), capsule, verified);
    outcome.status = key.status();
    if (key) {
      outcome.decrypted = std::equal(key->view().begin(), key->view().end(), encapsulation->key.view().begin());
    }
    return outcome;
  }

  ChainId chain = crypto::blake2b_256(as_bytes("share keeper chain"));
  crypto::SigningKey owner = key(1), receiver = key(2), arbiter = key(3), outsider = key(4);
  crypto::PublicKey contract_id = key(30).public_key();
  crypto::PublicKey share_id = key(31).public_key();
  std::vector<crypto::SigningKey> nodes;
  env::DeterministicRandom random{99};
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver_pre = pre::KeyPair::generate(random);
  SimulatedGateway gateway{6};
  Ledger ledger{gateway, chain};
  SharingContract share;
  std::vector<std::unique_ptr<ShareKeeper>> keepers;
  std::unique_ptr<pre::Encapsulation> encapsulation;
};

TEST_F(ShareKeeperTest, ServesAFundedShareAndReceiverNeedsM) {
  // Before the share is on the chain: unknown.
  Result<pre::CapsuleFrag> early = keepers[4]->reencrypt(ledger, share_id, encapsulation->capsule);
  EXPECT_EQ(early.status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(open_share().is_ok());
  ShareKeeper::SyncReport report = keepers[4]->sync(ledger);
  ASSERT_EQ(report.opened.size(), 1u);
  EXPECT_TRUE(keepers[4]->holds(share_id));
  EXPECT_TRUE(keepers[4]->sync(ledger).opened.empty());  // once

  // Unfunded: refused until the receiver pays into the escrow.
  Result<pre::CapsuleFrag> unfunded = keepers[4]->reencrypt(ledger, share_id, encapsulation->capsule);
  EXPECT_TRUE(mentions(unfunded.status(), "fund it first")) << unfunded.status().message();
  ASSERT_TRUE(fund(10'000).is_ok());

  Outcome all = ask_everyone();  // keepers 0..3 open on first use
  EXPECT_EQ(all.answers, kNodes);
  EXPECT_TRUE(all.decrypted) << all.status.to_string();

  // A bad capsule is refused, not re-encrypted.
  pre::Capsule mauled = encapsulation->capsule;
  mauled.s = pre::Scalar{{1}};
  EXPECT_EQ(keepers[4]->reencrypt(ledger, share_id, mauled).status().code(), ErrorCode::kAuthentication);
  // A member outside the share holds nothing.
  ShareKeeper stranger(outsider, random);
  EXPECT_TRUE(stranger.sync(ledger).opened.empty());
  EXPECT_EQ(stranger.reencrypt(ledger, share_id, encapsulation->capsule).status().code(), ErrorCode::kNotFound);
}

TEST_F(ShareKeeperTest, FewerThanMFragmentsDoNotDecrypt) {
  ASSERT_TRUE(open_share().is_ok());
  ASSERT_TRUE(fund(10'000).is_ok());
  sync_all();
  std::vector<pre::VerifiedCapsuleFrag> verified;
  for (size_t i = 0; i + 1 < kThreshold; ++i) {
    Result<pre::CapsuleFrag> cfrag = keepers[i]->reencrypt(ledger, share_id, encapsulation->capsule);
    ASSERT_TRUE(cfrag.is_ok());
    verified.push_back(
        *pre::verify_cfrag(*cfrag, encapsulation->capsule, share.delegator_key, share.receiver_key, share.owner));
  }
  EXPECT_FALSE(pre::decrypt_reencrypted(receiver_pre, delegator.public_key(), encapsulation->capsule, verified).is_ok());
}

TEST_F(ShareKeeperTest, RevocationHoldsWhileDishonestKeepersAreFewerThanM) {
  ASSERT_TRUE(open_share().is_ok());
  ASSERT_TRUE(fund(10'000).is_ok());
  sync_all();
  ASSERT_TRUE(ask_everyone().decrypted);

  ASSERT_TRUE(revoke().is_ok());
  for (size_t i = 0; i < kNodes; ++i) {
    ShareKeeper::SyncReport report = keepers[i]->sync(ledger);
    if (i < kDishonest) {
      EXPECT_TRUE(report.forgotten.empty());
      EXPECT_TRUE(keepers[i]->holds(share_id)) << "the denial-of-remove member keeps it";
    } else {
      EXPECT_EQ(report.forgotten, std::vector<crypto::PublicKey>{share_id});
      EXPECT_FALSE(keepers[i]->holds(share_id));
      Result<pre::CapsuleFrag> refused = keepers[i]->reencrypt(ledger, share_id, encapsulation->capsule);
      EXPECT_TRUE(mentions(refused.status(), "revoked")) << refused.status().message();
    }
  }
  Outcome after = ask_everyone();
  EXPECT_EQ(after.answers, kDishonest);  // they still answer, with valid cfrags...
  EXPECT_FALSE(after.decrypted);         // ...but fewer than m
  EXPECT_TRUE(mentions(after.status, "needs 3")) << after.status.to_string();
}

TEST_F(ShareKeeperTest, HonestKeeperRefusesEvenBeforeItSyncs) {
  ASSERT_TRUE(open_share().is_ok());
  ASSERT_TRUE(fund(10'000).is_ok());
  sync_all();
  ASSERT_TRUE(revoke().is_ok());
  // No sync since the revocation: the ledger's word is checked per request.
  ShareKeeper& honest = *keepers[kNodes - 1];
  EXPECT_FALSE(honest.reencrypt(ledger, share_id, encapsulation->capsule).is_ok());
  EXPECT_FALSE(honest.holds(share_id));
}

TEST_F(ShareKeeperTest, ShareEndedWithItsContractIsForgotten) {
  ASSERT_TRUE(open_share().is_ok());
  ASSERT_TRUE(fund(10'000).is_ok());
  sync_all();
  ASSERT_TRUE(ledger.apply({Terminate::make(owner, chain, contract_id, ledger.account(owner.public_key()).next_nonce)}, 3)
                  .is_ok());
  ShareKeeper::SyncReport report = keepers[kNodes - 1]->sync(ledger);
  EXPECT_EQ(report.forgotten.size(), 1u);
  EXPECT_TRUE(mentions(keepers[kNodes - 1]->reencrypt(ledger, share_id, encapsulation->capsule).status(), "ended"));
}

TEST_F(ShareKeeperTest, GarbageFragmentIsReportedAndRefused) {
  // The owner seals node 4 a fragment that is not the committed one.
  pre::KeyFrag other = *open_fragment(share, nodes[0]);
  pre::KeyFrag mine = *open_fragment(share, nodes[4]);
  pre::KeyFrag wrong{mine.share, other.rekey.clone()};
  share.fragments[4].sealed =
      *seal_keyfrag(nodes[4].public_key(), fragment_seal_context(share, share.fragments[4]), wrong, random);
  ASSERT_TRUE(open_share().is_ok());  // the ledger cannot tell
  ASSERT_TRUE(fund(10'000).is_ok());
  ShareKeeper::SyncReport report = keepers[4]->sync(ledger);
  ASSERT_EQ(report.unusable.size(), 1u);
  EXPECT_EQ(report.unusable[0].second.code(), ErrorCode::kAuthentication);
  EXPECT_FALSE(keepers[4]->holds(share_id));
  EXPECT_TRUE(keepers[4]->sync(ledger).unusable.empty());  // reported once
  EXPECT_EQ(keepers[4]->reencrypt(ledger, share_id, encapsulation->capsule).status().code(),
            ErrorCode::kAuthentication);
  // The other four still reach m.
  keepers.pop_back();
  EXPECT_TRUE(ask_everyone().decrypted);
}

}  // namespace
}  // namespace fluence::cluster
